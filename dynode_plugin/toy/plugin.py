"""Default plugin: the embedded toy world (host, encoder) and the `edit` / `demo` commands."""
from ..plugins import Lazy, hookimpl


@hookimpl
def dynode_register_hosts(register):
    register(Lazy("toy", "dynode_plugin.toy.host:ToyHost", "embedded robot-arm world (no downloads, CPU)"))


@hookimpl
def dynode_register_encoders(register):
    register(Lazy("toy-appearance", "dynode_plugin.toy.host:ToyAppearanceEncoder", "toy world appearance encoder"))
    register(Lazy("toy-attributes", "dynode_plugin.toy.attributes:ToyAttributeRegressor", "toy world attribute regressor (colour, lighting, background, shape)"))


@hookimpl
def dynode_register_commands(cli):
    from ..edit_commands import demo_cmd, edit_cmd

    cli.add_command(edit_cmd)
    cli.add_command(demo_cmd)
