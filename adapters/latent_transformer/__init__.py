"""Latent Transformer adapter (github.com/InterDigitalInc/latent-transformer), installed as
``dynode_adapters.latent_transformer``.

Modules: ``layout`` (checkout layout, attribute list, latents folder), ``compat`` (scoped
NumPy/PyYAML/torchvision fixes), ``host_imports`` (importing the user's checkout with CPU
ops; attribute models and generator), ``editing`` (the LT edit per frame vs DynODE),
``render`` (frame%04d.jpg), ``host`` (the ``latent-transformer`` host), ``cli`` (``dynode lt``).
"""
