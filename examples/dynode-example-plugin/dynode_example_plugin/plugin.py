"""The entry point dynode loads (setup.cfg: ``dynode = example = dynode_example_plugin.plugin``)."""
from dynode_plugin import Lazy, hookimpl


@hookimpl
def dynode_register_hosts(register):
    # Lazy: dynode imports host.py (and torch) only when this host is chosen
    register(Lazy("example-shift", "dynode_example_plugin.host:ShiftHost", "example plugin: [N, 4] latents, a constant shift"))
