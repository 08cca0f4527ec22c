"""Make a set of toy clips and a manifest for `dynode batch` (no downloads, CPU only).

    python examples/make_toy_clips.py --clips 4 --frames 16 --out toy_clips/
    dynode batch toy_clips/manifest.csv --host toy --edit colour=+1 --out runs/colour/ --workers 2
    dynode metrics --source-set runs/colour/source --edited-set runs/colour/edited --metrics tl-id,tg-id \\
        --identity-encoder toy-appearance          # add fvd once the I3D weights are in place (docs/metrics.md)

The manifest is a CSV with a `path` column (relative to the manifest) and optional `id`,
`strength` (overrides --edit's strength for that clip) and `times` columns; every second clip
here gets its own strength to show the column.
"""
import argparse
import csv
from pathlib import Path

from dynode_plugin.toy.world import render_clip
from dynode_plugin.video import write_video


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=4)
    ap.add_argument("--frames", type=int, default=16)
    ap.add_argument("--out", default="toy_clips")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(args.clips):
        name = f"clip{i:03d}.mp4"
        write_video(render_clip(args.frames, seed=100 + i), out / name, fps=12)
        rows.append({"path": name, "id": f"clip{i:03d}", "strength": "" if i % 2 == 0 else "1.5"})
    with open(out / "manifest.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["path", "id", "strength"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {args.clips} clips and {out / 'manifest.csv'}")


if __name__ == "__main__":
    main()
