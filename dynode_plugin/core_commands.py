"""Default plugin: the core commands ``fit``, ``interpolate``, ``propagate``, ``plugins``."""
from __future__ import annotations

import json

import click

from .dynamics.settings import fit_options, mode_option
from .plugins import hookimpl


def _parse_times(spec):
    """Times from a file (.npy/.pt/.txt) or a comma-separated list."""
    if spec is None:
        return None
    from pathlib import Path

    import numpy as np

    from .errors import DynodeInputError

    p = Path(spec)
    if p.exists():
        if p.suffix == ".txt":
            return np.loadtxt(p, dtype=np.float64).reshape(-1)
        from .latent_io import _load_file

        return _load_file(p).reshape(-1).double()
    try:
        return np.array([float(x) for x in spec.split(",") if x.strip()], dtype=np.float64)
    except ValueError:
        raise DynodeInputError(f"--times '{spec}' is neither a file nor a comma-separated list of numbers") from None


@click.command("fit")
@click.argument("latents", type=click.Path())
@click.option("--out", "-o", required=True, type=click.Path(), help="Where to write the fitted model (.dynode).")
@click.option("--times", default=None, help="Frame times: a .npy/.pt/.txt file or 'a,b,c'. Default: frame indices mapped to [0, 1].")
@click.option("--observe-every", type=int, default=1, show_default=True, help="Use only every K-th frame (and the last) as observed.")
@click.option("--report-json", type=click.Path(), default=None, help="Also write the fit report as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@fit_options
def fit_cmd(latents, out, model_id, times, observe_every, report_json, quiet, **settings):
    """Fit a latent trajectory to LATENTS and save it to --out.

    \b
    Latent files are [N, *shape] (N frames, e.g. [N, 18, 512] StyleGAN2 W+):
    .pt/.pth (tensor or dict with 'pivots'/'latents'/'w'), .npy, or a folder
    of per-frame files (latent_code_%05d.npy, <frame>/0.pt).
    """
    import torch

    from .atomic import atomic_path
    from .dynamics.settings import fit_or_load, given
    from .errors import DynodeInputError
    from .latent_io import load_latents

    z = load_latents(latents)
    if observe_every < 1:
        raise DynodeInputError("--observe-every must be >= 1")
    mask = torch.zeros(len(z), dtype=torch.bool)
    mask[::observe_every] = True
    mask[-1] = True
    model, _, _ = fit_or_load(z, model_id, given(settings), out, times=_parse_times(times), mask=mask, refit=True,
                              progress=not quiet)
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

    from .errors import DynodeInputError

    if sum(x is not None for x in (fps, times, num)) > 1:
        raise DynodeInputError("give only one of --fps, --times, --num")
    if times is not None:
        return torch.as_tensor(_parse_times(times))
    lo, hi = float(model.times[0]), float(model.times[-1])
    if num is not None:
        return torch.linspace(lo, hi, num, dtype=torch.float64)
    factor = 1.0
    if fps is not None:
        try:
            factor = float(fps.rstrip("xX"))
        except ValueError:
            raise DynodeInputError(f"--fps must look like '4x' (a frame-rate multiplier); got '{fps}'") from None
        if factor <= 0:
            raise DynodeInputError("--fps multiplier must be positive")
    n = max(2, int(round((len(model.times) - 1) * factor)) + 1)
    return torch.linspace(lo, hi, n, dtype=torch.float64)


@click.command("interpolate")
@click.argument("model_file", type=click.Path())
@click.option("--out", "-o", required=True, type=click.Path(), help="Output latents (.pt or .npy), [T, *shape].")
@click.option("--fps", default=None, help="Frame-rate multiplier, e.g. 4x: 4 times as many frames over the same span.")
@click.option("--times", default=None, help="Explicit query times (file or 'a,b,c'), in the model's time unit.")
@click.option("--num", type=int, default=None, help="Number of evenly spaced frames over the fitted span.")
def interpolate_cmd(model_file, out, fps, times, num):
    """Latents at any times from a fitted MODEL_FILE (.dynode). Default: the fitted frames' times."""
    from .latent_io import save_latents

    model = _load_model(model_file)
    t = _query_times(model, fps, times, num)
    z = model.predict(t)
    save_latents(z, out)
    click.echo(f"wrote {out}: {list(z.shape)} latents at {len(t)} times in [{float(t.min()):.4g}, {float(t.max()):.4g}]")


@click.command("propagate")
@click.argument("model_file", type=click.Path())
@click.option("--edited-first", required=True, type=click.Path(), help="Edited frame-0 latent, [*shape] or [1, *shape].")
@click.option("--out", "-o", required=True, type=click.Path(), help="Output edited latents (.pt or .npy).")
@mode_option
@click.option("--fps", default=None, help="Frame-rate multiplier, e.g. 4x.")
@click.option("--times", default=None, help="Explicit output times (file or 'a,b,c').")
def propagate_cmd(model_file, edited_first, out, mode, fps, times):
    """Carry an edit of frame 0 to every frame (or any times) with a fitted MODEL_FILE."""
    from .latent_io import load_latents, save_latents

    model = _load_model(model_file)
    z0 = load_latents(edited_first) if len(model.shape) > 0 else None
    if z0.ndim == len(model.shape):  # a single frame saved without its frame axis
        z0 = z0[None]
    t = None if (fps is None and times is None) else _query_times(model, fps, times, None)
    edited = model.propagate(z0, times=t, mode=mode)
    save_latents(edited, out)
    click.echo(f"wrote {out}: {list(edited.shape)} ({mode} propagation)")


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def plugins_cmd(as_json):
    """List loaded plugins and what they provide (hosts, dynamics, metrics, encoders)."""
    from .plugins import get_registry

    reg = get_registry()
    data = reg.as_dict()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo("plugins: " + ", ".join(data["plugins"]))
    for kind in ("hosts", "dynamics", "metrics", "encoders"):
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
