"""``dynode lt``: Latent Transformer's latent_manipulation step, with DynODE in place of per-frame edits.

Kept light: torch, the dynamics model and the user's checkout are imported inside the
command bodies, so ``dynode --help`` and plugin discovery stay fast.
"""
from __future__ import annotations

import os

import click

from dynode_plugin.cli import DynodeGroup

from dynode_plugin.frame_selection import selection_options

from ..common.cli_options import dynamics_options, run_options

ROOT_ENV = "DYNODE_LT_ROOT"


def _root_option(f):
    return click.option("--lt-root", type=click.Path(file_okay=False), default=lambda: os.environ.get(ROOT_ENV),
                        help=f"Your latent-transformer checkout, with pixel2style2pixel/ inside (default: ${ROOT_ENV}).")(f)


def _common_paths(f):
    f = click.option("--config", default="001", show_default=True, help="LT config name (configs/<config>.yaml).")(f)
    f = click.option("--log-path", type=click.Path(file_okay=False), default=None,
                     help="Folder holding <config>/tnet_<attr_num>.pth.tar. Default: <lt-root>/logs.")(f)
    return f


@click.group("lt", cls=DynodeGroup)
def group() -> None:
    """Latent Transformer (github.com/InterDigitalInc/latent-transformer) from your own checkout.

    \b
    Replaces `video_processing.py --function latent_manipulation` (attribute model on
    every frame) by: attribute model on frame 0 only + DynODE propagation. It writes the
    same frame%04d.jpg folder, so reproject_manipulate / compare_frames run unchanged.
    """


def _setup(lt_root, config, log_path, attr):
    from pathlib import Path

    from dynode_plugin.errors import DynodeInputError

    from . import layout
    from .host_imports import validate_checkout

    if not lt_root:
        raise DynodeInputError(f"give --lt-root (your latent-transformer checkout) or set ${ROOT_ENV}")
    root = validate_checkout(lt_root)
    cfg = layout.read_config(root, config)
    log_dir = (Path(log_path).resolve() if log_path else root / "logs") / config
    attrs = layout.resolve_attrs(attr, cfg, log_dir) if attr is not None else None
    return root, cfg, log_dir, attrs


@group.command("attrs")
@_root_option
@_common_paths
def attrs_cmd(lt_root, config, log_path):
    """List the attributes (number, name) and which have a trained model."""
    from . import layout

    root, cfg, log_dir, _ = _setup(lt_root, config, log_path, None)
    for i, name in enumerate(layout.attribute_names(cfg)):
        have = layout.attr_model_path(log_dir, i).is_file()
        click.echo(f"{i:>3}  {name:<22} {'model' if have else '-'}")


@group.command("manipulate")
@_root_option
@click.option("--latents-dir", required=True, type=click.Path(file_okay=False),
              help="Folder of latent_code_%05d.npy (1,18,512), e.g. outputs/video/<name>/<name>_crop_align_latent.")
@click.option("--attr", required=True, help="Attribute name or number (e.g. Smiling or 31); several: Smiling,Young.")
@click.option("--alpha", default="1.", show_default=True, help="Edit scale; several attributes: one value each, comma-separated.")
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False),
              help="Output folder of frame%04d.jpg, e.g. outputs/video/<name>/<name>_crop_align_<Attr>.")
@_common_paths
@click.option("--stylegan-model-path", type=click.Path(dir_okay=False), default=None,
              help="pSp checkpoint with the generator. Default: <lt-root>/pixel2style2pixel/pretrained_models/psp_ffhq_encode.pt.")
