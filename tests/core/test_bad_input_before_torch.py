"""Bad input answers before torch is imported, on every command (issue 17: `import torch` alone
takes 1.5-5 s; a missing file, a bad option or an unusable output must answer at once).

One fresh interpreter runs every bad command line in-process and reports, for each, the exit
code, the first line of its message and whether torch had been imported by then."""
from __future__ import annotations

import json
import subprocess
import sys

LINES = [
    "fit missing.pt --out x.dynode",
    "fit z.pt --out x.dynode --steps 0",
    "fit z.pt --out z.pt --force",
    "interpolate missing.dynode --out o.pt",
    "interpolate m.dynode --out o.pt --fps nanx",
    "propagate m.dynode --edited-first missing.pt --out o.pt",
    "edit --input missing.mp4 --edit colour=+1 --out o",
    "edit --input z.pt --edit colour=+1 --out z.pt --force",
    "edit --host latent-transformer --input lat --edit Smiling=1 --out o",
    "edit --host tcsve --input lat --edit x=1 --out o.pth",
    "edit --host stit --input lat --edit x=1 --out o.pt",
    "batch missing.csv --edit colour=+1 --out o",
    "batch bad.csv --edit colour=+1 --out o",
    "batch bad.csv --host latent-transformer --edit Smiling=1 --out o",
    "demo --frames 0",
    "demo --out z.pt",
    "metrics --source missing.mp4 --edited missing.mp4",
    "lt manipulate --lt-root missing --latents-dir lat --attr Smiling --out o",
    "lt encode --lt-root missing --aligned-dir al --out o",
    "lt attrs --lt-root missing",
    "tcsve edit --tcsve-root missing --run r --out o.pth",
    "stit edit --stit-root missing",
    "stit train --stit-root missing",
    "stit fit --checkpoint missing.pt",
    "doctor --host lt --root missing",
]

SCRIPT = """
import json, shlex, sys
from click.testing import CliRunner
from dynode_plugin.cli import build_cli
cli = build_cli()
for line in json.loads(sys.argv[1]):
    r = CliRunner().invoke(cli, shlex.split(line))
    print(json.dumps([line, r.exit_code, (r.output.strip().splitlines() or [''])[0], 'torch' in sys.modules]))
"""


def test_every_command_answers_bad_input_before_importing_torch(tmp_path):
    for d in ("lat", "al"):
        (tmp_path / d).mkdir()
    for f in ("z.pt", "m.dynode"):
        (tmp_path / f).write_bytes(b"")  # they exist; the checks must fail before reading them
    (tmp_path / "bad.csv").write_text("path\nnope.mp4\n")
    out = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(LINES)], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(l) for l in out.stdout.splitlines()]
    assert [r[0] for r in rows] == LINES
    for line, code, first, torch_loaded in rows:
        if line.startswith("doctor"):  # a report of checks, exit 1 with `fix:` lines (its design)
            assert code == 1 and "missing" in first, (line, code, first)
        else:
            assert code == 2 and first.startswith("Error:"), (line, code, first)
        assert not torch_loaded, f"`dynode {line}` imported torch before answering: {first}"
