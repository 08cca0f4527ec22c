"""The malformed inputs of the fuzz suite: table-driven cases plus seeded random ones.

A case is a command line with ``{S}`` standing for its sandbox folder and a ``setup`` that
writes the (bad) input files there from the good ``assets``. Every case must fail cleanly:
exit 1 or 2 with one ``Error:`` line (several only for manifest problem lists), no
traceback, and nothing created or changed anywhere. ``random_cases(n, seed)`` adds
mutations (truncations, byte flips in checked regions, junk option values) reproducibly
(``fuzz_random.py``).
"""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Callable, List, Optional

import numpy as np
import torch

BAD_NUMBERS = ["nan", "inf", "-inf", "1e400", "-1", "0", "1e20", "18446744073709551616", "abc", "", " ", "4xx", "1e9x",
               "0x10", "--", "1,2", "\x00", "9" * 400]
BAD_TIMES = ["1e308,2e308", "-1e308,0", "nan,1", "0,inf", "a,b", ",", ";;", "0," * 200_001, "x" * 300, "1" * 300,
             "0,1,1,2,3,4", "5,4,3,2,1,0", "{S}/missing.txt", "{S}/dir", "{S}/t.csv"]
UNSAFE_IDS = ["../../X", "/abs/X", ".", "..", ".hidden", "a/b", "a\\b", "x" * 101, "tab\tid", "sp ace", "ünï", "a:b", "~"]


@dataclasses.dataclass
class Case:
    id: str
    category: str
    args: List[str]
    setup: Optional[Callable[[Path, "Assets"], None]] = None
    multiline: bool = False  # a list of manifest problems may take several lines


@dataclasses.dataclass
class Assets:
    latents: Path  # good [6, 3, 4] latents
    dynode: Path  # a good fitted linear model on them
    video: Path  # a good 4-frame toy clip (.mp4)
    frames: Path  # the same clip as a folder of PNGs


def _copy(src: Path, dst: Path) -> None:
    if src.is_dir():
        shutil.copytree(src, dst)
    else:
        shutil.copy(src, dst)


def _save(obj, name):
    def setup(s: Path, a: Assets):
        torch.save(obj() if callable(obj) else obj, s / name)
    return setup


def _write(name, data):
    def setup(s: Path, a: Assets):
        p = s / name
        p.parent.mkdir(parents=True, exist_ok=True)
        (p.write_bytes if isinstance(data, bytes) else p.write_text)(data)
    return setup


def _both(*setups):
    def setup(s: Path, a: Assets):
        for f in setups:
            f(s, a)
    return setup


def _assets(*names):
    def setup(s: Path, a: Assets):
        for n in names:
            _copy(getattr(a, n), s / getattr(a, n).name)
    return setup


def _npy(name, arr):
    def setup(s: Path, a: Assets):
        np.save(s / name, arr, allow_pickle=True)
    return setup


def _folder(name, files):
    def setup(s: Path, a: Assets):
        (s / name).mkdir()
        for fname, make in files.items():
            p = s / name / fname
            p.parent.mkdir(parents=True, exist_ok=True)
            v = make() if callable(make) else make
            if isinstance(v, bytes):
                p.write_bytes(v)
            elif isinstance(v, np.ndarray):
                np.save(p, v)
            else:
                torch.save(v, p)
    return setup


def _manifest(rows, name="m.csv", with_video=True):
    def setup(s: Path, a: Assets):
        if with_video:
            _copy(a.video, s / "a.mp4")
        (s / name).write_text("\n".join(",".join(r) for r in rows) + "\n")
    return setup


