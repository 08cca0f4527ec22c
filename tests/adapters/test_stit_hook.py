"""The STIT patch against the fake STIT checkout: config flag on/off, kill switch, returned
structures, per-frame edits not computed, model reuse, settings errors."""
import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes" / "stit"))
import stit_builders as B  # noqa: E402

from dynode_adapters.common.checkout import checkout_on_path  # noqa: E402
from dynode_adapters.stit import import_hook, settings  # noqa: E402
from dynode_adapters.stit.runner import HOST_PACKAGES  # noqa: E402
from dynode_adapters.stit.session import StitSession  # noqa: E402
from dynode_plugin.errors import DynodeInputError  # noqa: E402

N = 8


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = B.copy_checkout(tmp_path_factory.mktemp("stit") / "STIT")
    return B.make_run(root, n_frames=N)


@pytest.fixture
def stit(world, monkeypatch):
    """STIT's modules imported through the hook, from the checkout, with given settings."""
    monkeypatch.delenv(import_hook.ENV_SWITCH, raising=False)
    opened, sessions = [], []

    def open_(**overrides):
        overrides.setdefault("dynode_steps", 40)
        overrides.setdefault("dynode_progress", False)
        session = StitSession(overrides=overrides, announce=False, run="demo")
        sessions.append(session)
        import_hook.install(session=session)
        ctx = checkout_on_path(world["root"], HOST_PACKAGES, chdir=True)
        ctx.__enter__()
        opened.append(ctx)
        mods = {name: importlib.import_module(name) for name in ("editings.latent_editor", "utils.edit_utils", "training.networks")}
        mods["latent_editor"] = mods["editings.latent_editor"]
        mods["latent_editor"].CALLS.clear()
        mods["session"] = session
        return mods

    yield open_
    for ctx in opened:
        ctx.__exit__(None, None, None)
    for session in sessions:
        session.close()
    import_hook.uninstall()
    for p in (world["root"] / "checkpoints").glob("*.dynode"):
        p.unlink()


def _pivots(world):
    return world["pivots"].clone()


def test_flag_off_leaves_stit_unchanged(stit, world):
    mods = stit(use_dynode=False, dynode_compat=True)  # compat: STIT calls .cuda() and this machine has no GPU
    le = mods["latent_editor"]
    editor = le.LatentEditor()
    edits, is_style = editor.get_interfacegan_edits(_pivots(world), ("age",), (-2, 2, 3))
    direction = torch.from_numpy(np.load(world["root"] / "editings" / "w_directions" / "age.npy"))[0]
    assert is_style is False and [(n, f) for _, n, f in edits] == [("age", -2.0), ("age", 0.0), ("age", 2.0)]
    torch.testing.assert_close(edits[0][0], _pivots(world) + (-1.0) * direction)  # float64, as STIT returns it  # STIT: w + factor/2 * d, every frame
    assert le.CALLS == [("interfacegan", N)] * 3
    assert not list((world["root"] / "checkpoints").glob("*.dynode"))


def test_flag_on_edits_frame0_only_and_returns_stit_structure(stit, world):
    mods = stit(use_dynode=True)
    le, session = mods["latent_editor"], mods["session"]
    edits, is_style = le.LatentEditor().get_interfacegan_edits(_pivots(world), ("smile", "age"), (-2, 2, 2))
    # STIT's order: direction files in folder order, factors from np.linspace
    assert is_style is False and sorted((n, f) for _, n, f in edits) == [("age", -2.0), ("age", 2.0), ("smile", -2.0), ("smile", 2.0)]
    assert le.CALLS and all(n == 1 for _, n in le.CALLS), le.CALLS  # per-frame edits never computed
    model = session.models[next(iter(session.models))]
    direction = torch.from_numpy(np.load(world["root"] / "editings" / "w_directions" / "age.npy"))[0].float()
    w_age = [w for w, n, f in edits if n == "age" and f == 2.0][0]
    assert w_age.shape == (N, 18, 512) and w_age.dtype == torch.float64  # STIT's: float32 pivots + float64 directions
    # offset mode: the fitted trajectory plus frame 0's edit delta (exactly (2/2) * direction here)
    torch.testing.assert_close(w_age.float(), model.predict() + direction, atol=1e-4, rtol=0)
    torch.testing.assert_close(w_age[0].float(), _pivots(world)[0] + direction, atol=1e-5, rtol=0)
    saved = world["root"] / "checkpoints" / "model_demo.dynode"
    assert saved.is_file() and session.report["fitted"] is True and session.report["model_file"] == str(saved)
    line = session.summary()  # what STIT's config-flag path prints on stderr, once per edit step
    assert line.startswith("dynode: DynODE edit of run demo (ode, mode offset): model fitted in") and str(saved) in line


