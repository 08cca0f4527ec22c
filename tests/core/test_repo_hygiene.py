"""The repository's own text files: no merge-conflict markers left behind by a landing
(one reached docs/benchmarks.md once, splitting a section in two)."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEXT = (".py", ".md", ".cfg", ".toml", ".txt", ".yaml", ".yml", ".json", ".sh")
MARKER = re.compile(r"^(<{7} |={7}$|>{7} )", re.MULTILINE)


def _tracked_text_files():
    skip = {".git", ".ci", "build", "dist", "demo"}
    for p in ROOT.rglob("*"):
        rel = p.relative_to(ROOT).parts
        if p.is_file() and p.suffix in TEXT and not (set(rel[:-1]) & skip) and not any(s.endswith(".egg-info") for s in rel):
            yield p


def test_no_merge_conflict_markers():
    found = [f"{p.relative_to(ROOT)}:{text[:m.start()].count(chr(10)) + 1}"
             for p in _tracked_text_files() for text in [p.read_text(errors="ignore")] for m in MARKER.finditer(text)]
    assert not found, f"merge-conflict markers in: {', '.join(found)}"


def test_the_marker_pattern_finds_a_conflict():
    assert MARKER.search("a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> main\n")
    assert not MARKER.search("a heading\n=======  \n")  # an underline with trailing text is not a marker
