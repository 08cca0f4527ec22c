"""``dynode stit train``: STIT's own train.py with e4e + PTI on the selected frames only.

STIT aligns every frame, inverts every crop with e4e and tunes the generator (PTI) on all of
them; inversion and PTI scale with the number of frames. Here alignment still runs on every
frame (STIT smooths the crops over time), but three of STIT's functions are wrapped for the run:

* ``utils.alignment.compute_transform``: a frame without a face no longer stops the run; it is
  recorded as a detection failure (its transform left empty);
* ``utils.alignment.gaussian_filter1d`` / ``crop_faces_by_quads``: the empty transforms and
  quads are interpolated in time from the neighbouring frames before STIT smooths and crops;
* ``training.coaches.coach.Coach.train``: e4e and PTI see only the selected, detected frames;
  the dynamics model fitted on their pivots (at the true frame times) supplies the pivots of
  every other frame.
* ``utils.alignment.crop_faces``: timed only, so the report gives alignment and inversion
  (e4e + PTI) seconds, wall and CPU, apart.

train.py then saves ``checkpoints/model_<run>.pt`` with N pivots and N quads exactly as usual,
so STIT's ``edit_video.py`` and ``edit_video_stitching_tuning.py`` read it unchanged. The model that
filled the pivots is saved beside it as ``model_<run>.dynode``, where the edit hook looks first: its
file matches the checkpoint's pivots (the filled ones are its own predictions), so an edit reuses it
instead of fitting again. An existing file is never replaced.
"""
from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from dynode_plugin.errors import DynodeInputError
from dynode_plugin.frame_selection import FrameSelection, SelectionSpec

from .checkpoint import checkpoints_dir
from .runner import _option, absolutize, execute
from .session import StitSession

NO_FACE = "Did not detect any faces"  # the start of STIT's message in compute_transform
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")  # STIT's make_dataset: IMG_EXTENSIONS, case-insensitive


class TrainSession:
    """What one ``dynode stit train`` run selected, detected and filled (no module state: the
    wrappers close over it and are undone after the run)."""

    def __init__(self, spec: SelectionSpec, model_id: str, settings: Dict[str, Any], progress: bool):
        self.spec, self.model_id, self.settings, self.progress = spec, model_id, settings, progress
        self.failed_paths: List[str] = []
        self.selection: Optional[FrameSelection] = None
        self.seconds: Dict[str, float] = {}
        self.model = None  # the dynamics model that filled the pivots (None: every frame inverted)

    # -- utils.alignment ------------------------------------------------------------------
    def crop_faces(self, original):
        def crop_faces(*args, **kwargs):  # timed only: STIT's whole alignment step
            with self.timed("alignment"):
                return original(*args, **kwargs)
        return crop_faces

    def compute_transform(self, original):
        import numpy as np

        def compute_transform(filepath, *args, **kwargs):
            try:
                return original(filepath, *args, **kwargs)
            except Exception as exc:
                if not str(exc).startswith(NO_FACE):
                    raise
                self.failed_paths.append(str(filepath))
                empty = np.full(2, np.nan)
                return empty, empty.copy(), empty.copy()
        return compute_transform

    def gaussian_filter1d(self, original):
        def gaussian_filter1d(values, *args, **kwargs):
            return original(_fill_nan_rows(values), *args, **kwargs)
        return gaussian_filter1d

    def crop_faces_by_quads(self, original):
        import numpy as np

        def crop_faces_by_quads(image_size, files, quads):
            failed = [i for i, (_, path) in enumerate(files) if str(path) in set(self.failed_paths)]
            self.selection = self.spec.resolve(len(files), failed=failed)  # raises before any inversion
            filled = self.selection.fill(np.stack(quads)) if failed else None
            for i in failed:  # in place: crop_faces returns this same list as the run's quads
                quads[i] = filled[i]
            return original(image_size, files, quads)
        return crop_faces_by_quads

    # -- training.coaches.coach -----------------------------------------------------------
    def coach_train(self, original):
        def train(coach):
            sel = self.selection
            if sel is None:  # crop_faces was not called (a modified train.py): select without failures
                sel = self.selection = self.spec.resolve(len(coach.dataset))
            everything = coach.dataset
            coach.dataset = _Subset(everything, sel.selected)
            try:
                with self.timed("inversion"):
                    ws = original(coach)
            finally:
                coach.dataset = everything
            return ws if sel.dense else self.fill_pivots(ws, sel)
        return train

    @contextlib.contextmanager
    def timed(self, name: str):
        """Wall and CPU seconds (this process, all threads) of one step, as ``name`` and ``name_cpu``."""
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.seconds[name], self.seconds[f"{name}_cpu"] = time.perf_counter() - t0, time.process_time() - c0

    def fill_pivots(self, ws, sel: FrameSelection):
        from dynode_plugin.frame_selection import fill_latents

        with self.timed("fit"):
            pivots, self.model, _ = fill_latents(ws.detach().to("cpu", dtype=ws.dtype), sel, self.model_id, self.settings,
                                                 progress=self.progress)
        return pivots.to(ws.device)

    def save_model(self, path: Path) -> Dict[str, Any]:
        """Write the model that filled the pivots to ``path`` (the edit hook's default file) unless a file is
        there: this command did not create it, so it stays (the hook reuses it only if it matches)."""
        if self.model is None:
            return {"model_file": None, "model_note": "no model: every frame was inverted"}
        if path.exists() or path.is_symlink():
            return {"model_file": None, "model_note": f"{path} exists and was left alone; the edit reuses it only if it "
                                                      "matches these pivots, else fits again"}
        try:  # train.py's own outputs are written by now: a model file that cannot be written fails nothing
            path.parent.mkdir(parents=True, exist_ok=True)
            self.model.save(path)  # atomic
        except OSError as exc:
            return {"model_file": None, "model_note": f"could not be written to {path} ({exc.strerror or exc}); the edit fits again"}
        return {"model_file": str(path), "model_note": "the edit hook reuses it (no second fit)"}

    def prepare(self, fixes) -> None:
        """Wrap STIT's functions (called inside the checkout, before train.py runs; ``fixes`` undoes them)."""
        import training.coaches.coach as coach_module
        import utils.alignment as alignment

        # crop_faces before train.py runs: its ``from utils.alignment import crop_faces`` gets the timed one
        for name in ("crop_faces", "compute_transform", "gaussian_filter1d", "crop_faces_by_quads"):
            if hasattr(alignment, name):
                fixes.setattr(alignment, name, getattr(self, name)(getattr(alignment, name)))
        fixes.setattr(coach_module.Coach, "train", self.coach_train(coach_module.Coach.train))


