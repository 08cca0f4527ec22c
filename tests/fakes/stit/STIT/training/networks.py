"""Fake of STIT's training/networks.py: StyleGAN2-ADA's Generator layout, tiny.

Synthesis blocks b4..b1024 as in the 1024 px FFHQ model (18 W+ rows, 26 style vectors:
conv0/conv1/torgb affines), 8 channels, spatial size capped at 32 px. Blocks from 128 px
up are fp16 unless ``force_fp32`` (StyleGAN2-ADA's num_fp16_res=4), like the real one.
"""
import torch
from torch.nn import functional as F

CHANNELS = 8
MAX_SIZE = 32


class FullyConnectedLayer(torch.nn.Module):
    def __init__(self, in_features, out_features, bias_init=0):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn([out_features, in_features]) / in_features ** 0.5)
        self.bias = torch.nn.Parameter(torch.full([out_features], float(bias_init)))

    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype), self.bias.to(x.dtype))


class SynthesisLayer(torch.nn.Module):
    def __init__(self, in_channels, out_channels, w_dim, resolution, up=1):
        super().__init__()
        self.affine = FullyConnectedLayer(w_dim, in_channels, bias_init=1)
        self.weight = torch.nn.Parameter(torch.randn([out_channels, in_channels, 3, 3]) * 0.3)
        self.up = up

    def forward(self, x, w, style_input=False, noise_mode='random', **_):
        styles = w if style_input else self.affine(w)
        if self.up > 1 and x.shape[-1] < MAX_SIZE:
            x = F.interpolate(x, scale_factor=2, mode='nearest')
        x = x * styles.to(x.dtype)[:, :, None, None]
        return F.leaky_relu(F.conv2d(x, self.weight.to(x.dtype), padding=1), 0.2)


class ToRGBLayer(torch.nn.Module):
    def __init__(self, in_channels, out_channels, w_dim):
        super().__init__()
        self.affine = FullyConnectedLayer(w_dim, in_channels, bias_init=1)
        self.weight = torch.nn.Parameter(torch.randn([out_channels, in_channels, 1, 1]) * 0.3)

    def forward(self, x, w, style_input=False, **_):
        styles = w if style_input else self.affine(w)
        return F.conv2d(x * styles.to(x.dtype)[:, :, None, None], self.weight.to(x.dtype))


class SynthesisBlock(torch.nn.Module):
    def __init__(self, in_channels, out_channels, w_dim, resolution, img_channels, is_last, use_fp16=False):
        super().__init__()
        self.resolution = resolution
        self.use_fp16 = use_fp16
        self.num_conv = 0
        self.num_torgb = 1
        self.last_dtype = None  # what the last forward computed in (tests read it)
        if in_channels == 0:
            self.const = torch.nn.Parameter(torch.randn([out_channels, 4, 4]))
        else:
            self.conv0 = SynthesisLayer(in_channels, out_channels, w_dim, resolution, up=2)
            self.num_conv += 1
        self.conv1 = SynthesisLayer(out_channels, out_channels, w_dim, resolution)
        self.num_conv += 1
        self.torgb = ToRGBLayer(out_channels, img_channels, w_dim)

    def forward(self, x, img, ws, style_input=False, force_fp32=False, fused_modconv=None, **layer_kwargs):
        dtype = torch.float16 if self.use_fp16 and not force_fp32 else torch.float32
        self.last_dtype = dtype
        i = 0
        if x is None:
            x = self.const.to(dtype)[None].repeat(len(ws[0]) if style_input else len(ws), 1, 1, 1)
        else:
            x = self.conv0(x.to(dtype), ws[i] if style_input else ws[:, i], style_input=style_input, **layer_kwargs)
            i += 1
        x = self.conv1(x, ws[i] if style_input else ws[:, i], style_input=style_input, **layer_kwargs)
        i += 1
        y = self.torgb(x, ws[i] if style_input else ws[:, i], style_input=style_input).to(torch.float32)
        if img is not None:
            img = F.interpolate(img, size=y.shape[-2:], mode='bilinear', align_corners=False) if img.shape[-1] != y.shape[-1] else img
            y = y + img
        return x, y


class SynthesisNetwork(torch.nn.Module):
    def __init__(self, w_dim, img_resolution, img_channels, num_fp16_res=4):
        super().__init__()
        self.w_dim = w_dim
        self.img_resolution = img_resolution
        self.block_resolutions = [2 ** i for i in range(2, img_resolution.bit_length())]
        fp16_resolution = max(2 ** (img_resolution.bit_length() - num_fp16_res), 8)
        self.num_ws = 0
        for res in self.block_resolutions:
            block = SynthesisBlock(CHANNELS if res > 4 else 0, CHANNELS, w_dim, res, img_channels,
                                   is_last=res == img_resolution, use_fp16=res >= fp16_resolution)
            self.num_ws += block.num_conv
            setattr(self, f'b{res}', block)
        self.num_ws += 1  # the last torgb

    def forward(self, ws, style_input=False, **block_kwargs):
        x = img = None
        if not style_input:
            assert ws.shape[1:] == (self.num_ws, self.w_dim), ws.shape
            ws = ws.to(torch.float32)
            w_idx = 0
            for res in self.block_resolutions:
                block = getattr(self, f'b{res}')
                x, img = block(x, img, ws.narrow(1, w_idx, block.num_conv + block.num_torgb), **block_kwargs)
                w_idx += block.num_conv
        else:
            styles = [s.to(torch.float32) for s in ws]
            s_idx = 0
            for res in self.block_resolutions:
                block = getattr(self, f'b{res}')
                n = block.num_conv + block.num_torgb
                x, img = block(x, img, styles[s_idx:s_idx + n], style_input=True, **block_kwargs)
                s_idx += n
        return torch.tanh(img)


class MappingNetwork(torch.nn.Module):
    def __init__(self, z_dim, w_dim, num_ws):
        super().__init__()
        self.num_ws = num_ws
        self.fc = FullyConnectedLayer(z_dim, w_dim)

    def forward(self, z, c=None, **_):
        return self.fc(z)[:, None].repeat(1, self.num_ws, 1)


class Generator(torch.nn.Module):
    def __init__(self, z_dim, c_dim, w_dim, img_resolution, img_channels, mapping_kwargs={}, synthesis_kwargs={}):
        super().__init__()
        # STIT's persistence decorator records these; load_from_pkl_model rebuilds from them
        self.init_args = (z_dim, c_dim, w_dim, img_resolution, img_channels)
        self.init_kwargs = dict(mapping_kwargs=mapping_kwargs, synthesis_kwargs=synthesis_kwargs)
        self.z_dim, self.c_dim, self.w_dim = z_dim, c_dim, w_dim
        self.img_resolution, self.img_channels = img_resolution, img_channels
        self.synthesis = SynthesisNetwork(w_dim, img_resolution, img_channels, **synthesis_kwargs)
        self.num_ws = self.synthesis.num_ws
        self.mapping = MappingNetwork(z_dim, w_dim, self.num_ws, **mapping_kwargs)

    def forward(self, z, c, truncation_psi=1, truncation_cutoff=None, **synthesis_kwargs):
        return self.synthesis(self.mapping(z, c), **synthesis_kwargs)
