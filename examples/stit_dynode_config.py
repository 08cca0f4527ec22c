"""DynODE settings for STIT: copy this file into your STIT checkout as configs/dynode_config.py.

    dynode stit install-hook                 # once per environment (see docs/stit.md)
    cp examples/stit_dynode_config.py ~/STIT/configs/dynode_config.py
    cd ~/STIT && python edit_video.py -i frames/ -o out/ -r my_run -en age -er -2 2 2

STIT's scripts never read these names themselves: the startup hook reads them when STIT
imports its LatentEditor (they can also go into configs/hyperparameters.py; this file wins).
Run this file to check the values below and see what they resolve to:

    python examples/stit_dynode_config.py
"""

use_dynode = True              # the switch: frame 0 edited by STIT's own code, the edit propagated

dynode_model = "ode"           # ode | linear | spline
dynode_mode = "offset"         # offset | flow | reintegrate (StyleCLIP global edits: offset only)
dynode_steps = None            # ODE fit steps (None: the library default, ~20 s on a 2-core CPU)
dynode_seed = None
dynode_straightness = None     # path-energy penalty of the ODE fit (None: the library default, 0.1; 0 = off)
dynode_model_path = None       # None: <checkpoints_dir>/model_<run>.dynode, fitted once, then reused
dynode_refit = False           # True: ignore a saved model
# Every dynamics setting is a name too (dynode_<field> of ODEConfig: dynode_subspace_dim, dynode_lr, ...;
# `dynode stit edit --help` lists them with their defaults).

dynode_compat = None           # None: the compat fixes are on exactly when use_dynode is on
# dynode_compat_torch_load = True   # torch >= 2.6: load model_<run>.pt with weights_only=False
# dynode_compat_cpu = True          # no GPU: .cuda() no-ops, CPU loads, fp32 synthesis blocks
# dynode_compat_pillow = True       # Pillow >= 10: PIL.Image.ANTIALIAS -> LANCZOS


if __name__ == "__main__":
    import sys

    from dynode_adapters.stit.settings import make_settings, values_of

    settings = make_settings(values_of(sys.modules[__name__]))  # raises on a misspelt name or a bad value
    for field, value in vars(settings).items():
        print(f"{field:<26} {value!r}")
    print("compat fixes:", ", ".join(f"{w}={settings.compat(w)}" for w in ("torch_load", "cpu", "pillow")))
