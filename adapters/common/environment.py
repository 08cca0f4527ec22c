"""What a host needs from the Python environment, found from the checkout itself.

Shared by the host doctors (``adapters/<host>/doctor.py``, run by ``dynode doctor``):

* :func:`scan_imports` reads the host's scripts (never runs them) and follows the checkout's
  own modules, collecting the third-party modules imported at module level: what a fresh
  interpreter must be able to import before the script can start.
* :func:`probe` imports those modules in a *separate* interpreter (this environment, not
  this process: a half-imported broken package must not leak into the caller, and the
  answer is what the host's own ``python edit_video.py`` will meet), torch first, and reports
  versions, errors and whether CUDA is usable.
* :func:`environment_checks` turns both into :class:`dynode_plugin.doctor.Check` rows, each
  failure with its fix. The recipe tested on these machines is :data:`RECIPE`: PyPI's
  torchvision for torch 2.13.0 does not import beside it ("operator torchvision::nms does not
  exist"), so the pair is pinned together.
"""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Mapping, Optional, Sequence

from dynode_plugin.doctor import FAIL, OK, WARN, Check, Doctor

TESTED_TORCH, TESTED_TORCHVISION = "2.14.1", "0.29.1"
RECIPE = f"pip install torch=={TESTED_TORCH} torchvision=={TESTED_TORCHVISION}"
# import name -> what to pip install (when they differ)
PIP_NAMES = {"cv2": "opencv-python", "skimage": "scikit-image", "PIL": "Pillow", "yaml": "PyYAML",
             "sklearn": "scikit-learn", "face_alignment": "face-alignment", "imageio_ffmpeg": "imageio-ffmpeg",
             "clip": "git+https://github.com/openai/CLIP.git", "tensorboard_logger": "tensorboard-logger"}
PROBE_TIMEOUT_S = 600


def pip_name(module: str) -> str:
    return PIP_NAMES.get(module, module)


def torchvision_broken_fix() -> str:
    """The one-line fix for a torchvision that does not import beside the installed torch."""
    return f"{RECIPE} (a tested pair; torchvision must be built for the installed torch)"


# --------------------------------------------------------------------------- scanning
def _stdlib(name: str) -> bool:
    names = getattr(sys, "stdlib_module_names", None)
    if names is not None:
        return name in names or name in sys.builtin_module_names
    import importlib.util
    import sysconfig

    spec = importlib.util.find_spec(name)
    origin = getattr(spec, "origin", None) or ""
    return origin == "built-in" or origin.startswith(sysconfig.get_paths()["stdlib"])


def _module_level_imports(tree: ast.Module) -> Iterator[ast.stmt]:
    """Import statements that run when the module is imported (not inside functions or classes;
    imports inside ``try`` are taken as optional and skipped)."""
    todo = list(tree.body)
    while todo:
        node = todo.pop(0)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            todo[:0] = node.body + node.orelse
        elif isinstance(node, ast.With):
            todo[:0] = node.body


def _find_local(dotted: str, search: Sequence[Path]) -> List[Path]:
    """Files of the checkout that importing ``dotted`` runs (packages' __init__ files included)."""
    for base in search:
        parts = dotted.split(".")
        if not ((base / parts[0]).is_dir() or (base / f"{parts[0]}.py").is_file()):
            continue
        files, here = [], base
        for part in parts:
            if (here / part / "__init__.py").is_file():
                files.append(here / part / "__init__.py")
            if (here / f"{part}.py").is_file():
                files.append(here / f"{part}.py")
                break
            here = here / part
        return files
    return []


def _is_local(top: str, search: Sequence[Path]) -> bool:
    return any((b / top).is_dir() or (b / f"{top}.py").is_file() for b in search)


