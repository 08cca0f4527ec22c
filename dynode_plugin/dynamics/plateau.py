"""Loss-plateau stop: end a fit when its training loss has stopped improving (issue 17).

Why blocks: one step's loss depends on which windows it drew, so single losses are noisy. The
loss is averaged over consecutive blocks of ``patience`` steps; the fit stops at the end of the
first block whose mean is not at least ``min_improvement`` (relative) below the best earlier
block's. Why only after the curriculum: while the windows grow from 1 gap to ``window`` gaps the
loss rises by design, and a comparison across lengths would say nothing about convergence.
A loss term that switches on later than the curriculum's end (an unobserved-frame loss with a late
``start``) raises the loss the same way and would end the fit there: use ``plateau_patience=0`` with it.
"""
from __future__ import annotations

import math


class PlateauStop:
    """``update(step, loss)`` after every step; True when the fit should stop there.

    patience: steps per block (0 = never stop early). min_improvement: relative drop of the block
    mean below the best earlier block that counts as progress. start: first step that is watched
    (the end of the curriculum).
    """

    def __init__(self, patience: int, min_improvement: float, start: int = 0):
        self.patience, self.min_improvement, self.start = patience, min_improvement, start
        self.best = math.inf
        self.block: list = []
        self.stopped_at = None  # the step count at which the plateau was found (None: ran to the end)

    def update(self, step: int, loss: float) -> bool:
        if self.patience <= 0 or step < self.start:
            return False
        self.block.append(loss)
        if len(self.block) < self.patience:
            return False
        mean = sum(self.block) / len(self.block)
        self.block = []
        if not math.isfinite(mean):  # a diverging fit is not "converged"; the caller's steps bound it
            return False
        if mean < self.best * (1 - self.min_improvement):
            self.best = mean
            return False
        self.stopped_at = step + 1
        return True
