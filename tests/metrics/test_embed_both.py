"""Source and edited videos embedded at once in two threads (``evaluate.embed_both``): the same numbers
as one after the other, the work really split between the encoder and its fork, errors surfaced."""
import pytest
import torch
import torch.nn.functional as F

pytest.importorskip("dlib")


def moving_face(n=6):
    """A real face (scikit-image's astronaut) drifting and shrinking across ``n`` uint8 frames."""
    skimage_data = pytest.importorskip("skimage.data")
    a = torch.from_numpy(skimage_data.astronaut()).permute(2, 0, 1)[None].float() / 255
    frames = []
    for i in range(n):
        s = F.interpolate(a, scale_factor=0.8 - 0.03 * i, mode="bilinear", antialias=True)
        x, y = 20 + 6 * i, 30 + 3 * i
        frames.append(F.pad(s, (x, 512 - x - s.shape[3], y, 512 - y - s.shape[2])))
    return (torch.cat(frames) * 255 + 0.5).to(torch.uint8)


IDS = ["tl-id", "tg-id", "identity-preservation", "acd"]


def test_concurrent_scores_equal_sequential_and_both_encoders_work():
    from dynode_plugin.metrics.enc_dlib import DlibEncoder
    from dynode_plugin.metrics.evaluate import score_pair

    src = moving_face()
    edt = (src.float() * torch.tensor([0.8, 1.0, 1.0])[None, :, None, None]).round().to(torch.uint8)
    seq = score_pair(src, edt, IDS, DlibEncoder(), concurrent=False)
    enc = DlibEncoder()
    forks = []
    real_fork = enc.fork

    def counting_fork():
        forks.append(real_fork())
        return forks[-1]

    enc.fork = counting_fork
    par = score_pair(src, edt, IDS, enc, concurrent=True)
    assert {m: par[m]["value"] for m in IDS} == {m: seq[m]["value"] for m in IDS}
    assert par["tl-id"]["value"] > 0.9
    # one fork embedded the edited video (6 frames), the encoder itself the source (6 frames)
    assert len(forks) == 1
    assert forks[0].finder.shortcuts + forks[0].finder.full_scans == 6
    assert enc.finder.shortcuts + enc.finder.full_scans == 6
    assert forks[0].net() is enc.net()  # the network is shared, not loaded twice
    # a second pair (as in a set of videos) reuses the one fork: no second landmark-model read
    again = score_pair(src, edt, IDS, enc, concurrent=True)
    assert len(forks) == 2 and forks[1] is forks[0]
    assert {m: again[m]["value"] for m in IDS} == {m: seq[m]["value"] for m in IDS}


def test_a_fork_error_is_raised_not_swallowed():
    from dynode_plugin.metrics.enc_dlib import DlibEncoder
    from dynode_plugin.metrics.evaluate import score_pair

    class Broken(DlibEncoder):
        def fork(self):
            other = super().fork()

            def boom(frames):
                raise RuntimeError("worker failed")

            other.embed = boom
            return other

    src = moving_face(3)
    with pytest.raises(RuntimeError, match="worker failed"):
        score_pair(src, src, ["tl-id"], Broken(), concurrent=True)


def test_encoders_that_cannot_fork_and_source_free_metrics_stay_sequential():
    from dynode_plugin.metrics.base import Encoder

    assert Encoder().fork() is None  # the default: not safe to share across threads
    from dynode_plugin.metrics.enc_dlib import DlibEncoder
    from dynode_plugin.metrics.evaluate import score_pair

    enc = DlibEncoder()
    calls = []
    real_fork = enc.fork
    enc.fork = lambda: calls.append(1) or real_fork()
    src = moving_face(3)
    score_pair(src, src, ["acd"], enc, concurrent=True)  # ACD reads the edited video only: nothing to overlap
    assert calls == []
