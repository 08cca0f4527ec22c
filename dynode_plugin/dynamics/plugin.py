"""Default plugin: the dynamics models (the neural ODE and the two baselines)."""
from ..plugins import Lazy, hookimpl


@hookimpl
def dynode_register_dynamics(register):
    register(Lazy("ode", "dynode_plugin.dynamics.model:DynamicsModel", "neural ODE dz/dt = f(z, t) in the clip's motion subspace (DynODE)"))
    register(Lazy("linear", "dynode_plugin.dynamics.baselines:LinearDynamics", "piecewise-linear interpolation baseline"))
    register(Lazy("spline", "dynode_plugin.dynamics.baselines:SplineDynamics", "natural cubic spline baseline (scipy)"))
