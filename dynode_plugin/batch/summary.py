"""Aggregate per-clip records into set-level results: a table and ``summary.json``."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Dict, List, Optional

SCORES = ("tl_id", "tg_id", "flicker")


def _mean(values: List[float]) -> Optional[float]:
    vals = [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    return sum(vals) / len(vals) if vals else None


def summarize(records: List[Dict[str, Any]], settings: Dict[str, Any], seconds: float, skipped: List[str],
              set_metrics: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    ok = [r for r in records if r.get("status") == "ok"]
    return {
        "settings": settings,
        "clips": len(records),
        "ok": len(ok),
        "failed": [{"id": r["id"], "error": r.get("error")} for r in records if r.get("status") != "ok"],
        "resumed_from_previous_run": skipped,
        "seconds": seconds,
        "clips_per_minute": 60 * (len(records) - len(skipped)) / seconds if seconds > 0 else None,
        "mean": {k: _mean([r.get(k) for r in ok]) for k in SCORES},
        "set": set_metrics or {},
        "records": records,
    }


def format_table(summary: Dict[str, Any]) -> str:
    lines = [f"{'clip':<24} {'status':<8} {'frames':>6} {'TL-ID':>7} {'TG-ID':>7} {'secs':>7}"]
    for r in summary["records"]:
        f = lambda k: f"{r[k]:.4f}" if isinstance(r.get(k), float) else "-"  # noqa: E731
        lines.append(f"{r['id']:<24} {r.get('status', '?'):<8} {r.get('frames', '-')!s:>6} {f('tl_id'):>7} {f('tg_id'):>7} {r.get('seconds', 0):7.1f}")
    m = summary["mean"]
    fm = lambda v: f"{v:.4f}" if v is not None else "-"  # noqa: E731
    lines.append(f"{'mean (ok clips)':<24} {'':<8} {'':>6} {fm(m['tl_id']):>7} {fm(m['tg_id']):>7}")
    for k, v in summary["set"].items():
        lines.append(f"set {k}: {v}")
    lines.append(f"{summary['ok']}/{summary['clips']} clips ok" + (f", {len(summary['failed'])} failed" if summary["failed"] else ""))
    return "\n".join(lines)


def write_summary(out: Path, summary: Dict[str, Any]) -> Path:
    from .jobs import write_json

    path = Path(out) / "summary.json"
    write_json(path, summary)
    return path
