"""``dynode metrics``: score edited videos against their sources; table + JSON record."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

import click

DEFAULT = "tl-id,tg-id,acd,mse,ssim"


def _pairs_from_sets(src_dir: Path, edt_dir: Path) -> List[Tuple[str, Path, Path]]:
    from ..errors import DynodeInputError

    def items(d: Path):
        if not d.is_dir():
            raise DynodeInputError(f"--source-set/--edited-set must be folders of videos or frame folders; {d} is not a folder")
        return {p.stem: p for p in d.iterdir() if not p.name.startswith(".")}

    src, edt = items(src_dir), items(edt_dir)
    common = sorted(set(src) & set(edt))
    missing = sorted(set(src) ^ set(edt))
    if not common:
        raise DynodeInputError(f"no videos with matching names in {src_dir} and {edt_dir}")
    if missing:
        raise DynodeInputError(f"videos present in only one of the sets: {missing[:10]}; each source needs its edited video of the same name")
    return [(k, src[k], edt[k]) for k in common]


def score_pair(source, edited, metrics, encoder, on_missing: str) -> Dict[str, Any]:
    from ..errors import DynodeInputError
    from ..plugins import get_registry

    if source.shape[0] != edited.shape[0]:
        raise DynodeInputError(f"source has {source.shape[0]} frames but edited has {edited.shape[0]}; metrics compare frame t with frame t")
    reg = get_registry()
    out: Dict[str, Any] = {"frames": int(source.shape[0])}
    emb = None
    for mid in metrics:
        m = reg.get("metrics", mid)()
        if m.needs == "identity":
            if emb is None:
                emb = (encoder.embed(source), encoder.embed(edited))
            out[mid] = {**m.compute(emb[0], emb[1], on_missing=on_missing), "encoder": encoder.describe()}
        elif m.needs == "frames":
            out[mid] = m.compute(source, edited)
    return out


def fvd_over_sets(pairs, encoder, clip_len: int = 16) -> Dict[str, Any]:
    from ..video import read_frames
    from .frechet import RunningStats, frechet_from_stats

    stats = {}
    clips_used = 0
    for _, sp, ep in pairs:
        for which, p in (("source", sp), ("edited", ep)):
            frames, _ = read_frames(p)
            n = len(frames) // clip_len
            if n == 0:
                continue
            feats = encoder.embed_clips(frames[: n * clip_len].reshape(n, clip_len, *frames.shape[1:]))
            stats.setdefault(which, RunningStats(feats.shape[1])).update(feats.numpy())
            clips_used += n if which == "source" else 0
    return {"value": frechet_from_stats(stats["source"], stats["edited"]), "clips_per_set": clips_used,
            "clip_len": clip_len, "encoder": encoder.describe()}


@click.command("metrics")
@click.option("--source", type=click.Path(), help="Source video or frame folder.")
@click.option("--edited", type=click.Path(), help="Edited video or frame folder (same number of frames).")
@click.option("--source-set", type=click.Path(), help="Folder of source videos (matched to --edited-set by name).")
@click.option("--edited-set", type=click.Path(), help="Folder of edited videos.")
@click.option("--metrics", "metric_list", default=DEFAULT, show_default=True, help="Comma-separated: tl-id,tg-id,acd,acd-source,mse,ssim,fvd.")
@click.option("--identity-encoder", default="dlib", show_default=True, help="Encoder for TL-ID/TG-ID/ACD (see `dynode plugins`).")
@click.option("--video-encoder", default="i3d-torchscript", show_default=True, help="Encoder for FVD.")
@click.option("--i3d-weights", default=None, help="Path of the I3D weights for FVD.")
@click.option("--on-missing-face", type=click.Choice(["skip", "error"]), default="skip", show_default=True,
              help="skip: leave frames with no face out of every pair (counted in the JSON); error: stop, as STIT does.")
@click.option("--json", "json_out", type=click.Path(), default=None, help="Write every number with its encoder, weights sha256, frames and settings.")
def metrics_cmd(source, edited, source_set, edited_set, metric_list, identity_encoder, video_encoder, i3d_weights, on_missing_face, json_out):
    """Score edited videos against their sources (TL-ID, TG-ID, ACD, FVD, MSE, SSIM)."""
    from ..atomic import atomic_path
    from ..errors import DynodeInputError
    from ..plugins import get_registry
    from ..video import read_frames

    reg = get_registry()
    metrics = [m.strip() for m in metric_list.split(",") if m.strip()]
    for m in metrics:
        reg.get("metrics", m)  # unknown names fail here, listing the known ones
    if bool(source) != bool(edited) or bool(source_set) != bool(edited_set) or bool(source) == bool(source_set):
        raise DynodeInputError("give either --source and --edited, or --source-set and --edited-set")
    pairs = [(Path(source).stem, Path(source), Path(edited))] if source else _pairs_from_sets(Path(source_set), Path(edited_set))
    if "fvd" in metrics and source:
        raise DynodeInputError("FVD compares distributions of clips: use --source-set and --edited-set")
    needs_identity = any(reg.get("metrics", m).needs == "identity" for m in metrics)
    enc = reg.get("encoders", identity_encoder)() if needs_identity else None
    per_video = {}
    for name, sp, ep in pairs:
        (s, _), (e, _) = read_frames(sp), read_frames(ep)
        per_video[name] = score_pair(s, e, [m for m in metrics if m != "fvd"], enc, on_missing_face)
    summary: Dict[str, Any] = {}
    for m in metrics:
        if m == "fvd":
            venc = reg.get("encoders", video_encoder)(i3d_weights) if i3d_weights else reg.get("encoders", video_encoder)()
            summary[m] = fvd_over_sets(pairs, venc)
            continue
        vals = [v[m]["value"] for v in per_video.values() if v[m]["value"] is not None]
        summary[m] = {"value": sum(vals) / len(vals) if vals else None, "videos": len(vals)}
    click.echo(f"{'metric':<12} {'value':>10}  videos")
    for m, r in summary.items():
        v = r["value"]
        click.echo(f"{m:<12} {('%.4f' % v) if v is not None else '-':>10}  {r.get('videos', r.get('clips_per_set', ''))}")
    if json_out:
        record = {"settings": {"metrics": metrics, "identity_encoder": identity_encoder, "on_missing_face": on_missing_face,
                               "definitions": "see dynode_plugin/metrics/identity.py"},
                  "summary": summary, "videos": per_video}
        with atomic_path(json_out) as tmp:
            tmp.write_text(json.dumps(record, indent=2))
        click.echo(f"wrote {json_out}")
