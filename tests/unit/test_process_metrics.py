"""What the connectors' and the worker's /metrics say, from their own counters: labels per
connector, up and state, readiness; applied events per partition, the last offset, the age of
the last applied event, and partitions forgotten once revoked."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from connectors.contract import Source, SourceItem
from connectors.metrics import connector_readiness, connectors_registry
from connectors.runner import ConnectorRunner
from connectors.spec import ConnectorSpec
from lienthong.ids import ConnectorName
from lienthong.settings import Settings
from streams.metrics import BatchTally, WorkerMetrics
from tests.prometheus_text import Scrape

NOW = datetime(2025, 7, 1, 3, 0, tzinfo=UTC)
AGENCY = "000.00.00.H41"


class QuietSource(Source):
    kind = "quiet"

    async def read(self, after: str | None, stop: asyncio.Event) -> AsyncIterator[SourceItem]:
        await stop.wait()
        return
        yield


def runner(name: str, kind: str = "outbox") -> ConnectorRunner:
    spec = ConnectorSpec(
        name=ConnectorName(name), kind=kind, agency=AGENCY, system="motcua", domains=("dossiers",)
    )
    return ConnectorRunner(QuietSource(spec, Settings()), Settings())


def test_each_connector_has_its_counters_labelled_by_connector_kind_and_agency() -> None:
    outbox, polling = runner("motcua-outbox"), runner("land-register", "polling")
    outbox.stats.published, outbox.stats.dead_lettered = 40, 2
    outbox.stats.last_commit_at = NOW
    polling.stats.published = 7

    scrape = Scrape.of(connectors_registry([outbox, polling]))

    labels = {"connector": "motcua-outbox", "kind": "outbox", "agency": AGENCY}
    assert scrape.value("lienthong_connector_published_total", **labels) == 40
    assert scrape.value("lienthong_connector_dead_lettered_total", **labels) == 2
    assert scrape.value("lienthong_connector_last_commit_timestamp_seconds", **labels) == (
        NOW.timestamp()
    )
    assert scrape.value("lienthong_connector_published_total", connector="land-register") == 7
    assert scrape.value("lienthong_connector_batches_total", kind="polling") == 0
    assert scrape.value("lienthong_connector_last_commit_timestamp_seconds", kind="polling") == 0


def test_up_and_state_follow_the_runner_and_readiness_waits_for_starting_ones() -> None:
    running, paused, retrying = runner("a"), runner("b"), runner("c")
    running.state = "RUNNING"
    paused.state = "PAUSED"
    retrying.state, retrying.last_error = "STARTING", "Kafka at 127.0.0.1:1 does not answer"

    scrape = Scrape.of(connectors_registry([running, paused, retrying]))

    assert scrape.value("lienthong_connector_up", connector="a") == 1
    assert scrape.value("lienthong_connector_up", connector="b") == 0
    assert scrape.value("lienthong_connector_up", connector="c") == 0
    assert scrape.value("lienthong_connector_state", connector="b", state="PAUSED") == 1
    assert scrape.value("lienthong_connector_state", connector="b", state="RUNNING") == 0
    assert scrape.value("lienthong_connector_state", connector="c", state="STARTING") == 1
    assert connector_readiness([running, paused, retrying]) == "c is STARTING"
    retrying.state, retrying.last_error = "RUNNING", None
    assert connector_readiness([running, paused, retrying]) is None


def tally(*changes: tuple[int, int, datetime], passed: tuple[int, int] | None = None) -> BatchTally:
    batch = BatchTally()
    for partition, offset, at in changes:
        batch.change("motcua.dossiers", partition, offset, at)
    if passed is not None:
        batch.passed("motcua.dossiers", *passed)
    return batch


def test_the_worker_counts_applied_events_per_partition_and_the_age_of_the_last() -> None:
    metrics = WorkerMetrics(clock=lambda: NOW)
    older, newer = NOW - timedelta(minutes=5), NOW - timedelta(seconds=30)
    metrics.committed(tally((0, 10, older), (0, 11, newer), (2, 4, older)), 0.2)
    metrics.committed(tally(passed=(0, 12)), 0.1)  # a tombstone: the offset moves, not the age
    metrics.dead_letters.labels("motcua.dossiers").inc()

    scrape = Scrape.of(metrics.registry)

    at = {"topic": "motcua.dossiers"}
    assert scrape.value("lienthong_worker_events_applied_total", **at, partition="0") == 2
    assert scrape.value("lienthong_worker_events_applied_total", **at, partition="2") == 1
    assert scrape.value("lienthong_worker_last_applied_offset", **at, partition="0") == 12
    assert scrape.value("lienthong_worker_event_time_lag_seconds", **at, partition="0") == 30
    assert scrape.value("lienthong_worker_event_time_lag_seconds", **at, partition="2") == 300
    assert scrape.value("lienthong_worker_dead_letters_total", **at) == 1
    assert scrape.value("lienthong_worker_batch_seconds_count") == 2
    assert scrape.value("lienthong_worker_store_failures_total") == 0


def test_a_revoked_partition_is_no_longer_reported_by_this_worker() -> None:
    metrics = WorkerMetrics(clock=lambda: NOW)
    metrics.committed(tally((0, 3, NOW), (1, 8, NOW)), 0.1)

    metrics.forget([("motcua.dossiers", 1)])

    scrape = Scrape.of(metrics.registry)
    assert [
        labels["partition"] for labels in scrape.labels("lienthong_worker_last_applied_offset")
    ] == ["0"]
    assert scrape.value("lienthong_worker_events_applied_total", partition="1") == 1
