"""Pure figures for benchmark reports: percentiles, latency summaries, medians of ratios."""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["LatencySummary", "median_ratio", "percentile", "summarize_latencies"]


@dataclass(frozen=True)
class LatencySummary:
    count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0 to 100) with linear interpolation between the closest ranks
    (numpy's default, `statistics.quantiles(method="inclusive")`); needs at least one value."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0..100")
    ordered = sorted(values)
    rank = q / 100 * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize_latencies(latencies_ms: Sequence[float]) -> LatencySummary | None:
    """p50, p95, p99 and max of `latencies_ms`; None when there are none."""
    if not latencies_ms:
        return None
    return LatencySummary(
        count=len(latencies_ms),
        p50_ms=percentile(latencies_ms, 50),
        p95_ms=percentile(latencies_ms, 95),
        p99_ms=percentile(latencies_ms, 99),
        max_ms=max(latencies_ms),
    )


def median_ratio(ours: Sequence[float], baseline: Sequence[float]) -> float:
    """Median over paired runs of ours / baseline: each pair ran back to back, so drift on a
    busy machine hits both sides of a ratio alike."""
    if len(ours) != len(baseline) or not ours:
        raise ValueError("ratios need the same number of runs on both sides, at least one")
    return statistics.median(o / b for o, b in zip(ours, baseline, strict=True))