def test_saved_model_is_reused_and_a_changed_run_gets_its_own(stit, world):
    mods = stit(use_dynode=True)
    le, session = mods["latent_editor"], mods["session"]
    le.LatentEditor().get_interfacegan_edits(_pivots(world), ("age",), (1, 1, 1))
    assert session.report["fitted"] is True
    session.models.clear()  # a new process: nothing in memory
    le.LatentEditor().get_interfacegan_edits(_pivots(world), ("age",), (1, 1, 1))
    assert session.report["fitted"] is False and session.report["fit_seconds"] == 0.0
    assert "model reused from" in session.summary()
    session.models.clear()
    other = _pivots(world) + 0.1  # e.g. --freeze_fine_layers changes the pivots
    le.LatentEditor().get_interfacegan_edits(other, ("age",), (1, 1, 1))
    assert session.report["fitted"] is True and Path(session.report["model_file"]).name.startswith("model_demo-")


def test_styleclip_global_returns_26_style_tensors_per_factor(stit, world):
    mods = stit(use_dynode=True)
    le, eu = mods["latent_editor"], mods["utils.edit_utils"]
    torch.manual_seed(1)
    gen = mods["training.networks"].Generator(512, 0, 512, 1024, 3)
    z = _pivots(world)
    edits, is_style = le.LatentEditor.get_styleclip_global_edits(z, "face", "smiling face", 0.1, (1, 3, 2), gen, ("smile",))
    assert is_style is True and [(d, lbl) for _, d, lbl in edits] == [("smile", "1.0_0.1"), ("smile", "3.0_0.1")]
    assert all(n == 1 for _, n in le.CALLS)
    styles = edits[1][0]
    affine = eu.get_affine_layers(gen.synthesis)
    assert len(styles) == 26 and [tuple(s.shape) for s in styles] == [(N, a.weight.shape[0]) for a, _ in affine]
    # frame 0 gets exactly STIT's own edit of frame 0
    le.CALLS.clear()
    mods["session"].overrides["use_dynode"] = False
    full, _ = le.LatentEditor.get_styleclip_global_edits(z, "face", "smiling face", 0.1, (1, 3, 2), gen, ("smile",))
    for ours, theirs in zip(styles, full[1][0]):
        torch.testing.assert_close(ours[0], theirs[0], atol=1e-5, rtol=1e-5)
    # the synthesis accepts the structure, as STIT's render loop calls it
    img = gen.synthesis.forward([s[3][None] for s in styles], noise_mode="const", force_fp32=False, style_input=True)
    assert img.shape == (1, 3, 32, 32) and torch.isfinite(img).all()


def test_styleclip_refuses_flow_mode(stit, world):
    le = stit(use_dynode=True, dynode_mode="flow")["latent_editor"]
    with pytest.raises(DynodeInputError, match="dynode_mode = 'offset'"):
        le.LatentEditor.get_styleclip_global_edits(_pivots(world), "face", "x", 0.1, (1, 1, 1), None, ("x",))


def test_compat_fixes_apply_and_undo(stit, world):
    import PIL.Image

    had_antialias = hasattr(PIL.Image, "ANTIALIAS")
    mods = stit(use_dynode=True)
    fixes = mods["session"].fixes
    assert "cpu" in fixes.applied and "fp32_blocks" in fixes.applied
    assert torch.zeros(1).cuda().device.type == "cpu"  # STIT's .cuda() is harmless without a GPU
    gen = mods["training.networks"].Generator(512, 0, 512, 1024, 3)
    gen.synthesis(torch.zeros(1, 18, 512), noise_mode="const", force_fp32=False)
    assert {b.last_dtype for b in gen.synthesis.children()} == {torch.float32}  # no fp16 blocks on the CPU
    assert PIL.Image.ANTIALIAS == PIL.Image.LANCZOS
    fixes.undo_all()
    assert hasattr(PIL.Image, "ANTIALIAS") == had_antialias
    with pytest.raises((AssertionError, RuntimeError)):
        torch.zeros(1).cuda()


@pytest.mark.skipif(torch.cuda.is_available(), reason="the fix applies only without a GPU")
def test_e4e_from_a_checkpoint_saved_on_cuda_builds_on_the_cpu():
    """e4e's released checkpoint names 'cuda:0' in its opts; pSp moves its latent average there."""
    import types
    from argparse import Namespace

    from dynode_adapters.stit import compat

    class pSp(torch.nn.Module):  # the one line of pSp that matters here
        def __init__(self, opts):
            super().__init__()
            self.latent_avg = torch.ones(18, 512).to(opts.device)

    module, fixes = types.SimpleNamespace(pSp=pSp), compat.Fixes()
    with pytest.raises((AssertionError, RuntimeError)):
        pSp(Namespace(device="cuda:0"))
    compat.fix_e4e_device(fixes, module)
    opts = Namespace(device="cuda:0")
    assert module.pSp(opts).latent_avg.device.type == "cpu" and opts.device == "cpu" and fixes.applied == ["e4e_cpu"]
    fixes.undo_all()
    with pytest.raises((AssertionError, RuntimeError)):
        pSp(Namespace(device="cuda:0"))


