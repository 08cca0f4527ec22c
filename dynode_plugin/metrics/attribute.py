"""Attribute strength: how strongly the edited attribute changed, frame by frame.

A regressor on images (an encoder of kind ``"regressor"``, picked by ``--regressor ID``)
predicts attribute values per frame; the strength at frame t is r_a(y_t) - r_a(x_t) for the
chosen attribute a. Reported with the per-frame values and their spread, so that "more
consistent" cannot be won by editing less: compare strength alongside flicker and TL-ID.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

from ..errors import DynodeInputError
from .base import PerVideoMetric


class AttributeStrength(PerVideoMetric):
    id, needs = "attribute-strength", "regressor"
    summary = "attribute strength: per-frame change of the edited attribute, by a regressor on images"
    definition = ("mean over t of r_a(y_t) - r_a(x_t), r_a = the regressor's prediction of attribute a; "
                  "std: spread of the per-frame change over t")

    def __init__(self, encoder=None, attribute: Optional[str] = None):
        if encoder is None:
            raise DynodeInputError("metric 'attribute-strength' needs a regressor (--regressor ID; see `dynode plugins`)")
        names = list(encoder.attributes)
        if attribute is None and len(names) == 1:
            attribute = names[0]
        if attribute not in names:
            raise DynodeInputError(f"regressor '{encoder.id}' predicts {names}; choose the edited one with --attribute NAME"
                                   + (f" ('{attribute}' is not one of them)" if attribute else ""))
        self.attribute, self.index = attribute, names.index(attribute)
        super().__init__(encoder)

    def score(self, source, edited) -> Dict[str, Any]:
        x = source.predictions(self.encoder)[:, self.index].double()
        y = edited.predictions(self.encoder)[:, self.index].double()
        d = y - x
        return {"value": float(d.mean()), "attribute": self.attribute, "std": float(d.std()) if len(d) > 1 else 0.0,
                "source_mean": float(x.mean()), "edited_mean": float(y.mean()), "per_frame": [float(v) for v in d]}
