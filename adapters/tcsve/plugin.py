"""Default plugin: the TCSVE (VideoEditGAN) host and the ``dynode tcsve`` commands.

Discovery imports nothing heavy: the host class is registered lazily and the command
module imports torch and the user's checkout only inside command bodies.
"""
from dynode_plugin.plugins import Lazy, hookimpl


@hookimpl
def dynode_register_hosts(register):
    register(Lazy("tcsve", "dynode_adapters.tcsve.host:TCSVEHost",
                  "TCSVE / VideoEditGAN: PTI latents, StyleCLIP mapper edits (user's checkout, $DYNODE_TCSVE_ROOT)"))


@hookimpl
def dynode_register_commands(cli):
    from .cli import group

    cli.add_command(group)


@hookimpl
def dynode_register_doctors(register):
    register(Lazy("tcsve", "dynode_adapters.tcsve.doctor:TCSVEDoctor", "dynode doctor --host tcsve: environment and checkout checks"))
