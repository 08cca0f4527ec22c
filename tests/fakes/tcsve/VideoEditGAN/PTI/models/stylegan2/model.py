"""Our test double (our own code) of VideoEditGAN's PTI/models/stylegan2/model.py (the car-domain
generator): only imported by the coaches."""
from .op import FusedLeakyReLU, fused_leaky_relu, upfirdn2d  # noqa: F401  (fails without CUDA, like the real one)


class Generator:  # never built for the ffhq domain
    pass
