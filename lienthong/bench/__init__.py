"""Benchmarks run from the command line (`lienthong bench …`); not tests, no pass or fail."""

from lienthong.bench.codec import CodecBench, Measure, run_codec_bench
from lienthong.bench.freshness import (
    ChangeTimes,
    FreshnessBench,
    FreshnessPlan,
    LatencyLegs,
    latency_legs,
    run_freshness_bench,
)
from lienthong.bench.records import dossier_changes
from lienthong.bench.sink import SinkBench, SinkMeasure, SinkPlan, run_sink_bench, sink_changes
from lienthong.bench.sink_stores import BenchStores, StoreKind, postgres_stores, sqlite_stores
from lienthong.bench.summary import (
    LatencySummary,
    median_ratio,
    percentile,
    summarize_latencies,
)

__all__ = [
    "BenchStores",
    "ChangeTimes",
    "CodecBench",
    "FreshnessBench",
    "FreshnessPlan",
    "LatencyLegs",
    "LatencySummary",
    "Measure",
    "SinkBench",
    "SinkMeasure",
    "SinkPlan",
    "StoreKind",
    "dossier_changes",
    "latency_legs",
    "median_ratio",
    "percentile",
    "postgres_stores",
    "run_codec_bench",
    "run_freshness_bench",
    "run_sink_bench",
    "sink_changes",
    "sqlite_stores",
    "summarize_latencies",
]