@click.option("--per-frame", is_flag=True, help="The original step: the attribute model on every frame.")
@click.option("--latents-out", type=click.Path(dir_okay=False), default=None, help="Also write the edited latents (.pt or .npy, [N,18,512]).")
@click.option("--no-render", is_flag=True, help="Only edit (needs --latents-out); no frames, no generator.")
@click.option("--device", default="cpu", show_default=True, help="torch device for the networks (cpu, cuda).")
@click.option("--force", is_flag=True, help="Replace a non-empty --out folder / an existing --latents-out file.")
@dynamics_options
@run_options
def manipulate_cmd(lt_root, latents_dir, attr, alpha, out, config, log_path, stylegan_model_path, per_frame, latents_out,
                   no_render, device, force, model_id, mode, steps, solver, subspace_dim, seed, straightness, save_model, report_json, quiet):
    """Edit a video's latent codes with a Latent Transformer attribute model and render frame%04d.jpg."""
    import json
    from pathlib import Path

    import torch

    from dynode_plugin.atomic import atomic_path
    from dynode_plugin.errors import DynodeInputError
    from dynode_plugin.latent_io import save_latents
    from dynode_plugin.outputs import check_output_dir, check_output_file

    from ..common.consistency import delta_consistency
    from . import editing, layout
    from .host_imports import find_generator, load_attribute_nets, load_generator
    from .render import render_frames

    # Absolute paths first: the checkout is imported with its root as working directory.
    out = Path(out).resolve()
    latents_out = Path(latents_out).resolve() if latents_out else None
    save_model = Path(save_model).resolve() if save_model else None
    report_json = Path(report_json).resolve() if report_json else None
    if no_render and latents_out is None:
        raise DynodeInputError("--no-render writes no frames: give --latents-out to keep the edited latents")
    root, cfg, log_dir, attrs = _setup(lt_root, config, log_path, attr)
    alphas = layout.parse_alphas(alpha, len(attrs))
    # Refuse early, before minutes of work, what we would refuse to write at the end.
    # One guard (dynode_plugin.outputs): existing outputs need --force, an input is never replaced.
    inputs = [latents_dir, stylegan_model_path]
    if not no_render:
        check_output_dir(out, "--out", inputs, force)
    if latents_out is not None:
        check_output_file(latents_out, "--latents-out", inputs, force, suffixes=(".pt", ".pth", ".npy"))
    if report_json is not None:
        check_output_file(report_json, "--report-json", inputs + [latents_out], force, suffixes=(".json",))
    gen_path = None if no_render else find_generator(root, Path(stylegan_model_path).resolve() if stylegan_model_path else None)
    w0 = torch.from_numpy(layout.read_latents_dir(Path(latents_dir).resolve()))

    nets = load_attribute_nets(root, attrs, cfg, device=device)
    if per_frame:
        result = editing.edit_per_frame(w0, nets, alphas)
    else:
        if len(w0) < 2:
            raise DynodeInputError(f"{latents_dir} holds one frame; DynODE needs at least 2 (or use --per-frame)")
        from dynode_plugin.dynamics.config import fit_settings

        settings = fit_settings(model_id, steps=steps, solver=solver, seed=seed, subspace_dim=subspace_dim,
                                straightness=straightness)
        result = editing.edit_dynode(w0, nets, alphas, mode=mode, model_id=model_id, fit_kwargs=settings,
                                     model_path=save_model, progress=not quiet)

    render_s = []
    if not no_render:
        generator = load_generator(root, gen_path, device=device)
        render_s = render_frames(generator, result.latents, out, device=device, progress=not quiet)
    if latents_out is not None:  # after the frames: a failed render leaves no new file at all
        save_latents(result.latents, latents_out)

    report = {
        "method": result.method, "attrs": [a.name for a in attrs], "attr_nums": [a.num for a in attrs], "alphas": alphas,
        "frames": len(w0), "out": None if no_render else str(out), "latents_out": str(latents_out) if latents_out else None,
        "seconds": result.seconds, "render_seconds_per_frame": (sum(render_s) / len(render_s)) if render_s else None,
        "consistency": delta_consistency(result.source, result.latents),
    }
    if not per_frame:
        report.update(model=model_id, mode=mode, refitted=result.fitted)
    what = f"{len(w0)} frames to {out}" if not no_render else f"{len(w0)} latents to {latents_out}"
    click.echo(f"{result.method}: {editing.describe(attrs, alphas)}; edit step {result.seconds['edit_step']:.2f} s; wrote {what}")
    if report_json:
        with atomic_path(report_json) as tmp:
            tmp.write_text(json.dumps(report, indent=2))


@group.command("encode")
@_root_option
@click.option("--aligned-dir", required=True, type=click.Path(file_okay=False),
              help="LT's aligned frames (outputs/video/<name>/<name>_crop_align/); a missing index = no face found there.")
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False),
              help="Folder of latent_code_%05d.npy for every frame (<name>_crop_align_latent/), written atomically.")
@click.option("--psp-model-path", type=click.Path(dir_okay=False), default=None,
              help="pSp checkpoint. Default: <lt-root>/pixel2style2pixel/pretrained_models/psp_ffhq_encode.pt.")
@selection_options
@click.option("--device", default="cpu", show_default=True, help="torch device for pSp (cpu, cuda).")
@click.option("--force", is_flag=True, help="Replace an existing --out folder.")
@dynamics_options
@run_options
def encode_cmd(lt_root, aligned_dir, out, psp_model_path, every, frames, max_gap, device, force, model_id, mode, steps, solver,
               subspace_dim, seed, straightness, save_model, report_json, quiet):
    """Encode the aligned frames with pSp, 1 frame in K (--every K, --frames, --max-gap); the dynamics
    model writes the codes of every other frame, so latent_manipulation reads a complete folder."""
    import json
    import time
    from pathlib import Path

    from dynode_plugin.atomic import atomic_dir, atomic_path
    from dynode_plugin.dynamics.config import fit_settings
    from dynode_plugin.errors import DynodeInputError
    from dynode_plugin.frame_selection import SelectionSpec

    from . import encode
    from .host_imports import find_generator, validate_checkout

    spec = SelectionSpec.from_options(every, frames, max_gap)
    out, aligned_dir = Path(out).resolve(), Path(aligned_dir).resolve()
    report_json = Path(report_json).resolve() if report_json else None
    if out.exists() and not force:
        raise DynodeInputError(f"{out} already exists; pass --force to replace it")
    if not lt_root:
        raise DynodeInputError(f"give --lt-root (your latent-transformer checkout) or set ${ROOT_ENV}")
    root = validate_checkout(lt_root)
    files, n = encode.read_aligned_folder(aligned_dir)
    sel = spec.resolve(n, failed=[i for i in range(n) if i not in files])  # every check before pSp loads
    checkpoint = find_generator(root, Path(psp_model_path).resolve() if psp_model_path else None)
    net = encode.load_encoder(root, checkpoint, device=device)
    t0 = time.perf_counter()
    codes = encode.encode_frames(net, [files[i] for i in sel.selected], device=device)
    encode_s = time.perf_counter() - t0
    settings = fit_settings(model_id, steps=steps, solver=solver, seed=seed, subspace_dim=subspace_dim, straightness=straightness)
    full, model, fit_s = encode.fill_codes(codes, sel, model_id, settings, progress=not quiet)
    with atomic_dir(out) as tmp:
        encode.write_codes(full, tmp)
    if model is not None and save_model:
        model.save(save_model)
    click.echo(f"{sel.summary()}; pSp {encode_s:.1f} s" + (f", fit {fit_s:.1f} s" if model is not None else "")
               + f"; wrote {n} latent codes to {out}")
    if report_json:
        with atomic_path(report_json) as tmp:
            tmp.write_text(json.dumps({"selection": sel.report(), "seconds": {"encode": encode_s, "fit": fit_s},
                                       "model": model_id, "out": str(out)}, indent=2))
