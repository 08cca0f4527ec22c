"""The ``dynode`` command line: a click group that plugins extend.

Core commands (``fit``, ``interpolate``, ``propagate``, ``plugins``) live in
:mod:`dynode_plugin.core_commands`; hosts, metrics, the demo and batch add theirs
through the ``dynode_register_commands`` hook. Input errors become one line on
stderr and exit code 2, never a traceback.
"""
from __future__ import annotations

import sys

import click

from . import __version__
from .errors import DynodeInputError, HostError


class DynodeGroup(click.Group):
    """A click group whose commands report :class:`DynodeInputError` as usage errors (exit 2)
    and :class:`HostError` as one line (exit 1)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DynodeInputError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(2)
        except click.UsageError as exc:  # a bad option value: one line naming it, not the usage text
            where = exc.ctx.command_path if exc.ctx is not None else ctx.command_path
            click.echo(f"Error: {exc.format_message()} (see `{where} --help`)", err=True)
            ctx.exit(exc.exit_code)
        except HostError as exc:
            import os

            if os.environ.get("DYNODE_DEBUG"):
                raise
            click.echo(f"Error: {exc} (set DYNODE_DEBUG=1 for the host's traceback)", err=True)
            ctx.exit(1)

    def group(self, *args, **kwargs):  # subgroups inherit the error handling
        kwargs.setdefault("cls", DynodeGroup)
        return super().group(*args, **kwargs)


@click.group(cls=DynodeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dynode")
def cli() -> None:
    """DynODE: fit a latent trajectory, edit frame 0 only, carry the edit to every frame.

    Latent files are [N, *shape] tensors (N frames; [N, 18, 512] for StyleGAN2 W+)
    in .pt/.pth/.npy, or folders of per-frame files. Times are in the model's unit:
    frame indices mapped to [0, 1] unless you give --times.
    """


_loaded = False


def build_cli() -> click.Group:
    """Attach every plugin's commands to the group (once)."""
    global _loaded
    if not _loaded:
        from .plugins import get_registry

        get_registry().add_commands(cli)
        _loaded = True
    return cli


def _one_line_warnings() -> None:
    """Plugin warnings on the CLI: one line on stderr, not a source excerpt."""
    import warnings

    from .plugins import PluginWarning

    default = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, PluginWarning):
            click.echo(f"warning: {message}", err=True)
        else:
            default(message, category, filename, lineno, file, line)

    warnings.showwarning = show


def main(argv=None) -> None:
    from .atomic import install_signal_cleanup

    install_signal_cleanup()  # SIGTERM/SIGINT remove our temp files
    _one_line_warnings()
    build_cli()
    cli.main(args=argv, prog_name="dynode")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
