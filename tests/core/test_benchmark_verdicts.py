"""benchmarks/fit_speed.py's per-clip verdict: means over fit seeds, Welch standard error, better/equal/worse."""
import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
fit_speed = pytest.importorskip("fit_speed")


def rows(clip, old, new, seed=0):
    return [dict(clip=clip, every=8, seed=seed, fit_seed=i, old_heldout=o, new_heldout=n) for i, (o, n) in enumerate(zip(old, new))]


def test_verdicts_from_means_and_standard_errors():
    table = (rows("better", [1.0, 1.2, 1.1], [1.0, 1.1, 1.0])
             + rows("equal", [1.0, 1.2, 1.1], [1.1, 1.2, 1.2])  # +0.067 against a standard error of 0.0816
             + rows("worse", [1.0, 1.01, 1.02], [1.10, 1.11, 1.12])
             + [dict(clip="dense", every=1, seed=0, fit_seed=0, old_heldout=None, new_heldout=None)])
    out = {v["clip"]: v for v in fit_speed.clip_verdicts(table)}
    assert set(out) == {"better", "equal", "worse"}  # no held-out frames: no verdict
    eq = out["equal"]
    assert eq["fit_seeds"] == 3
    assert eq["old_heldout"] == pytest.approx(1.1) and eq["new_heldout"] == pytest.approx(3.5 / 3)
    se = math.sqrt((0.01 + 0.01 / 3) / 3)  # sample variances 0.01 and 0.00333, three seeds each
    assert eq["diff_in_se"] == pytest.approx((3.5 / 3 - 1.1) / se)
    assert eq["heldout_ratio"] == pytest.approx((3.5 / 3) / 1.1)
    assert [out[k]["verdict"] for k in ("better", "equal", "worse")] == ["better", "equal", "worse"]
    assert out["worse"]["diff_in_se"] == pytest.approx(0.1 / math.sqrt(2 * 0.0001 / 3))


def test_one_fit_seed_cannot_call_a_worse_clip_equal():
    out = fit_speed.clip_verdicts(rows("one", [1.0], [1.001]))
    assert out[0]["diff_in_se"] is None and out[0]["verdict"] == "worse"
    assert fit_speed.clip_verdicts(rows("one", [1.0], [0.999]))[0]["verdict"] == "better"


def test_dense_scaling_is_the_ratio_of_means_over_seeds():
    def row(n, wall, cpu):
        return dict(clip=f"synthetic N={n}", every=1, new_wall_s=wall, new_cpu_s=cpu)

    table = [row(64, 2.0, 1.0), row(64, 4.0, 3.0), row(256, 3.0, 2.0), row(256, 5.0, 4.0),
             dict(clip="synthetic N=256", every=8, new_wall_s=100.0, new_cpu_s=100.0)]  # sparse: not counted
    assert fit_speed.dense_scaling(table) == (pytest.approx(4.0 / 3.0), pytest.approx(3.0 / 2.0))
    assert fit_speed.dense_scaling(table[:2]) == (None, None)
