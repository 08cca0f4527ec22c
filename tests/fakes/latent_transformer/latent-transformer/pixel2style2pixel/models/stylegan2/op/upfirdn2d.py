"""Our test double of pSp's CUDA op module: the real one compiles a CUDA extension at import, which fails on a CPU-only machine; so does this."""
raise RuntimeError("fake pSp op: compiling the CUDA extension failed (no CUDA on this machine)")
