"""/metrics, /livez and /readyz of the real processes, as Prometheus and an orchestrator see
them: the streams worker applying events and a dead letter, the session's schema registry, and
`lienthong connect run --metrics-port`; and the dead letters' JSON log lines carrying their
event and correlation ids."""

import asyncio
import json
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from lienthong.events import ChangeEvent, Operation
from lienthong.settings import Settings
from tests.cli_env import lienthong_env
from tests.conftest import free_port
from tests.factories import AT, dossier_change
from tests.integration.test_streams_worker import running_worker
from tests.integration.worker_support import produce_records, sent
from tests.processes import stopped_on_exit
from tests.prometheus_text import Scrape

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

WAIT_S = 60.0
AGENCY = "000.00.00.H41"

Process = subprocess.Popen[bytes]


async def get(url: str) -> tuple[int, str]:
    """Status and body; 0 when nothing answers (yet)."""
    try:
        async with aiohttp.ClientSession() as session, session.get(url, timeout=5) as answer:
            return answer.status, await answer.text()
    except aiohttp.ClientConnectionError:
        return 0, ""


async def eventually(
    what: str, check: Callable[[], Awaitable[bool]], process: Process, log: Path
) -> None:
    """Poll `check` until it holds; fail at the deadline or once the process has exited."""
    deadline = time.monotonic() + WAIT_S
    while not await check():
        if process.poll() is not None:
            pytest.fail(f"exited {process.returncode} before {what}:\n{tail(log)}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {WAIT_S} s waiting for {what}:\n{tail(log)}")
        await asyncio.sleep(0.2)


def tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def logged(log: Path, event: str) -> list[dict[str, Any]]:
    """The JSON log lines of `log` whose event is `event`."""
    found = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{") and (record := json.loads(line)).get("event") == event:
            found.append(record)
    return found


def with_correlation(change: ChangeEvent, correlation_id: str) -> ChangeEvent:
    envelope = change.envelope.model_copy(update={"correlation_id": correlation_id})
    return change.model_copy(update={"envelope": envelope})


@pytest.mark.parametrize("centre_bus", ["sqlite"], indirect=True)
async def test_the_worker_reports_applied_events_dead_letters_and_readiness(
    centre_bus: Settings, log_path: Path
) -> None:
    settings, topics = centre_bus, centre_bus.topics
    applied = [dossier_change(f"HS-M{i}", 1, Operation.CREATE) for i in range(4)]
    refused = with_correlation(dossier_change("HS-M9", 1, Operation.CREATE), "hs-m9-submission")
    base = f"http://127.0.0.1:{settings.streams.web_port}"

    async def scrape() -> Scrape:
        return Scrape.parse((await get(f"{base}/metrics"))[1])

    async def ready() -> bool:
        return (await get(f"{base}/readyz"))[0] == 200

    with running_worker(settings, log_path) as worker:
        await eventually("/readyz answers 200", ready, worker.process, log_path)
        records = [sent(topics, change) for change in applied]
        records.append(sent(topics, refused, key="HS-NOT-M9"))  # its key is not its entity's
        placed = await produce_records(settings, records)

        async def all_counted() -> bool:
            found = await scrape()
            done = sum(v for _, v in found.samples.get("lienthong_worker_events_applied_total", []))
            return (
                done == len(applied)
                and found.value("lienthong_worker_dead_letters_total", topic=topics.dossiers) == 1
            )

        await eventually("the events counted", all_counted, worker.process, log_path)
        found = await scrape()
        assert (await get(f"{base}/livez"))[0] == 200
        assert await ready()

    per_partition: dict[int, list[int]] = {}
    for record in placed[: len(applied)]:
        per_partition.setdefault(record.partition, []).append(record.offset)
    for partition, offsets in per_partition.items():
        at = {"topic": topics.dossiers, "partition": str(partition)}
        assert found.value("lienthong_worker_events_applied_total", **at) == len(offsets)
        lag = found.value("lienthong_worker_event_time_lag_seconds", **at)
        assert lag is not None and lag > 0  # the samples happened in July 2025
    for record in placed:
        at = {"topic": topics.dossiers, "partition": str(record.partition)}
        last = max(p.offset for p in placed if p.partition == record.partition)
        assert found.value("lienthong_worker_last_applied_offset", **at) == last
    assert found.value("lienthong_worker_batch_seconds_count") is not None

    [line] = logged(log_path, "record dead-lettered")
    assert line["event_id"] == str(refused.envelope.event_id)
    assert line["correlation_id"] == "hs-m9-submission"
    assert line["stage"] == "TRANSFORMATION"
    assert (line["topic"], line["offset"]) == (topics.dossiers, placed[-1].offset)


async def test_the_registry_counts_requests_by_route_template_and_its_subjects(
    registry_url: str,
) -> None:
    subject = f"metrics-{uuid.uuid4().hex[:8]}-value"
    schema = {"type": "record", "name": "Probe", "fields": [{"name": "n", "type": "int"}]}
    before = Scrape.parse((await get(f"{registry_url}/metrics"))[1])
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{registry_url}/subjects/{subject}/versions") as answer:
            assert answer.status == 404
        body = {"schema": json.dumps(schema)}
        async with session.post(f"{registry_url}/subjects/{subject}/versions", json=body) as answer:
            assert answer.status == 200

    status, text = await get(f"{registry_url}/metrics")
    assert status == 200
    after = Scrape.parse(text)
    route = {"route": "/subjects/{subject}/versions"}
    missing = after.value("lienthong_registry_requests_total", method="GET", status="404", **route)
    assert missing is not None and missing >= 1
    added = after.value("lienthong_registry_requests_total", method="POST", status="200", **route)
    assert added is not None and added >= 1
    assert (
        after.value("lienthong_registry_subjects")
        == (before.value("lienthong_registry_subjects") or 0) + 1
    )
    assert after.value("lienthong_registry_ready") == 1
    assert subject not in text  # one series per route, never per subject
    assert (await get(f"{registry_url}/readyz"))[0] == 200
    assert (await get(f"{registry_url}/livez"))[0] == 200


CONNECTORS = """\
connectors:
  - name: {name}
    kind: outbox
    agency: {agency}
    system: dept
    domains: [dossiers]
    options:
      dsn: sqlite:///{database}
      columns: {{event_id: event_id}}
      routes: {{Dossier: dossiers}}
      poll_interval_s: 0.1
"""


def write_outbox(database: Path, rows: list[tuple[str, uuid.UUID, dict[str, Any]]]) -> None:
    """A department's outbox in the canonical payload format, one row per (key, id, payload)."""
    with closing(sqlite3.connect(database)) as conn, conn:
        conn.execute(
            "CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, aggregate_type TEXT,"
            " aggregate_id TEXT, event_type TEXT, payload TEXT, occurred_at TEXT, event_id TEXT)"
        )
        conn.executemany(
            "INSERT INTO outbox (aggregate_type, aggregate_id, event_type, payload, occurred_at,"
            " event_id) VALUES ('Dossier', ?, 'changed', ?, ?, ?)",
            [(key, json.dumps(p), AT.isoformat(), str(i)) for key, i, p in rows],
        )


def dossier_payload(key: str) -> dict[str, Any]:
    dossier = dossier_change(key, 1, Operation.CREATE).after
    assert dossier is not None
    return {"operation": "CREATE", "version": 1, "after": dossier.model_dump(mode="json")}


@contextmanager
def running_lienthong(args: list[str], env: dict[str, str], log: Path) -> Iterator[Process]:
    """`lienthong ARGS` in a subprocess writing to `log`; stopped by SIGTERM, it must exit 0."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "lienthong", *args],
            env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    with stopped_on_exit(process, f"lienthong {' '.join(args)}", lambda: tail(log)):
        yield process


async def test_connect_run_reports_each_connector_and_logs_dead_letters_with_their_ids(
    bus_settings: Settings, tmp_path: Path
) -> None:
    name = bus_settings.connector.name
    refused_id = uuid.uuid4()
    refused = dossier_payload("HS-C9") | {
        "after": {"dossier_no": "HS-C9"},  # nothing else a dossier must have
        "correlation_id": "hs-c9-submission",
    }
    rows = [(f"HS-C{i}", uuid.uuid4(), dossier_payload(f"HS-C{i}")) for i in range(3)]
    write_outbox(tmp_path / "outbox.db", [*rows, ("HS-C9", refused_id, refused)])
    connectors = tmp_path / "connectors.yaml"
    text = CONNECTORS.format(name=name, agency=AGENCY, database=tmp_path / "outbox.db")
    connectors.write_text(text, encoding="utf-8")
    port, log = free_port(), tmp_path / "connect.log"
    base = f"http://127.0.0.1:{port}"
    labels = {"connector": name, "kind": "outbox", "agency": AGENCY}
    command = ["connect", "run", str(connectors), "--metrics-port", str(port)]
    env = lienthong_env(bus_settings, LIENTHONG_LOG__JSON_LINES="true")
    with running_lienthong(command, env, log) as process:

        async def all_counted() -> bool:
            found = Scrape.parse((await get(f"{base}/metrics"))[1])
            return (
                found.value("lienthong_connector_published_total", **labels),
                found.value("lienthong_connector_dead_lettered_total", **labels),
            ) == (3, 1)

        await eventually("the connector's counts", all_counted, process, log)
        found = Scrape.parse((await get(f"{base}/metrics"))[1])
        assert found.value("lienthong_connector_up", **labels) == 1
        assert found.value("lienthong_connector_state", state="RUNNING", **labels) == 1
        assert (found.value("lienthong_connector_batches_total", **labels) or 0) >= 1
        committed_at = found.value("lienthong_connector_last_commit_timestamp_seconds", **labels)
        assert (committed_at or 0) > 0
        assert (await get(f"{base}/readyz"))[0] == 200
        assert (await get(f"{base}/livez"))[0] == 200

    [line] = logged(log, "change dead-lettered")
    assert line["event_id"] == str(refused_id)
    assert line["correlation_id"] == "hs-c9-submission"
    assert (line["connector"], line["stage"], line["source_position"]) == (name, "VALIDATE", "4")
