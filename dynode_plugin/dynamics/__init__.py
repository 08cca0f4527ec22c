"""Dynamics models: the neural ODE (:class:`DynamicsModel`) and the baselines, one API.

Modules: ``config`` (settings), ``subspace`` (PCA motion subspace), ``vector_field``
(the MLP f(z, t)), ``solver`` (torchdiffeq glue), ``fitting`` (training loop and
report), ``model`` (DynamicsModel), ``baselines`` (linear, spline), ``io`` (.dynode files).
"""