def scan_imports(entries: Iterable[Path], search: Sequence[Path], relative_to: Optional[Path] = None) -> Dict[str, List[str]]:
    """Third-party top-level modules the ``entries`` import at module level, following the
    checkout's own modules (looked up under ``search``, in order) transitively.

    Returns ``{module: [files that import it, relative to relative_to (default: the first
    search path)]}``. Missing entry files are skipped (the file checks report them).
    """
    search = [Path(s) for s in search]
    base_dir = Path(relative_to) if relative_to else search[0]
    found: Dict[str, List[str]] = {}
    queue = [Path(e) for e in entries if Path(e).is_file()]
    seen = set()
    while queue:
        path = queue.pop(0).resolve()
        if path in seen:
            continue
        seen.add(path)
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"), str(path))
        except SyntaxError:
            continue  # Python 2 leftovers in a host: not ours to judge here
        for node in _module_level_imports(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = path.parent
                for _ in range(node.level - 1):
                    base = base.parent
                names = [f"{node.module}.{a.name}" if node.module else a.name for a in node.names]
                for dotted in ([node.module] if node.module else []) + names:
                    queue.extend(_find_local(dotted, [base]))
                continue
            dotted_names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                            else [node.module] + [f"{node.module}.{a.name}" for a in node.names])
            top = dotted_names[0].split(".")[0]
            if _is_local(top, search):
                for dotted in dotted_names:
                    queue.extend(_find_local(dotted, search))
            elif not _stdlib(top) and top != "__future__":
                rel = os.path.relpath(path, base_dir)
                found.setdefault(top, [])
                if rel not in found[top]:
                    found[top].append(rel)
    return found


def merge_scans(*scans: Mapping[str, Sequence[str]]) -> Dict[str, List[str]]:
    """Several :func:`scan_imports` results as one ({module: files}, files in first-seen order)."""
    out: Dict[str, List[str]] = {}
    for scan in scans:
        for name, files in scan.items():
            out.setdefault(name, []).extend(f for f in files if f not in out[name])
    return out


# --------------------------------------------------------------------------- probing
_PROBE = r"""
import importlib, json, sys
out = {"modules": {}, "python": sys.version.split()[0]}
try:
    from importlib.metadata import packages_distributions, version
    dists = packages_distributions()
except Exception:
    dists = {}
for name in sys.argv[1:]:
    rec = {"ok": True, "version": ""}
    for dist in dists.get(name, []):
        try:
            rec["version"] = version(dist); rec["dist"] = dist; break
        except Exception:
            pass
    try:
        mod = importlib.import_module(name)
        rec["version"] = str(getattr(mod, "__version__", "") or rec["version"])
    except BaseException as exc:
        text = (str(exc).strip().splitlines() or [""])[-1]
        rec.update(ok=False, missing=isinstance(exc, ModuleNotFoundError) and exc.name == name,
                   error=f"{type(exc).__name__}: {text}"[:300])
    out["modules"][name] = rec
try:
    import torch
    cuda = torch.cuda.is_available()
    out["cuda"] = {"available": cuda, "built": torch.version.cuda,
                   "device": torch.cuda.get_device_name(0) if cuda else None}
except BaseException as exc:
    out["cuda"] = {"available": False, "error": f"{type(exc).__name__}: {exc}"}
print("DYNODE-PROBE " + json.dumps(out))
"""


def probe(modules: Sequence[str]) -> Dict:
    """Import ``modules`` (torch first) in a fresh interpreter of this environment."""
    order = ["torch"] + [m for m in modules if m != "torch"]
    try:
        proc = subprocess.run([sys.executable, "-c", _PROBE, *order], capture_output=True, text=True,
                              timeout=PROBE_TIMEOUT_S, env=dict(os.environ))
    except subprocess.TimeoutExpired:
        return {"error": f"importing {', '.join(order)} took more than {PROBE_TIMEOUT_S} s"}
    for line in proc.stdout.splitlines():
        if line.startswith("DYNODE-PROBE "):
            return json.loads(line[len("DYNODE-PROBE "):])
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": f"the import check crashed ({tail})"}


# --------------------------------------------------------------------------- checks
def _needed_by(files: Sequence[str]) -> str:
    return ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")


def module_check(name: str, rec: Mapping, needed_by: Sequence[str], *, torch_version: str,
                 stand_in: Optional[str] = None) -> Check:
    """One module: imports, or is missing, or is installed but broken (with the fix).
    stand_in: when the adapter serves a stand-in for this module, what to say (a warning)."""
    version = rec.get("version") or ""
    who = f" (imported by {_needed_by(needed_by)})" if needed_by else ""
    if rec.get("ok"):
        return Check(name, OK, f"{version or 'imports'}{who}")
    if rec.get("missing"):
        found, fix = "not installed", f"pip install {pip_name(name)}"
    else:
        found = f"{version + ' is ' if version else ''}installed but does not import beside torch {torch_version} ({rec.get('error')})"
        fix = torchvision_broken_fix() if name == "torchvision" else f"pip install --force-reinstall {pip_name(name)}"
    if name == "torchvision" and rec.get("missing"):
        fix = RECIPE
    if stand_in:
        return Check(name, WARN, f"{found}{who}; {stand_in}", fix)
    return Check(name, FAIL, f"{found}{who}", fix)


