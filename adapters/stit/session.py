"""One STIT run's DynODE state, in one object passed along (no module globals).

The import hook's finder holds a :class:`StitSession`; the patches it applies to STIT's modules
close over it. It carries what a run needs between STIT's calls: the settings overrides of
``dynode stit edit`` (which win over STIT's config files), the run name STIT loaded, the fitted
models (a script asks for several edits of one run), the compat fixes applied, and the report
of the latest edit step. On STIT's config-flag path (``use_dynode = True``, no ``dynode``
command around it) the session announces each DynODE edit step with one line on stderr.
"""
from __future__ import annotations

import dataclasses
import sys
from typing import Any, Dict, Optional

from .compat import Fixes
from .settings import StitSettings, check_values, read_settings


@dataclasses.dataclass
class StitSession:
    overrides: Dict[str, Any] = dataclasses.field(default_factory=dict)
    announce: bool = True  # one summary line per edit step on stderr (the config-flag path)
    run: Optional[str] = None  # the run name STIT loaded (recorded by the models_utils patch)
    models: Dict[tuple, Any] = dataclasses.field(default_factory=dict)
    fixes: Fixes = dataclasses.field(default_factory=Fixes)
    report: Dict[str, Any] = dataclasses.field(default_factory=dict)  # the latest edit step

    def __post_init__(self) -> None:
        self.overrides = check_values(self.overrides, "dynode stit edit")

    def settings(self) -> StitSettings:
        """The settings in force now (STIT's configs are read at call time; a script may change them)."""
        return read_settings(self.overrides)

    def summary(self) -> str:
        """One line: method, model file fitted or reused (with seconds), mode, fixes."""
        r = self.report
        if r.get("method") != "dynode":
            return f"dynode: STIT's own per-frame edits ({r.get('edit_step_seconds', 0.0):.2f} s)"
        how = f"fitted in {r['fit_seconds']:.1f} s, saved to" if r.get("fitted") else "reused from"
        fixes = ", ".join(self.fixes.applied) or "none"
        return (f"dynode: DynODE edit of run {self.run or '?'} ({r.get('model')}, mode {r.get('mode')}): model {how} "
                f"{r.get('model_file')}; edit step {r.get('edit_step_seconds', 0.0):.2f} s; compat fixes: {fixes}")

    def finish_step(self) -> None:
        if self.announce and self.report.get("method") == "dynode":
            print(self.summary(), file=sys.stderr, flush=True)

    def close(self) -> None:
        """Undo the compat fixes (``dynode stit edit`` runs STIT in-process, then cleans up)."""
        self.fixes.undo_all()