def latent_cases() -> List[Case]:
    fit = lambda f: ["fit", f"{{S}}/{f}", "--out", "{S}/o.dynode", "--model", "linear"]  # noqa: E731
    c = [
        ("missing", fit("nope.pt"), None),
        ("empty-file", fit("z.pt"), _write("z.pt", b"")),
        ("text-as-pt", fit("z.pt"), _write("z.pt", "hello")),
        ("zip-garbage", fit("z.pt"), _write("z.pt", b"PK\x03\x04" + b"\x00" * 40)),
        ("scalar", fit("z.pt"), _save(torch.tensor(3.0), "z.pt")),
        ("1d", fit("z.pt"), _save(torch.zeros(5), "z.pt")),
        ("one-frame", fit("z.pt"), _save(torch.zeros(1, 3, 4), "z.pt")),
        ("zero-width", fit("z.pt"), _save(torch.zeros(8, 0), "z.pt")),
        ("zero-frames", fit("z.pt"), _save(torch.zeros(0, 18, 512), "z.pt")),
        ("int8", fit("z.pt"), _save(torch.zeros(6, 4, dtype=torch.int8), "z.pt")),
        ("bool", fit("z.pt"), _save(torch.zeros(6, 4, dtype=torch.bool), "z.pt")),
        ("complex", fit("z.pt"), _save(torch.zeros(6, 4, dtype=torch.complex64), "z.pt")),
        ("all-nan", fit("z.pt"), _save(torch.full((6, 4), float("nan")), "z.pt")),
        ("inf-row", fit("z.pt"), _save(lambda: torch.cat([torch.zeros(5, 4), torch.full((1, 4), float("inf"))]), "z.pt")),
        ("dict-no-key", fit("z.pt"), _save({"generator": torch.zeros(2)}, "z.pt")),
        ("dict-of-str", fit("z.pt"), _save({"pivots": "abc"}, "z.pt")),
        ("list-mixed", fit("z.pt"), _save([torch.zeros(1, 4), torch.zeros(1, 5)], "z.pt")),
        ("list-empty", fit("z.pt"), _save([], "z.pt")),
        ("string", fit("z.pt"), _save("latents", "z.pt")),
        ("npy-object", fit("z.npy"), _npy("z.npy", np.array([{"a": 1}, None], dtype=object))),
        ("npy-str", fit("z.npy"), _npy("z.npy", np.array(["a", "b"]))),
        ("npy-truncated", fit("z.npy"), _write("z.npy", b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 512), }")),
        ("suffix-txt", fit("z.txt"), _write("z.txt", "1 2 3")),
        ("suffix-none", fit("z"), _write("z", "1 2 3")),
        ("empty-folder", fit("d"), _folder("d", {})),
        ("mixed-dtype-frames", fit("d"), _folder("d", {"00000/0.pt": torch.zeros(1, 4), "00001/0.pt": torch.zeros(1, 4, dtype=torch.int8)})),
        ("mixed-shape-frames", fit("d"), _folder("d", {"latent_code_00000.npy": np.zeros((1, 4), np.float32),
                                                       "latent_code_00001.npy": np.zeros((1, 5), np.float32)})),
        ("garbage-frame", fit("d"), _folder("d", {"00000/0.pt": torch.zeros(1, 4), "00001/0.pt": b"junk"})),
        ("pickled-frame", fit("d"), _folder("d", {"00000/0.pt": torch.zeros(1, 4), "00001/0.pt": lambda: {"x": Path("/")}})),
        ("fifo-like-dir-name", ["fit", "{S}/d/", "--out", "{S}/o.dynode"], _folder("d", {"a.bin": b"x"})),
    ]
    return [Case(f"latents/{i}", "latents", args, setup) for i, args, setup in c]


