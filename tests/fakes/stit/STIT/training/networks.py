"""Our test double of STIT's ``training/networks.py`` (StyleGAN2-ADA's generator); no STIT code.

What it reproduces, because the adapter and the tests rely on it: ``Generator(z_dim, c_dim, w_dim,
img_resolution, img_channels, ...)`` with ``.mapping`` and ``.synthesis``; synthesis blocks named
``b4`` .. ``b<img_resolution>`` (at 1024 px: 18 W+ rows and 26 style vectors, from the ``affine`` of
each block's ``conv0``/``conv1``/``torgb``); ``SynthesisBlock.forward(..., force_fp32=...)`` running the
four highest resolutions in fp16 unless ``force_fp32`` (what the adapter's cpu fix overrides); and
``style_input=True`` synthesis from a list of 26 style tensors. Tiny and randomly initialised:
8 channels per layer, images never larger than 32 px.
"""
import torch
from torch import nn
from torch.nn import functional as F

WIDTH = 8  # channels of every layer
CAP = 32  # the image stops growing at CAP x CAP (a 1024 px layout, computed small)


def style_affine(w_dim, channels):
    """W -> one style vector; the bias starts at 1 so a random W does not wash the image out."""
    layer = nn.Linear(w_dim, channels)
    nn.init.normal_(layer.weight, std=w_dim ** -0.5)
    nn.init.ones_(layer.bias)
    return layer


class SynthesisLayer(nn.Module):
    """A 3x3 convolution modulated by its style (upsampling 2x first when ``up``)."""

    def __init__(self, in_channels, out_channels, w_dim, resolution, up=1):
        super().__init__()
        self.affine = style_affine(w_dim, in_channels)
        self.kernel = nn.Parameter(0.3 * torch.randn(out_channels, in_channels, 3, 3))
        self.grow = up > 1

    def forward(self, x, w, style_input=False, noise_mode='random', **unused):
        s = w if style_input else self.affine(w)
        if self.grow and x.shape[-1] < CAP:
            x = F.interpolate(x, scale_factor=2.0, mode='nearest')
        y = F.conv2d(x * s.to(x.dtype)[..., None, None], self.kernel.to(x.dtype), padding=1)
        return F.leaky_relu(y, 0.2)


class ToRGBLayer(nn.Module):
    def __init__(self, in_channels, out_channels, w_dim):
        super().__init__()
        self.affine = style_affine(w_dim, in_channels)
        self.kernel = nn.Parameter(0.3 * torch.randn(out_channels, in_channels, 1, 1))

    def forward(self, x, w, style_input=False, **unused):
        s = w if style_input else self.affine(w)
        return F.conv2d(x * s.to(x.dtype)[..., None, None], self.kernel.to(x.dtype))


class SynthesisBlock(nn.Module):
    """One resolution: [conv0 (upsampling; not in the first block)], conv1, torgb.

    ``ws`` is [B, n, w_dim] (W+ rows, the torgb row shared with the next block) or, with
    ``style_input``, a list of n style tensors. ``last_dtype`` records the precision of the
    last call (the tests read it)."""

    def __init__(self, in_channels, out_channels, w_dim, resolution, img_channels, is_last, use_fp16=False):
        super().__init__()
        self.resolution, self.use_fp16, self.last_dtype = resolution, use_fp16, None
        self.first = in_channels == 0
        if self.first:
            self.const = nn.Parameter(torch.randn(out_channels, 4, 4))
        else:
            self.conv0 = SynthesisLayer(in_channels, out_channels, w_dim, resolution, up=2)
        self.conv1 = SynthesisLayer(out_channels, out_channels, w_dim, resolution)
        self.torgb = ToRGBLayer(out_channels, img_channels, w_dim)
        self.num_conv = 1 if self.first else 2
        self.num_torgb = 1

    def forward(self, x, img, ws, style_input=False, force_fp32=False, fused_modconv=None, **layer_kwargs):
        half = self.use_fp16 and not force_fp32
        self.last_dtype = torch.float16 if half else torch.float32
        rows = list(ws) if style_input else list(ws.unbind(1))  # conv0?, conv1, torgb
        batch = len(rows[0])
        if self.first:
            x = self.const.to(self.last_dtype).expand(batch, -1, -1, -1)
        else:
            x = self.conv0(x.to(self.last_dtype), rows.pop(0), style_input=style_input, **layer_kwargs)
        x = self.conv1(x, rows[0], style_input=style_input, **layer_kwargs)
        rgb = self.torgb(x, rows[1], style_input=style_input).float()
        if img is not None:
            rgb = rgb + (img if img.shape[-1] == rgb.shape[-1] else F.interpolate(img, size=rgb.shape[-2:], mode='bilinear'))
        return x, rgb