def environment_checks(needed: Mapping[str, Sequence[str]], *, stand_ins: Mapping[str, str] = (),
                       cpu_note: str = "", gpu_note: str = "") -> Iterator[Check]:
    """Python, torch, every module in ``needed`` ({module: files importing it}), and the device.

    stand_ins: {module: sentence} for modules the adapter can replace (a failure is then a
    warning, with the sentence); they still get the fix. cpu_note/gpu_note: what the host does
    on that path (e.g. which compat fix applies).
    """
    stand_ins = dict(stand_ins)
    result = probe(sorted(needed))
    if "error" in result:
        yield Check("python environment", FAIL, result["error"], f"check that {sys.executable} runs; then {RECIPE}")
        return
    mods = result["modules"]
    yield Check("python", OK, f"{result['python']} ({sys.executable})")
    torch_rec = mods["torch"]
    torch_version = torch_rec.get("version", "?")
    if not torch_rec.get("ok"):
        yield Check("torch", FAIL, f"does not import ({torch_rec.get('error')})", RECIPE)
        return
    note = "" if torch_version.split("+")[0] == TESTED_TORCH else f"; the tested recipe is {RECIPE}"
    yield Check("torch", OK, f"{torch_version}{note}")
    for name in sorted(needed):
        if name != "torch":
            yield module_check(name, mods[name], needed[name], torch_version=torch_version, stand_in=stand_ins.get(name))
    cuda = result.get("cuda", {})
    if cuda.get("available"):
        yield Check("device", OK, f"CUDA: {cuda.get('device')} (torch built for CUDA {cuda.get('built')}){'; ' + gpu_note if gpu_note else ''}")
    else:
        yield Check("device", OK, f"CPU only (no CUDA device){'; ' + cpu_note if cpu_note else ''}")


class CheckoutDoctor(Doctor):
    """A doctor for a host used from the user's checkout: the checkout first (if it cannot be
    used, say why and how to get one, then check what can be checked without it: torch,
    torchvision, the device), then :meth:`checkout_checks`."""

    clone_fix = ""  # how to get a checkout, e.g. "git clone URL"

    def find_root(self, root: Optional[Path]) -> Path:
        """The validated checkout root; raises DynodeInputError naming what is missing."""
        raise NotImplementedError

    def checkout_checks(self, root: Path) -> Iterator[Check]:
        raise NotImplementedError

    def checks(self, root: Optional[Path]) -> Iterator[Check]:
        from dynode_plugin.errors import DynodeInputError

        try:
            root = self.find_root(root)
        except DynodeInputError as exc:
            first = (str(exc).strip().splitlines() or [""])[0].split(". Expected layout")[0].removesuffix(" Expected layout:")
            yield Check("checkout", FAIL, first, f"{self.clone_fix} and pass --root PATH (or set ${self.root_env})")
            yield from environment_checks({"torchvision": []})
            return
        yield Check("checkout", OK, str(root))
        yield from self.checkout_checks(root)


def files_check(name: str, paths: Sequence[Path], fix: str, *, status_if_missing: str = FAIL,
                found_note: str = "") -> Check:
    """Present when any of ``paths`` exists (listed in order of preference)."""
    for p in paths:
        if Path(p).exists():
            return Check(name, OK, f"{p}{' ' + found_note if found_note else ''}")
    where = " or ".join(str(p) for p in paths)
    return Check(name, status_if_missing, f"not found: {where}", fix)


def import_check(name: str, fn, fix: str) -> Check:
    """Run ``fn()`` (which imports host code with the adapter's own machinery); a failure is one line.
    What host code prints while importing (STIT: "clip is not installed ...") is captured, so it
    cannot mix with the doctor's own output, and reported in the detail."""
    import contextlib
    import io

    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            detail = fn()
    except Exception as exc:
        text = (str(exc).strip().splitlines() or [""])[0]
        return Check(name, FAIL, f"{type(exc).__name__}: {text}", fix)
    said = "; ".join(line.strip() for line in printed.getvalue().splitlines() if line.strip())[:300]
    return Check(name, OK, (detail or "imports") + (f" (the host code printed: {said})" if said else ""))