def _dynode_damage(kind):
    def setup(s: Path, a: Assets):
        data = bytearray(a.dynode.read_bytes())
        if kind == "truncate":
            data = data[: len(data) // 2]
        elif kind == "header-len":
            data[0:8] = (10**12).to_bytes(8, "little")
        elif kind == "json":
            n = int.from_bytes(data[:8], "little")
            data[8 + n // 2] = ord("{")
        elif kind == "zero":
            data = bytearray(len(data))
        (s / "m.dynode").write_bytes(bytes(data))
    return setup


def dynode_cases() -> List[Case]:
    interp = ["interpolate", "{S}/m.dynode", "--out", "{S}/o.pt"]
    c = [(k, interp, _dynode_damage(k)) for k in ("truncate", "header-len", "json", "zero")]
    c += [("text", interp, _write("m.dynode", "hello")), ("empty", interp, _write("m.dynode", b"")),
          ("dir", interp, _folder("m.dynode", {})), ("missing", interp, None),
          ("latents-as-model", interp, lambda s, a: _copy(a.latents, s / "m.dynode")),
          ("plain-safetensors", interp, lambda s, a: __import__("safetensors.torch").torch.save_file({"x": torch.zeros(2)}, str(s / "m.dynode")))]
    return [Case(f"dynode/{i}", "dynode", args, setup) for i, args, setup in c]


def video_cases() -> List[Case]:
    edit = lambda src: ["edit", "--input", f"{{S}}/{src}", "--edit", "colour=+1", "--out", "{S}/out"]  # noqa: E731
    metrics = lambda src: ["metrics", "--source", f"{{S}}/{src}", "--edited", f"{{S}}/{src}", "--metrics", "mse", "--json", "{S}/m.json"]  # noqa: E731
    c = [
        ("empty-mp4", edit("v.mp4"), _write("v.mp4", b"")),
        ("text-mp4", edit("v.mp4"), _write("v.mp4", "not a video")),
        ("truncated-mp4", edit("v.mp4"), lambda s, a: (s / "v.mp4").write_bytes(a.video.read_bytes()[:300])),
        ("png-as-mp4", edit("v.mp4"), lambda s, a: _copy(sorted(a.frames.iterdir())[0], s / "v.mp4")),
        ("unknown-suffix", edit("v.xyz"), _write("v.xyz", "x")),
        ("empty-folder", edit("f"), _folder("f", {})),
        ("non-images", edit("f"), _folder("f", {"a.png": b"not png", "b.png": b"junk"})),
        ("one-frame", edit("f"), lambda s, a: (s / "f").mkdir() or _copy(sorted(a.frames.iterdir())[0], s / "f" / "0.png")),
        ("sizes-differ", edit("f"), lambda s, a: _mixed_sizes(s / "f")),
        ("glob-nothing", edit("f/*.jpeg"), _folder("f", {})),
        ("metrics-text-mp4", metrics("v.mp4"), _write("v.mp4", "nope")),
        ("metrics-missing", metrics("nope.mp4"), None),
    ]
    return [Case(f"video/{i}", "videos", args, setup) for i, args, setup in c]


def _mixed_sizes(folder: Path) -> None:
    from PIL import Image

    folder.mkdir()
    Image.new("RGB", (16, 16)).save(folder / "0.png")
    Image.new("RGB", (20, 16)).save(folder / "1.png")


def manifest_cases() -> List[Case]:
    batch = lambda m="m.csv": ["batch", f"{{S}}/{m}", "--edit", "colour=+1", "--out", "{S}/out", "-q"]  # noqa: E731
    c = [(f"id-{i}", batch(), _manifest([["path", "id"], ["a.mp4", uid]])) for i, uid in enumerate(UNSAFE_IDS)]
    c += [
        ("no-path-col", batch(), _manifest([["file", "id"], ["a.mp4", "a"]])),
        ("unknown-col", batch(), _manifest([["path", "colour"], ["a.mp4", "1"]])),
        ("missing-file", batch(), _manifest([["path"], ["nope.mp4"]])),
        ("dup-id", batch(), _manifest([["path", "id"], ["a.mp4", "x"], ["a.mp4", "x"]])),
        ("strength-nan", batch(), _manifest([["path", "strength"], ["a.mp4", "nan"]])),
        ("strength-word", batch(), _manifest([["path", "strength"], ["a.mp4", "big"]])),
        ("times-inf", batch(), _manifest([["path", "times"], ["a.mp4", "0;inf"]])),
        ("times-missing-file", batch(), _manifest([["path", "times"], ["a.mp4", "{S}/t.npy"]])),
        # times files are loaded while the manifest is read (relative to its folder): a bad one on a later
        # row stops the batch before the first clip runs
        ("times-garbage-file-row-3", batch(), _both(_manifest([["path", "id", "times"], ["a.mp4", "a", ""], ["a.mp4", "b", "t.npy"]]),
                                                    _write("t.npy", b"\x93NUMPY garbage"))),
        ("times-nan-txt", batch(), _both(_manifest([["path", "times"], ["a.mp4", "t.txt"]]), _write("t.txt", "0\nnan\n1\n"))),
        ("times-json-file", batch(), _both(_manifest([["path", "times"], ["a.mp4", "t.json"]]), _write("t.json", "[0, 1]"))),
        ("times-empty-pt", batch(), _both(_manifest([["path", "times"], ["a.mp4", "t.pt"]]), _write("t.pt", b""))),
        ("header-only", batch(), _manifest([["path", "id"]])),
        ("empty", batch(), _write("m.csv", "")),
        ("binary", batch(), _write("m.csv", b"\xff\xfe\x00\x01garbage")),
        ("many-problems", batch(), _manifest([["path", "id", "strength"], ["nope.mp4", "../x", "a"], ["a.mp4", ".h", "inf"]])),
        ("missing-manifest", batch("nope.csv"), None),
        ("manifest-is-dir", batch("mdir"), _folder("mdir", {})),
        ("out-is-file", batch(), _both(_manifest([["path"], ["a.mp4"]]), _write("out", "x"))),
        ("corrupt-resume", batch() + ["--resume"], _both(_manifest([["path"], ["a.mp4"]]), _write("out/batch.json", "{not json"))),
        ("resume-list-json", batch() + ["--resume"], _both(_manifest([["path"], ["a.mp4"]]), _write("out/batch.json", "[1, 2]"))),
        ("foreign-out", batch(), _both(_manifest([["path"], ["a.mp4"]]), _write("out/mine.txt", "keep"))),
        ("input-in-out", ["batch", "{S}/out/m.csv", "--edit", "colour=+1", "--out", "{S}/out", "-q"],
         lambda s, a: (s / "out").mkdir() or _manifest([["path"], ["a.mp4"]], "out/m.csv", False)(s, a) or _copy(a.video, s / "out" / "a.mp4")),
    ]
    return [Case(f"manifest/{i}", "manifests", args, setup, multiline=True) for i, args, setup in c]


def _wplus_model(s: Path, a: Assets) -> None:
    """A model of [18, 512] latents: 100 000 query frames of it would be 3.7 GB."""
    from dynode_plugin.dynamics.baselines import LinearDynamics

    LinearDynamics().fit(torch.randn(4, 18, 512), progress=False).save(s / "w.dynode")


def option_cases() -> List[Case]:
    out: List[Case] = []
    L, D = "{S}/z.pt", "{S}/m.dynode"  # noqa: N806
    fit = lambda *o: ["fit", L, "--out", "{S}/o.dynode", "--model", "linear", *o]  # noqa: E731
    interp = lambda *o: ["interpolate", D, "--out", "{S}/o.pt", *o]  # noqa: E731
    prop = lambda *o: ["propagate", D, "--edited-first", "{S}/z0.pt", "--out", "{S}/o.pt", *o]  # noqa: E731
    setup = _both(lambda s, a: _copy(a.latents, s / "z.pt"), lambda s, a: _copy(a.dynode, s / "m.dynode"),
                  _save(torch.zeros(1, 3, 4), "z0.pt"), _write("t.csv", "1,2"), lambda s, a: (s / "dir").mkdir(),
                  _write("afile", "x"))
    for opt in ("--steps", "--seed", "--subspace-dim", "--observe-every", "--straightness"):
        for v in BAD_NUMBERS:
            if opt == "--straightness" and v in ("0", "1e20"):
                continue  # 0 is valid (unregularised); 1e20 is out of range, kept below
            if opt in ("--seed", "--subspace-dim") and v == "0":
                continue
            out.append(Case(f"opt/fit{opt}={v[:12]!r}", "options", fit(opt, v), setup))
    for v in BAD_NUMBERS:
        if v in ("1,2",):
            continue
        out.append(Case(f"opt/interp--fps={v[:12]!r}", "options", interp("--fps", v), setup))
        if v not in ("0x10",):
            out.append(Case(f"opt/interp--num={v[:12]!r}", "options", interp("--num", v), setup))
    for v in BAD_TIMES:
        for name, cmd in (("fit", fit), ("interp", interp), ("prop", prop)):
            if name != "fit" and v in ("0,1,1,2,3,4", "5,4,3,2,1,0"):
                continue  # query times may repeat and go backwards; only frame times must increase
            out.append(Case(f"opt/{name}--times={v[:14]!r}", "options", cmd("--times", v), setup))
    for o in ["", "{S}/dir", "{S}/afile/x.dynode", "{S}/" + "n" * 300 + ".dynode", "{S}/z.pt", "{S}/o.txt", "{S}/dir/"]:
        out.append(Case(f"opt/fit--out={o[-14:]!r}", "options", ["fit", L, "--out", o, "--model", "linear"], setup))
    for o in ["", "{S}/dir", "{S}/afile/x.pt", "{S}/m.dynode", "{S}/z0.pt", "{S}/o.dynode"]:
        out.append(Case(f"opt/prop--out={o[-14:]!r}", "options", ["propagate", D, "--edited-first", "{S}/z0.pt", "--out", o, "--force"], setup))
    out += [
        Case("opt/fit--report-json=dir", "options", fit("--report-json", "{S}/dir"), setup),
        Case("opt/fit--report-json=input", "options", fit("--report-json", L, "--force"), setup),
        Case("opt/fit--model=nope", "options", fit("--model", "nope"), setup),
        Case("opt/fit--solver=nope", "options", fit("--solver", "nope"), setup),
        Case("opt/fit--straightness=1e20", "options", fit("--straightness", "1e20"), setup),
        Case("opt/interp-two-of", "options", interp("--fps", "2x", "--num", "5"), setup),
        Case("opt/interp--num-huge", "options", interp("--num", "100001"), setup),
        Case("opt/interp--num-memory", "options", ["interpolate", "{S}/w.dynode", "--out", "{S}/o.pt", "--num", "100000"], _wplus_model),
        Case("opt/prop--times-memory", "options", ["propagate", "{S}/w.dynode", "--edited-first", "{S}/w.dynode", "--out", "{S}/o.pt",
                                                   "--times", ",".join(["0.5"] * 99_999)], _wplus_model),
        Case("opt/prop--mode=nope", "options", prop("--mode", "nope"), setup),
        Case("opt/prop-edited-empty", "options", ["propagate", D, "--edited-first", "{S}/e.pt", "--out", "{S}/o.pt"],
             _both(setup, _save(torch.zeros(0, 3, 4), "e.pt"))),
        Case("opt/prop-edited-int", "options", ["propagate", D, "--edited-first", "{S}/e.pt", "--out", "{S}/o.pt"],
             _both(setup, _save(torch.zeros(1, 3, 4, dtype=torch.int8), "e.pt"))),
        Case("opt/prop-edited-nan", "options", ["propagate", D, "--edited-first", "{S}/e.pt", "--out", "{S}/o.pt"],
             _both(setup, _save(torch.full((1, 3, 4), float("nan")), "e.pt"))),
        Case("opt/prop-edited-folder", "options", ["propagate", D, "--edited-first", "{S}/dir", "--out", "{S}/o.pt"], setup),
        Case("opt/demo--frames=0", "options", ["demo", "--out", "{S}/d", "--frames", "0"]),
        Case("opt/demo--frames=-5", "options", ["demo", "--out", "{S}/d", "--frames", "-5"]),
        Case("opt/demo--seed=2**64", "options", ["demo", "--out", "{S}/d", "--seed", str(2**64)]),
        Case("opt/demo--out=file", "options", ["demo", "--out", "{S}/afile"], setup),
        Case("opt/demo--out=nonempty", "options", ["demo", "--out", "{S}"], setup),
        Case("opt/demo--edit=nan", "options", ["demo", "--out", "{S}/d", "--edit", "colour=nan"]),
        Case("opt/demo--edit=unknown", "options", ["demo", "--out", "{S}/d", "--edit", "age=+1"]),
        Case("opt/edit--steps=0", "options", ["edit", "--input", "{S}/v.mp4", "--edit", "colour=+1", "--out", "{S}/o", "--steps", "0"], _assets("video")),
        Case("opt/edit--edit=inf", "options", ["edit", "--input", "{S}/v.mp4", "--edit", "colour=inf", "--out", "{S}/o"], _assets("video")),
        Case("opt/edit--host=nope", "options", ["edit", "--host", "nope", "--input", "{S}/v.mp4", "--edit", "colour=1", "--out", "{S}/o"], _assets("video")),
        Case("opt/edit--out=input", "options", ["edit", "--input", "{S}/v.mp4", "--edit", "colour=1", "--out", "{S}/v.mp4", "--force"], _assets("video")),
        Case("opt/edit--every=0", "options", ["edit", "--input", "{S}/v.mp4", "--edit", "colour=1", "--out", "{S}/o", "--every", "0"], _assets("video")),
        Case("opt/edit--frames=bad", "options", ["edit", "--input", "{S}/v.mp4", "--edit", "colour=1", "--out", "{S}/o", "--frames", "3,1,x"], _assets("video")),
        Case("opt/edit--fps-factor=1e6", "options", ["edit", "--input", "{S}/v.mp4", "--edit", "colour=1", "--out", "{S}/o", "--fps-factor", "1000000"], _assets("video")),
        Case("opt/batch--max-gap=-1", "options", ["batch", "{S}/m.csv", "--edit", "colour=1", "--out", "{S}/o", "--max-gap", "-1"], _manifest([["path"], ["a.mp4"]])),
        Case("opt/batch--workers=0", "options", ["batch", "{S}/m.csv", "--edit", "colour=1", "--out", "{S}/o", "--workers", "0"], _manifest([["path"], ["a.mp4"]])),
        Case("opt/batch--ray=bad", "options", ["batch", "{S}/m.csv", "--edit", "colour=1", "--out", "{S}/o", "--ray-address", "http://x"], _manifest([["path"], ["a.mp4"]])),
        Case("opt/batch--steps=1e20", "options", ["batch", "{S}/m.csv", "--edit", "colour=1", "--out", "{S}/o", "--steps", "1e20"], _manifest([["path"], ["a.mp4"]])),
        Case("opt/metrics--json=dir", "options", ["metrics", "--source", "{S}/v.mp4", "--edited", "{S}/v.mp4", "--metrics", "mse", "--json", "{S}/dir"],
             _both(_assets("video"), lambda s, a: (s / "dir").mkdir())),
        Case("opt/metrics--json=source", "options", ["metrics", "--source", "{S}/v.mp4", "--edited", "{S}/v.mp4", "--metrics", "mse", "--json", "{S}/v.mp4", "--force"], _assets("video")),
        Case("opt/metrics--fvd-stride=0", "options", ["metrics", "--source", "{S}/v.mp4", "--edited", "{S}/v.mp4", "--fvd-stride", "0"], _assets("video")),
    ]
    return out


def output_cases() -> List[Case]:
    """Further output options of the host commands: an existing file (no --force), an input, a file of
    an input folder (with --force). All refused before any checkout is looked at."""
    lat = _folder("lat", {"latent_code_00000.npy": b"user data"})
    mine = _write("mine.json", "user data")
    c = [
        ("lt-latents-out-exists", ["lt", "manipulate", "--lt-root", "{S}/x", "--latents-dir", "{S}/lat", "--attr", "Smiling",
                                   "--out", "{S}/o", "--latents-out", "{S}/mine.json"], _both(lat, mine)),
        ("lt-latents-out-in-input", ["lt", "manipulate", "--lt-root", "{S}/x", "--latents-dir", "{S}/lat", "--attr", "Smiling",
                                     "--out", "{S}/o", "--latents-out", "{S}/lat/latent_code_00000.npy", "--force"], lat),
        ("lt-report-exists", ["lt", "manipulate", "--lt-root", "{S}/x", "--latents-dir", "{S}/lat", "--attr", "Smiling",
                              "--out", "{S}/o", "--report-json", "{S}/mine.json"], _both(lat, mine)),
        ("lt-encode-out-is-input", ["lt", "encode", "--lt-root", "{S}/x", "--aligned-dir", "{S}/lat", "--out", "{S}/lat", "--force"], lat),
        ("stit-edit-report-exists", ["stit", "edit", "--stit-root", "{S}/x", "--report-json", "{S}/mine.json"], mine),
        ("stit-train-report-exists", ["stit", "train", "--stit-root", "{S}/x", "--report-json", "{S}/mine.json"], mine),
        ("stit-fit-out-is-checkpoint", ["stit", "fit", "--checkpoint", "{S}/mine.json", "--out", "{S}/mine.json", "--force"], mine),
        ("tcsve-out-exists", ["tcsve", "edit", "--tcsve-root", "{S}/x", "--run", "r", "--embeddings", "{S}/lat",
                              "--out", "{S}/mine.pth"], _both(lat, _write("mine.pth", "user data"))),
        ("edit-save-model-in-input", ["edit", "--input", "{S}/lat", "--edit", "colour=+1", "--out", "{S}/o",
                                      "--save-model", "{S}/lat/latent_code_00000.npy", "--force"], lat),
        ("edit-report-equals-save-model", ["edit", "--input", "{S}/lat", "--edit", "colour=+1", "--out", "{S}/o",
                                           "--save-model", "{S}/m.dynode", "--report-json", "{S}/m.dynode"], lat),
    ]
    return [Case(f"output/{i}", "outputs", args, setup) for i, args, setup in c]


def table_cases() -> List[Case]:
    return latent_cases() + dynode_cases() + video_cases() + manifest_cases() + option_cases() + output_cases()