class SynthesisNetwork(nn.Module):
    def __init__(self, w_dim, img_resolution, img_channels, num_fp16_res=4):
        super().__init__()
        self.w_dim, self.img_resolution = w_dim, img_resolution
        steps = img_resolution.bit_length() - 1  # log2(resolution)
        self.block_resolutions = [1 << k for k in range(2, steps + 1)]
        lowest_fp16 = max(1 << (steps + 1 - num_fp16_res), 8)
        for r in self.block_resolutions:
            self.add_module(f'b{r}', SynthesisBlock(0 if r == 4 else WIDTH, WIDTH, w_dim, r, img_channels,
                                                    is_last=r == img_resolution, use_fp16=r >= lowest_fp16))
        self.num_ws = 2 * len(self.block_resolutions)  # one conv in b4, two in every other block, + the last torgb

    def forward(self, ws, style_input=False, **block_kwargs):
        blocks = list(self.children())
        if style_input:  # 26 style tensors, consumed block by block
            styles, chunks = [s.float() for s in ws], []
            for b in blocks:
                chunks.append(styles[:b.num_conv + 1])
                styles = styles[b.num_conv + 1:]
        else:
            if tuple(ws.shape[1:]) != (self.num_ws, self.w_dim):
                raise ValueError(f'expected W+ of shape [B, {self.num_ws}, {self.w_dim}], got {list(ws.shape)}')
            ws, start, chunks = ws.float(), 0, []
            for b in blocks:  # each block reads its conv rows and the next row (its torgb)
                chunks.append(ws[:, start:start + b.num_conv + 1])
                start += b.num_conv
        x = img = None
        for b, chunk in zip(blocks, chunks):
            x, img = b(x, img, chunk, style_input=style_input, **block_kwargs)
        return torch.tanh(img)


class MappingNetwork(nn.Module):
    def __init__(self, z_dim, w_dim, num_ws):
        super().__init__()
        self.num_ws = num_ws
        self.linear = nn.Linear(z_dim, w_dim)

    def forward(self, z, c=None, **unused):
        return self.linear(z).unsqueeze(1).expand(-1, self.num_ws, -1)


class Generator(nn.Module):
    def __init__(self, z_dim, c_dim, w_dim, img_resolution, img_channels, mapping_kwargs={}, synthesis_kwargs={}):
        super().__init__()
        # what STIT's persistence decorator keeps: load_from_pkl_model builds a fresh copy from them
        self.init_args = (z_dim, c_dim, w_dim, img_resolution, img_channels)
        self.init_kwargs = {'mapping_kwargs': mapping_kwargs, 'synthesis_kwargs': synthesis_kwargs}
        self.z_dim, self.c_dim, self.w_dim = z_dim, c_dim, w_dim
        self.img_resolution, self.img_channels = img_resolution, img_channels
        self.synthesis = SynthesisNetwork(w_dim, img_resolution, img_channels, **synthesis_kwargs)
        self.num_ws = self.synthesis.num_ws
        self.mapping = MappingNetwork(z_dim, w_dim, self.num_ws, **mapping_kwargs)

    def forward(self, z, c, truncation_psi=1, truncation_cutoff=None, **synthesis_kwargs):
        return self.synthesis(self.mapping(z, c), **synthesis_kwargs)
