"""STIT ("Stitch it in Time", github.com/rotemtzaban/STIT) adapter.

Two ways in, one patch: STIT's own scripts pick DynODE up from STIT's configs
(``use_dynode = True``) through a startup import hook (``dynode stit install-hook``), or
``dynode stit edit`` runs them with the patch applied. See docs/stit.md.

Kept import-free: the startup hook imports this package in every Python process.
"""
