"""Our test double of StyleCLIP's ``op/upfirdn2d.py`` (only its name is imported by the model module; the
mapper never calls it)."""
import torch.nn.functional as F


def upfirdn2d(input, kernel, up=1, down=1, pad=(0, 0)):
    if up > 1:
        input = F.interpolate(input, scale_factor=up, mode="nearest")
    input = F.pad(input, [pad[0], pad[1], pad[0], pad[1]])
    k = kernel.flip(0, 1)[None, None].to(input).expand(input.shape[1], 1, *kernel.shape)
    out = F.conv2d(input, k, groups=input.shape[1])
    return out[:, :, ::down, ::down]
