"""Default plugin: the Latent Transformer host and the ``dynode lt`` commands.

Discovery imports nothing heavy: the host class is registered lazily and the command
module imports torch and the user's checkout only inside command bodies.
"""
from dynode_plugin.plugins import Lazy, hookimpl


@hookimpl
def dynode_register_hosts(register):
    register(Lazy("latent-transformer", "dynode_adapters.latent_transformer.host:LatentTransformerHost",
                  "Latent Transformer: per-frame latent_code_%05d.npy, attribute models (user's checkout, $DYNODE_LT_ROOT)"))


@hookimpl
def dynode_register_commands(cli):
    from .cli import group

    cli.add_command(group)


@hookimpl
def dynode_register_doctors(register):
    target = "dynode_adapters.latent_transformer.doctor:LatentTransformerDoctor"
    register(Lazy("lt", target, "dynode doctor --host lt: environment and checkout checks"))
    register(Lazy("latent-transformer", target.replace("LatentTransformerDoctor", "LatentTransformerAliasDoctor"),
                  "the same as --host lt (the host's id)"))
