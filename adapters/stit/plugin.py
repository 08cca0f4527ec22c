"""Default plugin: the STIT host (a run's pivots through the host contract) and the ``dynode stit`` commands.

Discovery imports nothing heavy: the host is registered lazily and the command module imports
torch and the checkout only inside command bodies.
"""
from dynode_plugin.plugins import Lazy, hookimpl


@hookimpl
def dynode_register_hosts(register):
    register(Lazy("stit", "dynode_adapters.stit.host:StitHost",
                  "STIT: a run's pivots (model_<run>.pt), InterFaceGAN edits (user's checkout, $DYNODE_STIT_ROOT)"))


@hookimpl
def dynode_register_commands(cli):
    from .cli import group

    cli.add_command(group)


@hookimpl
def dynode_register_doctors(register):
    register(Lazy("stit", "dynode_adapters.stit.doctor:StitDoctor", "dynode doctor --host stit: environment and checkout checks"))
