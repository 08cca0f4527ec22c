"""Video / frame-folder IO: round trips, natural order, fps, atomic writes, clear errors."""
import numpy as np
import pytest
import torch

from dynode_plugin.errors import DynodeInputError
from dynode_plugin.video import hstack_videos, read_frames, write_video

iio = pytest.importorskip("imageio.v3")


def smooth_clip(n=6, h=32, w=48):
    """Gradients that move with the frame index: survive lossy codecs, and every frame differs."""
    y, x = torch.meshgrid(torch.linspace(0, 1, h), torch.linspace(0, 1, w), indexing="ij")
    return torch.stack([torch.stack([(x + 0.1 * t) % 1, y, 0.5 + 0.4 * torch.sin(x * 3 + t) * y]) for t in range(n)]).float()


def test_png_folder_round_trip_is_exact_and_named_by_pattern(tmp_path):
    clip = smooth_clip()
    write_video(clip, tmp_path / "frames")
    assert sorted(p.name for p in (tmp_path / "frames").iterdir()) == [f"frame{i:04d}.png" for i in range(6)]
    back, fps = read_frames(tmp_path / "frames")
    assert fps == 25.0 and back.dtype == torch.float32 and back.shape == clip.shape
    assert torch.allclose(back, clip, atol=0.5 / 255 + 1e-6)  # 8-bit rounding only
    write_video(clip[:3], str(tmp_path / "custom") + "/", pattern="img_%d.png")
    assert sorted(p.name for p in (tmp_path / "custom").iterdir()) == ["img_0.png", "img_1.png", "img_2.png"]


def test_folder_frames_are_read_in_natural_order(tmp_path):
    d = tmp_path / "nat"
    d.mkdir()
    for i in (10, 2, 1, 33):  # written out of order; "frame10" sorts before "frame2" as plain text
        iio.imwrite(d / f"frame{i}.png", np.full((8, 8, 3), i, dtype=np.uint8))
    frames, _ = read_frames(d)
    assert [round(float(f[0, 0, 0]) * 255) for f in frames] == [1, 2, 10, 33]
    assert read_frames(d, max_frames=2)[0].shape[0] == 2


def test_grey_rgba_and_16_bit_images_become_rgb_in_unit_range(tmp_path):
    d = tmp_path / "mixed"
    d.mkdir()
    iio.imwrite(d / "a0.png", np.full((8, 8), 51, dtype=np.uint8))
    iio.imwrite(d / "a1.png", np.dstack([np.full((8, 8, 3), 102, np.uint8), np.zeros((8, 8), np.uint8)]))
    iio.imwrite(d / "a2.png", np.full((8, 8), 65535, dtype=np.uint16))  # 16-bit grey
    frames, _ = read_frames(d)
    assert frames.shape == (3, 3, 8, 8)
    assert torch.allclose(frames[:, :, 0, 0], torch.tensor([[0.2] * 3, [0.4] * 3, [1.0] * 3]), atol=1e-6)


def test_mp4_round_trip_keeps_fps_and_pads_odd_sizes(tmp_path):
    clip = smooth_clip(n=8, h=32, w=48)
    write_video(clip, tmp_path / "a.mp4", fps=12)
    back, fps = read_frames(tmp_path / "a.mp4")
    assert fps == pytest.approx(12.0) and back.shape == clip.shape
    assert float((back - clip).abs().mean()) < 0.03  # lossy h264, yet the same pictures
    odd = smooth_clip(n=3, h=31, w=45)
    write_video(odd, tmp_path / "odd.mp4")
    back, _ = read_frames(tmp_path / "odd.mp4")
    assert back.shape == (3, 3, 32, 46)
    assert float((back[:, :, :31, :45] - odd).abs().mean()) < 0.03


def test_gif_round_trip(tmp_path):
    clip = smooth_clip(n=4)
    write_video(clip, tmp_path / "a.gif", fps=10)
    back, fps = read_frames(tmp_path / "a.gif")
    assert back.shape == clip.shape and fps == pytest.approx(10.0)
    assert float((back - clip).abs().mean()) < 0.05  # 256-colour palette


def test_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    import imageio.v3

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imageio.v3, "imwrite", boom)
    with pytest.raises(RuntimeError):
        write_video(smooth_clip(n=2), tmp_path / "x.gif")
    with pytest.raises(RuntimeError):
        write_video(smooth_clip(n=2), tmp_path / "folder")
    assert list(tmp_path.iterdir()) == []


