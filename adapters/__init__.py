"""Host adapters (installed as ``dynode_adapters``): STIT, Latent Transformer, TCSVE.

Each adapter is a default plugin that registers its host and its CLI group. No host
code is shipped: it is imported from the user's own checkout at run time.
"""
