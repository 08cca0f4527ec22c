"""Default plugin: the ``dynode stit`` commands (STIT is driven through its own scripts, so no Host class).

Discovery imports nothing heavy: the command module imports torch and the checkout only
inside command bodies.
"""
from dynode_plugin.plugins import Lazy, hookimpl


@hookimpl
def dynode_register_commands(cli):
    from .cli import group

    cli.add_command(group)


@hookimpl
def dynode_register_doctors(register):
    register(Lazy("stit", "dynode_adapters.stit.doctor:StitDoctor", "dynode doctor --host stit: environment and checkout checks"))
