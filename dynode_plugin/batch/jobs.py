"""The job layer: one task per clip, a record per clip written atomically, resumable.

A clip is done exactly when ``<out>/clips/<id>/record.json`` exists with status "ok"; a
crash mid-clip leaves no record, so ``--resume`` reruns it. Failures are isolated: the
task's exception becomes a "failed" record and the batch goes on. Tasks run in-process
(1 worker), in a local process pool, or as Ray tasks (``ray_address``).
"""
from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import json
import multiprocessing as mp
import os
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional

from ..atomic import atomic_path
from ..errors import DynodeInputError
from .manifest import Clip

Runner = Callable[[Clip, Dict[str, Any], Path], Dict[str, Any]]


def record_path(out: Path, clip_id: str) -> Path:
    return Path(out) / "clips" / clip_id / "record.json"


def write_json(path: Path, data: Dict[str, Any]) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, default=str))


def check_settings(out: Path, settings: Dict[str, Any], resume: bool) -> None:
    """Refuse an output folder made with other settings (e.g. a different edit)."""
    marker = Path(out) / "batch.json"
    if marker.exists():
        try:
            old = json.loads(marker.read_text())
            if not isinstance(old, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as exc:
            raise DynodeInputError(f"{marker} is unreadable ({type(exc).__name__}: {str(exc)[:80]}); it was not written by "
                                   f"`dynode batch` or is damaged: use a new --out folder") from None
        if old != json.loads(json.dumps(settings, default=str)):
            diff = {k: (old.get(k), settings.get(k)) for k in set(old) | set(settings) if old.get(k) != settings.get(k)}
            raise DynodeInputError(f"{out} holds a batch made with other settings {diff}; use a new --out folder")
    elif Path(out).exists() and any(Path(out).iterdir()):
        raise DynodeInputError(f"{out} is not empty and holds no batch.json; use a new --out folder")
    if not marker.exists():
        write_json(marker, settings)
    elif not resume:
        raise DynodeInputError(f"{out} already holds this batch; pass --resume to continue it, or use a new --out folder")


def run_task(runner: Runner, clip: Clip, settings: Dict[str, Any], out: str, threads: Optional[int]) -> Dict[str, Any]:
    """Run one clip; never raises: failures come back as a record. ``threads`` None: the process's own
    setting (torch's default, or OMP_NUM_THREADS), as `dynode edit` uses it."""
    import torch

    if threads is not None:
        torch.set_num_threads(max(1, threads))
    start = time.perf_counter()
    try:
        result = runner(clip, settings, Path(out) / "clips" / clip.id)
        record = {"id": clip.id, "status": "ok", **result}
    except Exception as exc:  # isolate: one bad clip must not stop the batch
        record = {"id": clip.id, "status": "failed", "error": f"{type(exc).__name__}: {exc}",
                  "traceback": traceback.format_exc(limit=5)}
    record["seconds"] = time.perf_counter() - start
    record["path"] = clip.path
    write_json(record_path(Path(out), clip.id), record)
    return record


@dataclasses.dataclass
class BatchResult:
    records: List[Dict[str, Any]]
    skipped: List[str]
    seconds: float

    @property
    def failed(self) -> List[Dict[str, Any]]:
        return [r for r in self.records if r.get("status") != "ok"]


def pending(clips: Iterable[Clip], out: Path, resume: bool):
    todo, done = [], []
    for c in clips:
        rp = record_path(out, c.id)
        if resume and rp.exists():
            try:
                rec = json.loads(rp.read_text())
            except ValueError:
                rec = {}
            if rec.get("status") == "ok":
                done.append(rec)
                continue
        todo.append(c)
    return todo, done


def run_batch(clips: List[Clip], runner: Runner, settings: Dict[str, Any], out, workers: int = 1,
              ray_address: Optional[str] = None, resume: bool = False, progress: bool = True) -> BatchResult:
    from tqdm.auto import tqdm

    out = Path(out)
    if ray_address is not None:
        _ray_connect(ray_address)  # an unreachable cluster fails here, before anything is written
    check_settings(out, settings, resume)
    todo, done = pending(clips, out, resume)
    start = time.perf_counter()
    records: List[Dict[str, Any]] = list(done)
    bar = tqdm(total=len(todo), desc="clips", unit="clip", disable=not progress)
    cores = os.cpu_count() or 1
    if ray_address is not None:
        records += _run_ray(todo, runner, settings, out, ray_address, bar)
    elif workers <= 1:
        for c in todo:
            # in this process: its thread setting is the user's (forcing every core made a 1-worker batch
            # slower than `dynode edit` per clip with OMP_NUM_THREADS=1 on a loaded machine)
            records.append(run_task(runner, c, settings, str(out), None))
            bar.update()
    else:
        threads = max(1, cores // workers)  # no oversubscription: workers x threads <= cores
        with cf.ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as pool:
            futures = [pool.submit(run_task, runner, c, settings, str(out), threads) for c in todo]
            for f in cf.as_completed(futures):
                records.append(f.result())
                bar.update()
    bar.close()
    order = {c.id: i for i, c in enumerate(clips)}
    records.sort(key=lambda r: order.get(r["id"], 0))
    return BatchResult(records=records, skipped=[r["id"] for r in done], seconds=time.perf_counter() - start)


def _ray_connect(address: str) -> None:
    try:
        import ray
    except ImportError:
        raise DynodeInputError("--ray-address needs Ray: pip install 'dynode-plugin[ray]'") from None
    if ray.is_initialized():
        return
    if address == "local":  # workers on this machine see the driver's import path (runners defined in scripts)
        import sys

        env = {"env_vars": {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}}
        ray.init(num_cpus=os.cpu_count() or 1, include_dashboard=False, log_to_driver=False, runtime_env=env)
        return
    try:
        ray.init(address=address, log_to_driver=False)
    except Exception as exc:  # no cluster there, client extra missing, version mismatch: one line
        reason = " ".join(str(exc).split())[:200]
        raise DynodeInputError(f"cannot connect to Ray at --ray-address {address}: {type(exc).__name__}: {reason}") from None


def _run_ray(todo: List[Clip], runner: Runner, settings, out: Path, address: str, bar) -> List[Dict[str, Any]]:
    import ray

    _ray_connect(address)
    remote = ray.remote(num_cpus=1)(run_task)
    refs = [remote.remote(runner, c, settings, str(out), 1) for c in todo]
    records = []
    while refs:
        ready, refs = ray.wait(refs, num_returns=1)
        records.append(ray.get(ready[0]))
        bar.update()
    return records
