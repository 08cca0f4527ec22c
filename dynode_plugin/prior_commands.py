"""Default plugin: ``dynode prior train``, a motion prior learned across clips (docs/prior.md)."""
from __future__ import annotations

import dataclasses

import click

from . import cli_types as T
from .cli import DynodeGroup
from .outputs import check_output_file, force_option
from .plugins import hookimpl

SUFFIXES = (".dynode-prior",)


@click.group("prior", cls=DynodeGroup)
def prior_group():
    """Motion priors: a vector field and coordinate system learned across many clips of one domain,
    which `--prior FILE` on `fit`, `edit` and the host commands starts a new clip's fit from."""


@prior_group.command("train")
@click.argument("clips", nargs=-1, required=True, type=T.LATENTS_IN)
@click.option("--out", "-o", required=True, type=T.OUT, help="Where to write the prior (.dynode-prior).")
@click.option("--subspace-dim", type=click.IntRange(1, 4096), default=16, show_default=True,
              help="Size of the domain's PCA coordinate system (fewer than the clips' frames).")
@click.option("--hidden", type=click.IntRange(1, 8192), default=128, show_default=True, help="Width of the field's MLP.")
@click.option("--depth", type=click.IntRange(0, 64), default=2, show_default=True, help="Repeating modules of the MLP.")
@click.option("--steps", type=T.STEPS, default=None, help="Training steps (default: PriorTraining.steps).")
@click.option("--context", type=click.IntRange(0, 4096), default=None, help="Size of each clip's learned code (0 = none; default: PriorTraining.context).")
@click.option("--max-gap", type=click.IntRange(1, 10_000), default=None, help="Largest gap between a window's observations, in frames.")
@click.option("--fit-steps", type=T.STEPS, default=None, help="Steps a new clip's fit takes with this prior (recorded in it).")
@click.option("--seed", type=T.SEED, default=0, show_default=True)
@force_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def train_cmd(clips, out, subspace_dim, hidden, depth, steps, context, max_gap, fit_steps, seed, force, quiet):
    """Train a motion prior on CLIPS (latent files or per-frame folders, one clip each: any host's
    inversions of many videos of one domain) and write it to --out.

    \b
    Example:  dynode prior train inversions/*.pt --out faces.dynode-prior
              dynode fit new_clip.pt --observe-every 8 --prior faces.dynode-prior --out new.dynode
    """
    check_output_file(out, "--out", list(clips), force, suffixes=SUFFIXES)
    from .dynamics.config import ODEConfig
    from .dynamics.prior_training import PriorTraining, train_prior
    from .latent_io import load_latents

    given = {k: v for k, v in dict(steps=steps, context=context, max_gap=max_gap, fit_steps=fit_steps).items() if v is not None}
    training = dataclasses.replace(PriorTraining(), seed=seed, **given)
    latents = [load_latents(c) for c in clips]
    prior = train_prior(latents, ODEConfig(subspace_dim=subspace_dim, hidden=hidden, depth=depth), training, progress=not quiet)
    prior.save(out)
    r = prior.report
    click.echo(f"trained on {r['clips']} clips ({r['frames']} frames): {r['steps']} steps in {r['seconds']:.1f} s, "
               f"loss {r['loss_first']:.4g} -> {r['loss_final']:.4g}")
    click.echo(f"wrote {out}")


@hookimpl
def dynode_register_commands(cli):
    cli.add_command(prior_group)
