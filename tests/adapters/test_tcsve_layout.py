"""Reading TCSVE's per-frame PTI latents: order, gaps, shapes, meta_data."""
import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes" / "tcsve"))
import tcsve_builders as B  # noqa: E402

from dynode_adapters.tcsve import layout  # noqa: E402
from dynode_plugin.errors import DynodeInputError  # noqa: E402


def _latents(n, seed=0):
    return torch.randn(n, 18, 512, generator=torch.Generator().manual_seed(seed))


def test_reads_frames_in_host_order_and_maps_to_cpu(tmp_path):
    z = _latents(12)
    folder = B.write_run(tmp_path, "vid", z)
    got = layout.read_frame_latents(folder)
    assert got.names == B.frame_names(12) and got.numbers == list(range(12))
    assert got.latents.dtype == torch.float32 and got.latents.shape == (12, 18, 512)
    assert torch.equal(got.latents, z) and bool(got.observed.all()) and got.missing == []


def test_gap_in_numbering_is_refused_with_the_missing_numbers(tmp_path):
    names = [n for n in B.frame_names(10) if n not in ("frame0003", "frame0007")]
    folder = B.write_run(tmp_path, "vid", _latents(8), names)
    with pytest.raises(DynodeInputError, match=r"2 frame\(s\) missing .*missing: 3, 7.*--fill-gaps"):
        layout.read_frame_latents(folder)


def test_fill_gaps_marks_missing_frames_unobserved(tmp_path):
    z = _latents(10)
    keep = [i for i in range(10) if i not in (0, 6)]
    folder = B.write_run(tmp_path, "vid", z[keep], [f"frame{i:04d}" for i in keep])
    got = layout.read_frame_latents(folder, allow_gaps=True)
    # the listing starts at the first present frame: frame0000 is not known to exist
    assert got.numbers == list(range(1, 10)) and got.missing == [6]
    assert torch.isnan(got.latents[5]).all() and torch.equal(got.latents[got.observed], z[keep])


def test_aligned_names_define_the_video_and_missing_latents_are_named(tmp_path):
    names = B.frame_names(6)
    folder = B.write_run(tmp_path, "vid", _latents(5), names[:2] + names[3:])
    with pytest.raises(DynodeInputError, match=r"1 frame\(s\) have no 0.pt .*frame0002"):
        layout.read_frame_latents(folder, names=names)
    got = layout.read_frame_latents(folder, names=names, allow_gaps=True)
    assert got.numbers == list(range(6)) and got.missing == [2]


def test_aligned_names_may_skip_numbers_and_keep_them_as_times(tmp_path):
    names = ["frame0000", "frame0001", "frame0004", "frame0005"]  # no face found in frames 2-3
    z = _latents(4)
    folder = B.write_run(tmp_path, "vid", z, names)
    got = layout.read_frame_latents(folder, names=names)
    assert got.numbers == [0, 1, 4, 5] and torch.equal(got.latents, z)


def test_unpadded_names_are_refused_because_the_host_sorts_strings(tmp_path):
    folder = B.write_run(tmp_path, "vid", _latents(11), [f"frame{i}" for i in range(11)])
    with pytest.raises(DynodeInputError, match="not zero-padded"):
        layout.read_frame_latents(folder)


def test_mismatched_shapes_name_the_file(tmp_path):
    folder = B.write_run(tmp_path, "vid", _latents(4))
    torch.save(torch.zeros(1, 14, 512), folder / "frame0002" / "0.pt")  # a 512px-generator latent
    with pytest.raises(DynodeInputError, match=r"frame0002.*\[1, 14, 512\]"):
        layout.read_frame_latents(folder)


def test_not_a_tensor_and_missing_folder(tmp_path):
    folder = B.write_run(tmp_path, "vid", _latents(3))
    torch.save({"w": torch.zeros(1, 18, 512)}, folder / "frame0001" / "0.pt")
    with pytest.raises(DynodeInputError, match="holds a dict"):
        layout.read_frame_latents(folder)
    with pytest.raises(DynodeInputError, match="embeddings folder not found"):
        layout.read_frame_latents(tmp_path / "nope")


def test_frame_names_from_aligned_images_use_the_stem(tmp_path):
    aligned = B.write_aligned(tmp_path / "a.b" / "aligned", B.frame_names(3))  # a dot in a parent folder
    assert layout.frame_names_from_images(aligned) == B.frame_names(3)


def test_meta_data_is_read_from_the_checkout_without_importing_it(tmp_path):
    assert layout.read_meta_data(B.FAKE_ROOT) == {"eyeglasses": ["eyeglasses", False, False, True, 0.15]}
    assert layout.read_meta_data(tmp_path) == {}