class _Subset:
    """The selected items of STIT's ImageListDataset, names kept (STIT names items by index)."""

    def __init__(self, dataset, indices: Sequence[int]):
        self.dataset, self.indices = dataset, list(indices)

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, k):
        return self.dataset[self.indices[k]]

    def __iter__(self):
        return (self[k] for k in range(len(self)))


def _fill_nan_rows(values):
    """Rows (axis 0) holding NaN replaced by linear interpolation between the others."""
    import numpy as np

    v = np.asarray(values, dtype=np.float64)
    bad = np.isnan(v.reshape(len(v), -1)).any(1)
    if not bad.any() or bad.all():
        return values
    idx = np.arange(len(v))
    flat = v.reshape(len(v), -1).copy()
    for j in range(flat.shape[1]):
        flat[bad, j] = np.interp(idx[bad], idx[~bad], flat[~bad, j])
    return flat.reshape(v.shape)


def count_input_frames(args: Sequence[str]) -> int:
    """How many frames train.py will read (its -i folder, --start_frame/--end_frame), checked up front."""
    folder = (_option(args, ["-i", "--input_folder"]) or [None])[0]
    if folder is None:
        raise DynodeInputError("STIT's train.py needs -i/--input_folder (the folder of video frames)")
    if not Path(folder).is_dir():
        raise DynodeInputError(f"train.py input folder {folder} not found; give the folder of the video's frames")
    files = [p for p in Path(folder).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES]
    start = int((_option(args, ["--start_frame"]) or ["0"])[0])
    end = (_option(args, ["--end_frame"]) or [None])[0]
    return len(files[start:int(end) if end is not None else None])


def run_train(root, args: Sequence[str], spec: SelectionSpec, *, model_id: str = "ode",
              settings: Optional[Dict[str, Any]] = None, progress: bool = True,
              overrides: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """Run STIT's train.py with inversion on the frames ``spec`` selects; return a report."""
    root = Path(root).resolve()
    args = absolutize(args)
    if not (root / "train.py").is_file():
        raise DynodeInputError(f"{root / 'train.py'} not found; is {root} a complete STIT checkout?")
    run = (_option(args, ["-r", "--run_name"]) or [None])[0]
    if run is None:
        raise DynodeInputError("STIT's train.py needs -r/--run_name (edit_video.py reads the run by that name)")
    n = count_input_frames(args)
    spec.resolve(n)  # K, the list and the clip length checked before anything loads
    session = TrainSession(spec, model_id, settings or {}, progress)
    report = execute(root, "train.py", args, StitSession(overrides=overrides or {}, announce=False, run=run),
                     prepare=session.prepare)
    sel = session.selection
    saved = session.save_model(root / checkpoints_dir(root) / f"model_{run}.dynode")
    return {**report, "run": run, "selection": sel.report() if sel else None, "summary": sel.summary() if sel else "",
            "seconds": dict(session.seconds), **saved}
