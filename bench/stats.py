"""Percentiles and ratios."""

from __future__ import annotations

import math


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(seconds: list[float]) -> dict[str, float]:
    return {
        "n": len(seconds),
        "p50_ms": round(percentile(seconds, 50) * 1000, 2),
        "p95_ms": round(percentile(seconds, 95) * 1000, 2),
        "p99_ms": round(percentile(seconds, 99) * 1000, 2),
    }


def ratios(subject: dict[str, float], baseline: dict[str, float]) -> dict[str, float]:
    """subject / baseline for p50, p95, p99."""
    out = {}
    for key in ("p50_ms", "p95_ms", "p99_ms"):
        base = baseline.get(key) or math.nan
        out[key.removesuffix("_ms")] = round(subject.get(key, math.nan) / base, 2)
    return out
