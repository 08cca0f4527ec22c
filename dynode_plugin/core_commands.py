"""Default plugin: the core commands ``fit``, ``interpolate``, ``propagate``, ``plugins``."""
from __future__ import annotations

import json

import click

from . import cli_types as T
from .dynamics.settings import fit_options, mode_option
from .errors import DynodeInputError
from .outputs import check_output_file, force_option
from .plugins import hookimpl

LATENT_OUT = (".pt", ".pth", ".npy")

SHAPES = "Latent files are [N, *shape] (N frames, e.g. [N, 18, 512] StyleGAN2 W+): .pt/.pth (tensor or dict with 'pivots'/'latents'/'w'), .npy, or a folder of per-frame files."


def _parse_times(spec):
    """Times from a ``--times`` value or a manifest's ``times`` cell: 1-D float64 numpy, checked
    (files load with weights_only=True, see :mod:`.latent_io`)."""
    if spec is None:
        return None
    from .cli_types import TIMES, TimesSpec
    from .errors import DynodeInputError

    if not isinstance(spec, TimesSpec):
        try:
            spec = TIMES.convert(spec, None, None)
        except click.BadParameter as exc:
            raise DynodeInputError(f"times '{str(spec)[:80]}': {exc.format_message()}") from None
    return spec.values()


@click.command("fit")
@click.argument("latents", type=T.LATENTS_IN)
@click.option("--out", "-o", required=True, type=T.OUT, help="Where to write the fitted model (.dynode).")
@click.option("--times", type=T.TIMES, default=None, help="Frame times: a .npy/.pt/.txt file or 'a,b,c'. Default: frame indices mapped to [0, 1].")
@click.option("--observe-every", type=T.OBSERVE_EVERY, default=1, show_default=True, help="Use only every K-th frame (and the last) as observed.")
@click.option("--report-json", type=T.OUT, default=None, help="Also write the fit report as JSON.")
@force_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@fit_options
def fit_cmd(latents, out, model_id, times, observe_every, report_json, force, quiet, **settings):
    """Fit a latent trajectory to LATENTS and save it to --out.

    \b
    Latent files are [N, *shape] (N frames, e.g. [N, 18, 512] StyleGAN2 W+):
    .pt/.pth (tensor or dict with 'pivots'/'latents'/'w'), .npy, or a folder
    of per-frame files (latent_code_%05d.npy, <frame>/0.pt).
    """
    from .plugins import get_registry

    inputs = [latents, times.file if times is not None else None]
    check_output_file(out, "--out", inputs, force, suffixes=(".dynode",))
    if report_json:
        check_output_file(report_json, "--report-json", inputs + [out], force, suffixes=(".json",))
    get_registry().get("dynamics", model_id)  # an unknown id fails here, before torch
    import torch

    from .atomic import atomic_path
    from .latent_io import load_latents

    z = load_latents(latents)
    mask = torch.zeros(len(z), dtype=torch.bool)
    mask[::observe_every] = True
    mask[-1] = True
    from .dynamics.settings import fit_or_load, given

    model, _, _ = fit_or_load(z, model_id, given(settings), out, times=None if times is None else times.values(), mask=mask,
                              refit=True, progress=not quiet)
    click.echo(str(model.report))
    click.echo(f"wrote {out}")
    if report_json:
        with atomic_path(report_json) as tmp:
            tmp.write_text(json.dumps(model.report.to_dict(), indent=2))


def _load_model(path):
    from .dynamics.io import load_dynamics

    return load_dynamics(path)


def _query_times(model, fps, times, num):
    import torch

    from .cli_types import check_output_size

    lo, hi = float(model.times[0]), float(model.times[-1])
    if times is not None:
        t = torch.as_tensor(times.values(), dtype=torch.float64)
    elif num is not None:
        t = torch.linspace(lo, hi, num, dtype=torch.float64)
    else:
        n = max(2, int(round((len(model.times) - 1) * (fps or 1.0))) + 1)
        check_output_size(n, model.shape)
        t = torch.linspace(lo, hi, n, dtype=torch.float64)
    check_output_size(len(t), model.shape)
    return t