def test_other_projects_modules_of_the_same_name_are_untouched(tmp_path, monkeypatch):
    monkeypatch.delenv(import_hook.ENV_SWITCH, raising=False)
    (tmp_path / "editings").mkdir()
    (tmp_path / "editings" / "latent_editor.py").write_text("class LatentEditor:\n    def get_interfacegan_edits(self):\n        return 1\n")
    import_hook.install()
    try:
        with checkout_on_path(tmp_path, ["editings"]):
            mod = importlib.import_module("editings.latent_editor")
            assert not getattr(mod.LatentEditor, "_dynode_patched", False)
    finally:
        import_hook.uninstall()


def test_kill_switch(monkeypatch):
    monkeypatch.setenv(import_hook.ENV_SWITCH, "0")
    assert import_hook.install() is False and not import_hook.installed()
    assert import_hook.install(force=True) is True  # `dynode stit edit` asks explicitly
    import_hook.uninstall()


def test_settings_errors_name_the_config_file(world, tmp_path):
    root = B.copy_checkout(tmp_path / "STIT")
    (root / "configs" / "dynode_config.py").write_text("use_dynode = True\ndynode_setps = 10\n")
    with checkout_on_path(root, HOST_PACKAGES):
        with pytest.raises(DynodeInputError, match=r"dynode_config.py: unknown DynODE setting 'dynode_setps'.*dynode_steps"):
            settings.read_settings()
    (root / "configs" / "dynode_config.py").write_text("use_dynode = True\ndynode_mode = 'sideways'\n")
    with checkout_on_path(root, HOST_PACKAGES):
        with pytest.raises(DynodeInputError, match="choose one of offset, flow, reintegrate"):
            settings.read_settings()
    (root / "configs" / "dynode_config.py").write_text("use_dynode = True\ndynode_straightness = -0.5\n")
    with checkout_on_path(root, HOST_PACKAGES):
        with pytest.raises(DynodeInputError, match="dynode_straightness must be >= 0"):
            settings.read_settings()
    (root / "configs" / "dynode_config.py").write_text("use_dynode = True\ndynode_straightness = 0.2\n")
    with checkout_on_path(root, HOST_PACKAGES):
        assert settings.read_settings().dynamics == {"straightness": 0.2}
    (root / "configs" / "dynode_config.py").write_text("use_dynode = True\ndynode_lr_final = 0.001\ndynode_subspace_dim = 0\n")
    with checkout_on_path(root, HOST_PACKAGES):  # every ODEConfig field is a STIT name; 0 = full latent
        assert settings.read_settings().dynamics == {"lr_final": 0.001, "subspace_dim": None}
    (root / "configs" / "dynode_config.py").write_text("use_dynode = 'yes'\n")
    with checkout_on_path(root, HOST_PACKAGES):
        with pytest.raises(DynodeInputError, match="use_dynode = 'yes' must be a bool"):
            settings.read_settings()


def _run_like_a_user(root, site, env_extra, out):
    """`python edit_video.py ...` from the STIT root, in an interpreter whose site dir holds our .pth."""
    code = textwrap.dedent(f"""
        import site, sys, runpy
        site.addsitedir({str(site)!r})  # what the interpreter does at start for site-packages
        sys.path.insert(0, '.')
        sys.argv = ['edit_video.py', '-i', 'input_frames', '-o', {str(out)!r}, '-r', 'demo', '-en', 'age', '-er', '-2', '2', '2']
        runpy.run_path('edit_video.py', run_name='__main__')
    """)
    env = {**os.environ, **env_extra}
    return subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_startup_hook_enables_dynode_from_stit_configs(tmp_path):
    from dynode_adapters.stit.hook_file import PTH_NAME, install_hook

    root = B.copy_checkout(tmp_path / "STIT")
    B.make_run(root, n_frames=6)
    site = tmp_path / "site"
    site.mkdir()
    assert install_hook(str(site)) == site / PTH_NAME
    with open(root / "configs" / "hyperparameters.py", "a") as f:
        f.write("\nuse_dynode = True\ndynode_steps = 30\ndynode_progress = False\n")
    res = _run_like_a_user(root, site, {import_hook.ENV_SWITCH: "1"}, tmp_path / "out")
    assert res.returncode == 0, res.stderr[-2000:]
    assert (root / "checkpoints" / "model_demo.dynode").is_file()
    assert (tmp_path / "out" / "age" / "2.0" / "out.mp4").stat().st_size > 0
    # one summary line on stderr: DynODE used, the model file fitted (with seconds), mode, fixes
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("dynode:")]
    assert len(lines) == 1 and "model fitted in" in lines[0] and "model_demo.dynode" in lines[0], res.stderr[-2000:]
    assert "mode offset" in lines[0] and "compat fixes: " in lines[0] and "cpu" in lines[0]
    # the kill switch: nothing patched, so STIT fails on this CPU-only machine exactly as unpatched STIT does
    (root / "checkpoints" / "model_demo.dynode").unlink()
    res = _run_like_a_user(root, site, {import_hook.ENV_SWITCH: "0"}, tmp_path / "out_off")
    assert res.returncode != 0 and "CUDA" in res.stderr
    assert not (root / "checkpoints" / "model_demo.dynode").exists()
