"""Fake CUDA op: the real module builds a CUDA extension at import, which fails on a CPU-only machine."""
raise RuntimeError("fake pSp op: compiling the CUDA extension failed (no CUDA on this machine)")
