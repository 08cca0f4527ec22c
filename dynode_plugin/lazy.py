"""``torch`` imported on first use, for modules the command line loads before it checks its input.

Why: ``import torch`` costs 1.5-5 s (more under load), and a bad path or option must answer in
well under a second (issue 17). A host class is loaded to learn its command-line options before
anything is parsed, so the modules on that path (``hosts``, the host modules) use this stand-in:
``from dynode_plugin.lazy import torch`` behaves like ``import torch`` once an attribute is read.
"""
from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        module = importlib.import_module(self._name)
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name}>"


torch: Any = LazyModule("torch")
