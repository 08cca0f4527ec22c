"""A procedural robot-arm world (in the spirit of Isaac3D), rendered with soft distance fields.

Factors of variation per frame: two joint angles, object colour and shape (0 = disc,
1 = box, blended), background colour, lighting, camera height. Motions are smooth and
curved (sums of sines with random phases), deterministic from a seed. 64x64 RGB in [0, 1].
Everything is vectorised over frames, so thousands of frames render in about a second.
"""
from __future__ import annotations

import math
from typing import Dict

import torch

SIZE = 64
OBJECT_X, OBJECT_ABOVE_TABLE, OBJECT_R = 0.72, 0.09, 0.085  # the object's centre x, height above the table, radius
OBJECT_STRIP = (slice(24, 56), slice(32, 60))  # rows, cols of a 64x64 frame around the object, for any camera height
FACTORS = ("theta1", "theta2", "obj_r", "obj_g", "obj_b", "shape", "bg_r", "bg_g", "bg_b", "light", "cam")


def _soft(d: torch.Tensor, px: float) -> torch.Tensor:
    """Antialiased inside-ness of a signed distance (in pixels)."""
    return torch.sigmoid(-d / px)


def _segment_dist(x, y, ax, ay, bx, by):
    px, py = x - ax, y - ay
    dx, dy = bx - ax, by - ay
    h = ((px * dx + py * dy) / (dx * dx + dy * dy).clamp_min(1e-9)).clamp(0, 1)
    return torch.sqrt((px - h * dx) ** 2 + (py - h * dy) ** 2)


def render(f: Dict[str, torch.Tensor], size: int = SIZE) -> torch.Tensor:
    """Render frames from factor tensors of shape [N] -> [N, 3, size, size] in [0, 1]."""
    n = f["theta1"].shape[0]
    lin = (torch.arange(size, dtype=torch.float32) + 0.5) / size
    y, x = torch.meshgrid(lin, lin, indexing="ij")
    x, y = x[None], y[None]
    px = 1.0 / size
    col = lambda k: f[k].reshape(n, 1, 1)  # noqa: E731
    cam = col("cam")  # camera height shifts the whole scene vertically
    bg = torch.stack([col("bg_r"), col("bg_g"), col("bg_b")], 1) * (0.75 + 0.25 * (1 - y))[:, None]
    img = bg.expand(n, 3, size, size).clone()
    table_top = 0.72 + cam
    table = _soft(table_top - y, px)
    img = img * (1 - table[:, None]) + torch.tensor([0.45, 0.32, 0.2]).reshape(1, 3, 1, 1) * table[:, None]
    # the arm: base on the table, two links
    bx, by = torch.full((n, 1, 1), 0.3), table_top
    l1, l2 = 0.28, 0.22
    jx, jy = bx + l1 * torch.cos(col("theta1")), by - l1 * torch.sin(col("theta1"))
    ex, ey = jx + l2 * torch.cos(col("theta1") + col("theta2")), jy - l2 * torch.sin(col("theta1") + col("theta2"))
    arm = torch.maximum(_soft(_segment_dist(x, y, bx, by, jx, jy) - 0.035, px), _soft(_segment_dist(x, y, jx, jy, ex, ey) - 0.028, px))
    img = img * (1 - arm[:, None]) + torch.tensor([0.85, 0.85, 0.9]).reshape(1, 3, 1, 1) * arm[:, None]
    # the object on the table: disc/box blend
    ox, oy, r = OBJECT_X, table_top - OBJECT_ABOVE_TABLE, OBJECT_R
    disc = torch.sqrt((x - ox) ** 2 + (y - oy) ** 2) - r
    box = torch.maximum((x - ox).abs(), (y - oy).abs()) - r * 0.9
    shape = col("shape")
    obj = _soft(disc * (1 - shape) + box * shape, px)
    ocol = torch.stack([col("obj_r"), col("obj_g"), col("obj_b")], 1)
    img = img * (1 - obj[:, None]) + ocol * obj[:, None]
    return (img * col("light")[:, None]).clamp(0, 1)


def object_region(f: Dict[str, torch.Tensor], size: int = SIZE, margin: float = 0.05) -> torch.Tensor:
    """Bool mask ``[N, 1, size, size]``: a square around the object (its radius + ``margin``).

    Where reconstruction quality matters for the edits (colour, shape) and where a whole-frame
    score hides errors: the object covers ~2% of the frame.
    """
    lin = (torch.arange(size, dtype=torch.float32) + 0.5) / size
    y, x = torch.meshgrid(lin, lin, indexing="ij")
    oy = (0.72 + f["cam"]).reshape(-1, 1, 1) - OBJECT_ABOVE_TABLE
    half = OBJECT_R + margin
    return (((x[None] - OBJECT_X).abs() <= half) & ((y[None] - oy).abs() <= half))[:, None]


def shape_pixels(f: Dict[str, torch.Tensor], size: int = SIZE, threshold: float = 0.02) -> torch.Tensor:
    """Bool mask ``[N, 1, size, size]``: the pixels where the scene drawn with a box and with a disc differ
    (the box's corners and the disc's rim, ~20 pixels): the only pixels that carry the object's shape."""
    box, disc = render({**f, "shape": torch.ones_like(f["shape"])}, size), render({**f, "shape": torch.zeros_like(f["shape"])}, size)
    return ((box - disc).abs().amax(1, keepdim=True) > threshold)


def random_factors(n: int, gen: torch.Generator) -> Dict[str, torch.Tensor]:
    """Independent random scenes (training data for the generator)."""
    u = lambda lo, hi: lo + (hi - lo) * torch.rand(n, generator=gen)  # noqa: E731
    return {"theta1": u(0.3, 2.4), "theta2": u(-1.8, 1.2), "obj_r": u(0.05, 1), "obj_g": u(0.05, 1), "obj_b": u(0.05, 1),
            "shape": (torch.rand(n, generator=gen) > 0.5).float(), "bg_r": u(0.1, 0.9), "bg_g": u(0.1, 0.9), "bg_b": u(0.1, 0.9),
            "light": u(0.65, 1.1), "cam": u(-0.08, 0.08)}


def clip_factors(n: int, seed: int = 0) -> Dict[str, torch.Tensor]:
    """A smooth, curved motion: the arm swings, the camera bobs, the light drifts; appearance fixed."""
    gen = torch.Generator().manual_seed(seed)
    t = torch.linspace(0, 1, n)
    s = random_factors(1, gen)
    ph = torch.rand(4, generator=gen) * 2 * math.pi
    f = {k: v.expand(n).clone() for k, v in s.items()}
    f["theta1"] = 1.35 + 0.7 * torch.sin(2 * math.pi * 0.8 * t + ph[0]) + 0.15 * torch.sin(2 * math.pi * 2.1 * t + ph[1])
    f["theta2"] = -0.3 + 0.8 * torch.sin(2 * math.pi * 1.1 * t + ph[2])
    f["cam"] = 0.05 * torch.sin(2 * math.pi * 0.6 * t + ph[3])
    f["light"] = 0.9 + 0.08 * torch.sin(2 * math.pi * 0.5 * t)
    return f


def render_clip(n: int = 32, seed: int = 0) -> torch.Tensor:
    return render(clip_factors(n, seed))
