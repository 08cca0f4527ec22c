"""Metric math against known answers and reference implementations."""
import math

import numpy as np
import pytest
import torch

from dynode_plugin.errors import DynodeInputError
from dynode_plugin.metrics.base import Embeddings
from dynode_plugin.metrics.frame import mse, ssim
from dynode_plugin.metrics.frechet import RunningStats, frechet_distance
from dynode_plugin.metrics.identity import acd, acd_source, tg_id, tl_id


def unit(angle):
    return [math.cos(angle), math.sin(angle)]


def test_tl_and_tg_id_are_means_of_per_pair_ratios():
    # source: angles 0, 0.1, 0.3 ; edited: angles 0, 0.2, 0.3 (cosines known exactly)
    src = torch.tensor([unit(0), unit(0.1), unit(0.3)], dtype=torch.float64)
    edt = torch.tensor([unit(0), unit(0.2), unit(0.3)], dtype=torch.float64) * 5  # scale must not matter
    tl = tl_id(src, edt).value
    assert tl == pytest.approx((math.cos(0.2) / math.cos(0.1) + math.cos(0.1) / math.cos(0.2)) / 2, abs=1e-12)
    tg = tg_id(src, edt).value
    expect = (math.cos(0.2) / math.cos(0.1) + math.cos(0.3) / math.cos(0.3) + math.cos(0.1) / math.cos(0.2)) / 3
    assert tg == pytest.approx(expect, abs=1e-12)
    assert tg > 1.0  # values above 1 are possible with per-pair ratios


def test_missing_faces_are_skipped_and_counted_or_raise():
    v = torch.tensor([unit(0), unit(0.1), unit(0.2), unit(0.3)], dtype=torch.float64)
    found = torch.tensor([True, False, True, True])
    src = Embeddings(v, found)
    edt = Embeddings(v.clone(), torch.ones(4, dtype=torch.bool))
    s = tl_id(src, edt)
    assert s.value == pytest.approx(1.0) and s.pairs_used == 1 and s.pairs_skipped_no_face == 2 and s.missing_faces_source == [1]
    with pytest.raises(DynodeInputError, match="no face found in source frame\\(s\\) \\[1\\]"):
        tl_id(src, edt, on_missing="error")


def test_tiny_denominators_are_skipped():
    src = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], dtype=torch.float64)  # orthogonal neighbours
    edt = torch.tensor([[1.0, 0.0], [1.0, 1.0], [1.0, 0.0]], dtype=torch.float64)
    s = tl_id(src, edt)
    assert s.value is None and s.pairs_skipped_small_denominator == 2


def test_acd_mocogan_and_source_variant():
    e = torch.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 8.0]], dtype=torch.float64)
    # pairwise distances 5, 8, 5 -> mean 6
    assert acd(e).value == pytest.approx(6.0)
    s = torch.zeros(3, 2, dtype=torch.float64)
    assert acd_source(e, s).value == pytest.approx((0 + 5 + 8) / 3)


def test_frame_count_mismatch_is_refused():
    with pytest.raises(DynodeInputError, match="source has 3 frames but edited has 2"):
        tl_id(torch.randn(3, 4), torch.randn(2, 4))


def test_frechet_distance_matches_a_direct_scipy_computation():
    from scipy import linalg

    rng = np.random.default_rng(0)
    a = rng.normal(size=(500, 8))
    b = rng.normal(size=(400, 8)) @ rng.normal(size=(8, 8)) * 0.5 + 1.0
    mu1, s1, mu2, s2 = a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False)
    ref = ((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * linalg.sqrtm(s1 @ s2).real)
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(ref, rel=1e-6)
    assert frechet_distance(mu1, s1, mu1, s1) == pytest.approx(0.0, abs=1e-6)
    # streaming statistics equal the batch ones
    st = RunningStats(8)
    for chunk in np.array_split(a, 7):
        st.update(chunk)
    assert np.allclose(st.mean, mu1) and np.allclose(st.cov, s1)


def test_ssim_matches_scikit_image_and_mse_is_exact():
    from skimage.metrics import structural_similarity

    g = torch.Generator().manual_seed(0)
    a = torch.rand(2, 3, 40, 48, generator=g)
    b = (a + 0.1 * torch.randn(2, 3, 40, 48, generator=g)).clamp(0, 1)
    ours = ssim(a, b)
    for i in range(2):
        ref = structural_similarity(a[i].permute(1, 2, 0).numpy(), b[i].permute(1, 2, 0).numpy(), gaussian_weights=True, sigma=1.5,
                                    use_sample_covariance=False, data_range=1.0, channel_axis=2)
        assert float(ours[i]) == pytest.approx(ref, abs=1e-4)
    assert torch.allclose(mse(a, a + 0.5), torch.full((2,), 0.25, dtype=torch.float64))


def test_acd_counts_the_pairs_it_could_not_use():
    v = torch.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 8.0], [1.0, 1.0]], dtype=torch.float64)
    e = Embeddings(v, torch.tensor([True, True, True, False]))
    s = acd(e)
    assert s.value == pytest.approx(6.0) and s.pairs_used == 3 and s.pairs_skipped_no_face == 3 and s.missing_faces_edited == [3]
    with pytest.raises(DynodeInputError, match="no face found in edited frame"):
        acd(e, on_missing="error")


def test_frechet_distance_on_rank_deficient_covariances():
    """Fewer samples than dimensions (a short FVD set): compare with sqrt-eigenvalues of S1 S2."""
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(10, 50)), rng.normal(size=(12, 50)) * 1.5 + 0.2
    mu1, s1, mu2, s2 = a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False)
    ev = np.linalg.eigvals(s1 @ s2)  # real and >= 0 up to round-off: S1 S2 is similar to a PSD matrix
    ref = ((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.sqrt(np.clip(ev.real, 0, None)).sum()
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(ref, rel=1e-6)
    assert frechet_distance(mu1, s1, mu1, s1) == pytest.approx(0.0, abs=1e-8)


def test_ssim_without_scipy_gives_the_same_numbers(monkeypatch):
    import sys

    g = torch.Generator().manual_seed(3)
    a = torch.rand(2, 3, 24, 30, generator=g)
    b = (a + 0.2 * torch.rand(2, 3, 24, 30, generator=g)).clamp(0, 1)
    with_scipy = ssim(a, b)
    monkeypatch.setitem(sys.modules, "scipy", None)  # `from scipy import ndimage` now raises ImportError
    assert torch.allclose(ssim(a, b), with_scipy, atol=1e-12)
    assert float(ssim(a, a).min()) == pytest.approx(1.0)
    with pytest.raises(DynodeInputError, match="at least 11x11"):
        ssim(a[..., :8, :8], b[..., :8, :8])