def _one_of(fps, times, num) -> None:
    if sum(x is not None for x in (fps, times, num)) > 1:
        raise DynodeInputError("give only one of --fps, --times, --num")


@click.command("interpolate")
@click.argument("model_file", type=T.DYNODE_IN)
@click.option("--out", "-o", required=True, type=T.OUT, help="Output latents (.pt or .npy), [T, *shape].")
@click.option("--fps", type=T.FPS, default=None, help="Frame-rate multiplier, e.g. 4x: 4 times as many frames over the same span.")
@click.option("--times", type=T.TIMES, default=None, help="Explicit query times (file or 'a,b,c'), in the model's time unit.")
@click.option("--num", type=T.NUM_FRAMES, default=None, help="Number of evenly spaced frames over the fitted span.")
@force_option
def interpolate_cmd(model_file, out, fps, times, num, force):
    """Latents at any times from a fitted MODEL_FILE (.dynode). Default: the fitted frames' times."""
    _one_of(fps, times, num)
    check_output_file(out, "--out", [model_file, times.file if times else None], force, suffixes=LATENT_OUT)
    from .latent_io import save_latents

    model = _load_model(model_file)
    t = _query_times(model, fps, times, num)
    z = model.predict(t)
    save_latents(z, out)
    click.echo(f"wrote {out}: {list(z.shape)} latents at {len(t)} times in [{float(t.min()):.4g}, {float(t.max()):.4g}]")


@click.command("propagate")
@click.argument("model_file", type=T.DYNODE_IN)
@click.option("--edited-first", required=True, type=T.LATENTS_IN, help="Edited frame-0 latent, [*shape] or [1, *shape].")
@click.option("--out", "-o", required=True, type=T.OUT, help="Output edited latents (.pt or .npy).")
@mode_option
@click.option("--fps", type=T.FPS, default=None, help="Frame-rate multiplier, e.g. 4x.")
@click.option("--times", type=T.TIMES, default=None, help="Explicit output times (file or 'a,b,c').")
@force_option
def propagate_cmd(model_file, edited_first, out, mode, fps, times, force):
    """Carry an edit of frame 0 to every frame (or any times) with a fitted MODEL_FILE."""
    _one_of(fps, times, None)
    check_output_file(out, "--out", [model_file, edited_first, times.file if times else None], force, suffixes=LATENT_OUT)
    from .latent_io import save_latents

    model = _load_model(model_file)
    z0 = load_latents_first(edited_first, model.shape)
    t = None if (fps is None and times is None) else _query_times(model, fps, times, None)
    edited = model.propagate(z0, times=t, mode=mode)
    save_latents(edited, out)
    click.echo(f"wrote {out}: {list(edited.shape)} ({mode} propagation)")


def load_latents_first(path, shape):
    """An edited frame 0 from a file: ``[*shape]`` or ``[1, *shape]`` (weights_only, checked)."""
    from .latent_io import _load_file, check_latent_path

    p = check_latent_path(path)
    if p.is_dir():
        raise DynodeInputError(f"--edited-first {p} is a folder; give the edited frame 0's latent file ([1, {', '.join(map(str, shape))}])")
    z = _load_file(p)
    if not z.is_floating_point() or z.numel() == 0:
        raise DynodeInputError(f"--edited-first {p} holds {z.dtype} of shape {list(z.shape)}; expected floating-point [1, {', '.join(map(str, shape))}]")
    return z.float()


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def plugins_cmd(as_json):
    """List loaded plugins and what they provide (hosts, dynamics, metrics, encoders, doctors)."""
    from .plugins import KINDS, get_registry

    reg = get_registry()
    data = reg.as_dict()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo("plugins: " + ", ".join(data["plugins"]))
    for kind in KINDS:
        click.echo(f"\n{kind}:")
        for e in data[kind]:
            click.echo(f"  {e['id']:<20} {e['summary']}  [{e['plugin']}]")
    if data["failed"]:
        click.echo("\nfailed:")
        for f in data["failed"]:
            click.echo(f"  {f['plugin']} ({f['where']}): {f['error']}")


@hookimpl
def dynode_register_commands(cli):
    for cmd in (fit_cmd, interpolate_cmd, propagate_cmd, plugins_cmd):
        cli.add_command(cmd)
