import numpy as np
import pytest
import torch

from dynode_plugin import load_latents, save_latents
from dynode_plugin.errors import DynodeInputError


def test_pt_tensor_dict_and_npy_round_trip(tmp_path):
    z = torch.randn(5, 18, 512)
    torch.save({"pivots": z, "quads": [np.zeros((4, 2))] * 5}, tmp_path / "model_run.pt")
    assert torch.equal(load_latents(tmp_path / "model_run.pt"), z)
    save_latents(z, tmp_path / "a.pt")
    save_latents(z, tmp_path / "a.npy")
    assert torch.equal(load_latents(tmp_path / "a.pt"), z)
    assert torch.equal(load_latents(tmp_path / "a.npy"), z)
    torch.save({"latents": z.unsqueeze(1).double()}, tmp_path / "b.pth")  # (N, 1, 18, 512) float64 from a GPU run
    out = load_latents(tmp_path / "b.pth")
    assert out.shape == (5, 18, 512) and out.dtype == torch.float32


def test_per_frame_folders_latent_transformer_and_pti(tmp_path):
    z = torch.randn(12, 18, 512)
    lt = tmp_path / "lt"
    lt.mkdir()
    for i in range(12):  # natural order: 2 before 10
        np.save(lt / f"latent_code_{i:05d}.npy", z[i : i + 1].numpy())
    assert torch.equal(load_latents(lt), z)
    pti = tmp_path / "PTI"
    for i in range(12):
        (pti / str(i)).mkdir(parents=True)
        torch.save(z[i : i + 1], pti / str(i) / "0.pt")
    assert torch.equal(load_latents(pti), z)


def test_bad_latent_files(tmp_path):
    with pytest.raises(DynodeInputError, match="not found"):
        load_latents(tmp_path / "nope.pt")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DynodeInputError, match="no per-frame latent files"):
        load_latents(tmp_path / "empty")
    torch.save({"generator": 1}, tmp_path / "x.pt")
    with pytest.raises(DynodeInputError, match="expected a tensor under one of"):
        load_latents(tmp_path / "x.pt")
    (tmp_path / "z.txt").write_text("1 2 3")
    with pytest.raises(DynodeInputError, match="unsupported latent file type"):
        load_latents(tmp_path / "z.txt")
    (tmp_path / "junk.pt").write_bytes(b"not a torch file")
    with pytest.raises(DynodeInputError, match="cannot read"):
        load_latents(tmp_path / "junk.pt")
    with pytest.raises(DynodeInputError, match="cannot write"):
        save_latents(torch.zeros(2, 3), tmp_path / "out.csv")
