"""The benchmark report: each target judged from the figures that bear on it, never from a
run that did not measure what the target asks, and every figure shown in the document."""

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from lienthong.bench import FreshnessBench, LatencySummary, SinkBench, SinkMeasure, StoreKind
from lienthong.bench.codec import CodecBench, Measure
from lienthong.bench.machine import Machine, this_machine
from lienthong.bench.report import BenchReport, report_json, report_markdown, targets
from lienthong.bench.snapshot import SnapshotBench
from lienthong.cli.bench_report import _shown_command

MACHINE = Machine("Test CPU", 2, 24.0, "Linux 6", "3.11.7", "3.40.1")


def fresh(rate: float, achieved: float, p99: float, rss: float | None = 120.0) -> FreshnessBench:
    latency = LatencySummary(100, p99 / 3, p99 / 2, p99, p99 * 1.2)
    return FreshnessBench(
        30.0, rate, achieved, 100, 100, True, "postgresql", 0.2, 0.2,
        latency, latency, latency, rss,
    )  # fmt: skip


def report(**given: Any) -> BenchReport:
    base = BenchReport(datetime(2026, 11, 24, 1, 0, tzinfo=UTC), MACHINE, "lienthong bench "
                       "report", "4.0.2", "15.18")  # fmt: skip
    return replace(base, **given)


def verdicts(r: BenchReport) -> dict[str, str]:
    return {t.name: t.verdict for t in targets(r)}


def test_nothing_run_is_nothing_judged() -> None:
    assert set(verdicts(report()).values()) == {"not measured"}


def test_codec_and_sink_are_judged_on_their_weakest_side() -> None:
    codec = CodecBench(1000, 3, 600.0, Measure("encode+frame", 95, 100, 0.95),
                       Measure("decode", 80, 100, 0.80))  # fmt: skip
    sink = SinkBench(1000, 100, 500, 3, 3, 600.0, (
        SinkMeasure(StoreKind.SQLITE, 60, 100, 0.6, 100, 100),
        SinkMeasure(StoreKind.POSTGRESQL, 40, 100, 0.4, 100, 100),
    ))  # fmt: skip
    found = verdicts(report(codec=codec, sink=sink))
    assert (found["codec"], found["centre sink"]) == ("missed", "missed")


def test_freshness_counts_only_a_run_that_held_the_target_rate() -> None:
    held = report(freshness=(fresh(500, 500, 90), fresh(2000, 1990, 200)))
    assert verdicts(held)["freshness"] == "met"
    not_held = report(freshness=(fresh(2000, 1200, 200),))
    assert verdicts(not_held)["freshness"] == "missed"
    other_rate = report(freshness=(fresh(500, 500, 90),))
    assert verdicts(other_rate)["freshness"] == "not measured"


def test_memory_is_the_highest_peak_of_any_run() -> None:
    r = report(freshness=(fresh(500, 500, 90, 120.0), fresh(2000, 2000, 90, 310.0)))
    memory = next(t for t in targets(r) if t.name == "worker memory")
    assert (memory.verdict, memory.measured) == ("missed", "310 MB")


def test_a_snapshot_into_kafka_alone_only_proves_a_miss() -> None:
    slow = SnapshotBench(1_000_000, 1000, 500, 3, 10.0, 137.8, 7257.0, 2000)
    fast = SnapshotBench(1_000_000, 1000, 500, 3, 10.0, 40.0, 25000.0, 2000)
    assert verdicts(report(snapshot=slow))["backfill"] == "missed"
    assert verdicts(report(snapshot=fast))["backfill"] == "not measured"


def test_the_document_states_machine_command_and_every_figure() -> None:
    r = report(freshness=(fresh(2000, 1990, 200),), skipped=("backfill: no database",))
    text = report_markdown(r)
    assert "Test CPU, 2 cores, 24 GiB" in text and "`lienthong bench report`" in text
    assert "| 2,000 | 1,990 | postgresql | 67 | 100 | 200 |" in text
    assert "- backfill: no database" in text
    assert json.loads(report_json(r))["freshness"][0]["rate_per_s"] == 2000


def test_this_machine_is_described() -> None:
    machine = this_machine()
    assert machine.cores >= 1 and machine.memory_gib > 0 and machine.python


def test_the_command_shown_in_the_report_never_holds_a_password() -> None:
    shown = _shown_command(
        [
            "--dsn",
            "postgresql://bench:s3cret@db:5432/b",
            "--dsn=postgresql://bench:s3cret@db/b",
            "--quick",
        ]
    )
    assert "s3cret" not in shown
    assert shown.startswith("lienthong bench report --dsn 'postgresql://bench:***@db:5432/b'")
    assert shown.endswith("--quick")
