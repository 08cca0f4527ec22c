"""TCSVE (VideoEditGAN) adapter: ``dynode tcsve edit`` replaces the per-frame StyleCLIP step.

Modules: ``layout`` (where the host keeps things, reading per-frame PTI latents),
``host_imports`` (importing the user's checkout, CPU ops), ``mapper`` (the StyleCLIP mapper and
PTI generator through that checkout), ``editing`` (per-frame vs DynODE, writing latents.pth),
``host`` (the ``tcsve`` host), ``cli`` and ``plugin``. See docs/tcsve.md.
"""
