"""Default plugin: the ``dynode batch`` command."""
from ..plugins import hookimpl


@hookimpl
def dynode_register_commands(cli):
    from .cli import batch_cmd

    cli.add_command(batch_cmd)