def test_bad_inputs_raise_clear_errors(tmp_path):
    with pytest.raises(DynodeInputError, match="not found"):
        read_frames(tmp_path / "missing.mp4")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DynodeInputError, match="no image frames"):
        read_frames(tmp_path / "empty")
    d = tmp_path / "sizes"
    d.mkdir()
    iio.imwrite(d / "f0.png", np.zeros((8, 8, 3), np.uint8))
    iio.imwrite(d / "f1.png", np.zeros((8, 10, 3), np.uint8))
    with pytest.raises(DynodeInputError, match="frame 1 .* is 10x8 but frame 0 is 8x8"):
        read_frames(d)
    (tmp_path / "broken.mp4").write_bytes(b"not a video at all")
    with pytest.raises(DynodeInputError, match="cannot read video"):
        read_frames(tmp_path / "broken.mp4")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "f0.png").write_bytes(b"garbage")
    with pytest.raises(DynodeInputError, match="cannot read frame"):
        read_frames(tmp_path / "c")
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(DynodeInputError, match="unsupported video type"):
        read_frames(tmp_path / "a.txt")
    with pytest.raises(DynodeInputError, match=r"\[N, 3, H, W\]"):
        write_video(torch.rand(2, 32, 32), tmp_path / "o.mp4")
    with pytest.raises(DynodeInputError, match="cannot write video to '.xyz'"):
        write_video(torch.rand(2, 3, 8, 8), tmp_path / "o.xyz")


def test_hstack_pads_to_the_tallest_and_labels_on_top():
    a, b = torch.rand(5, 3, 20, 30), torch.rand(4, 3, 16, 10)
    s = hstack_videos([a, b])
    assert s.shape == (4, 3, 20, 30 + 2 + 10)
    assert torch.equal(s[:, :, :, :30], a[:4]) and torch.equal(s[:, :, :16, 32:], b)
    assert float(s[:, :, 16:, 32:].abs().max()) == 0.0 and float(s[:, :, :, 30:32].min()) == 1.0
    lab = hstack_videos([a, b], labels=["source", "edited"])
    bar = lab.shape[2] - 20
    assert bar >= 12 and torch.equal(lab[:, :, bar:, :30], a[:4])
    assert float(lab[:, :, :bar, :30].min()) < 0.5  # some dark text pixels in the white bar
    with pytest.raises(DynodeInputError, match="2 labels for 1 clips"):
        hstack_videos([a], labels=["x", "y"])


def test_glob_selects_some_images_of_a_folder_like_stits_output_frames(tmp_path):
    d = tmp_path / "frames" / "age" / "2.0"  # STIT --output_frames: source_, inversion_, edit_ images together
    d.mkdir(parents=True)
    for i in (0, 1, 10, 2):
        for kind, value in (("source", 10), ("inversion", 20), ("edit", 30)):
            iio.imwrite(d / f"{kind}_{i:04d}.jpeg" if kind != "edit" else d / f"{kind}_{i}.png",
                        np.full((8, 8, 3), value + i, dtype=np.uint8))
    edits, _ = read_frames(d / "edit_*.png")
    assert [round(float(f[0, 0, 0]) * 255) for f in edits] == [30, 31, 32, 40]  # natural order: 0, 1, 2, 10
    sources, _ = read_frames(str(d / "source_*.jpeg"))
    assert sources.shape == (4, 3, 8, 8)
    with pytest.raises(DynodeInputError, match=r"no image frames .* match .*nothing_\*\.png"):
        read_frames(d / "nothing_*.png")


def test_to_uint8_gives_the_values_of_the_plain_formula_as_one_contiguous_array():
    from dynode_plugin.video import to_uint8

    g = torch.Generator().manual_seed(0)
    frames = torch.rand(3, 3, 37, 53, generator=g) * 1.4 - 0.2  # out-of-range values are clipped
    frames[0, :, :2, :2] = torch.tensor([0.0, 1.0, 0.5 / 255, 254.5 / 255]).view(2, 2)  # exact ends and half steps
    plain = (frames.clamp(0, 1) * 255 + 0.5).to(torch.uint8).permute(0, 2, 3, 1).numpy()
    for given in (frames, frames.double(), frames.transpose(2, 3).contiguous().transpose(2, 3)):  # dtype, strides
        out = to_uint8(given)
        assert out.dtype == np.uint8 and out.flags.c_contiguous and out.shape == (3, 37, 53, 3)
        assert np.array_equal(out, plain)
    decoded = torch.randint(0, 256, (2, 3, 8, 8), generator=g, dtype=torch.uint8)
    assert np.array_equal(to_uint8(decoded.float() / 255), decoded.permute(0, 2, 3, 1).numpy())  # a decode round trip is exact
