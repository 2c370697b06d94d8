"""`lienthong topics|lag|status` as an operator runs them, on the session's broker, registry
and a centre the stream worker keeps; and every one of them with the broker down."""

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lienthong.events import Operation
from lienthong.settings import Settings
from lienthong.topics import bus_topics, ensure_topics
from streams.centre import open_centre
from tests.cli_env import lienthong_env
from tests.conftest import free_port
from tests.factories import CITIZEN, dossier_change
from tests.integration.test_streams_worker import running_worker
from tests.integration.worker_support import (
    end_offsets,
    offsets_reached,
    produce_records,
    sent,
    tombstone,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

COMMAND_S = 60.0
TAIL_WAIT_S = 30.0


def environment(settings: Settings) -> dict[str, str]:
    return lienthong_env(settings, LIENTHONG_LOG__JSON_LINES="false")


def lienthong(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lienthong", *args],
        env=environment(settings),
        cwd=settings.var_dir.parent,
        capture_output=True,
        text=True,
        timeout=COMMAND_S,
        check=False,
    )


@pytest.fixture
async def bus(bus_settings: Settings) -> Settings:
    bus_settings.var_dir.mkdir(parents=True, exist_ok=True)
    await ensure_topics(bus_settings, bus_topics(bus_settings))
    return bus_settings


async def produce_samples(settings: Settings) -> None:
    """Two dossiers (one deleted), and a value that is not Avro, on the dossier topic."""
    now = datetime.now(UTC) - timedelta(seconds=5)
    first = dossier_change("HS-001", 1, Operation.CREATE)
    first = first.model_copy(
        update={"envelope": first.envelope.model_copy(update={"occurred_at": now})}
    )
    deleted = dossier_change("HS-002", 2, Operation.DELETE)
    topics = settings.topics
    await produce_records(
        settings,
        [
            sent(topics, first),
            sent(topics, deleted),
            tombstone(topics, deleted),
            sent(topics, dossier_change("HS-003", 1), value=b"not avro at all"),
        ],
    )


async def test_topics_list_describe_and_tail_decoded(bus: Settings) -> None:
    await produce_samples(bus)
    dossiers = bus.topics.dossiers

    listed = lienthong(bus, "topics", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    topics = {t["name"]: t for t in json.loads(listed.stdout)["topics"]}
    assert topics[dossiers]["records"] == 4 and topics[dossiers]["partitions"] == 3
    assert topics[bus.topics.connector_status]["cleanup_policy"] == "compact"
    assert not any(name.startswith("_") for name in topics)
    table = lienthong(bus, "topics", "list", "--all")
    assert table.returncode == 0 and dossiers in table.stdout and "_schemas" in table.stdout

    described = json.loads(lienthong(bus, "topics", "describe", dossiers, "--json").stdout)
    assert described["config"]["cleanup.policy"] == "delete"
    assert [p["partition"] for p in described["partition_offsets"]] == [0, 1, 2]
    assert sum(p["records"] for p in described["partition_offsets"]) == 4
    assert all(p["leader"] in p["replicas"] for p in described["partition_offsets"])

    tailed = lienthong(
        bus, "topics", "tail", dossiers, "--from-beginning", "--decode", "--limit", "4"
    )
    assert tailed.returncode == 0, tailed.stderr
    assert CITIZEN.name in tailed.stdout  # Vietnamese text as it is, not \u escapes
    assert '"dossier_no": "HS-001"' in tailed.stdout
    assert "CREATE" in tailed.stdout and "000.00.00.H41 / motcua" in tailed.stdout
    assert "tombstone" in tailed.stdout
    assert "15 bytes, not decoded: wrong magic byte" in tailed.stdout
    as_json = lienthong(
        bus, "topics", "tail", dossiers, "--from-beginning", "--decode", "--limit", "4", "--json"
    )
    records = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert len(records) == 4
    by_key = {(r["key"], r["tombstone"]): r for r in records}
    created = by_key[("HS-001", False)]
    assert created["envelope"]["operation"] == "CREATE"
    assert created["payload"]["after"]["applicant"]["name"] == CITIZEN.name
    assert by_key[("HS-002", True)]["value_length"] is None
    assert (
        "magic byte" in by_key[("HS-003", False)]["undecodable"]
        or by_key[("HS-003", False)]["undecodable"]
    )


async def start(settings: Settings, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "lienthong",
        *args,
        env=environment(settings),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_tail_follows_new_records_and_stops_on_ctrl_c(bus: Settings) -> None:
    dossiers = bus.topics.dossiers
    follower = await start(bus, "topics", "tail", dossiers, "--limit", "1")
    deadline = time.monotonic() + TAIL_WAIT_S
    version = 0
    while follower.returncode is None:  # tail starts at the end: write until it sees one
        assert time.monotonic() < deadline, "tail never printed a new record"
        version += 1
        await produce_records(bus, [sent(bus.topics, dossier_change("HS-NEW", version))])
        try:
            await asyncio.wait_for(follower.wait(), 1.0)
        except TimeoutError:
            pass
    out, err = await follower.communicate()
    assert follower.returncode == 0, err
    assert b"key=HS-NEW" in out and b"bytes:" in out

    waiting = await start(bus, "topics", "tail", dossiers)
    await asyncio.sleep(3.0)  # whether it is still starting or already tailing, Ctrl-C stops it
    waiting.send_signal(signal.SIGINT)
    _, err = await asyncio.wait_for(waiting.communicate(), COMMAND_S)
    assert waiting.returncode in (0, 130), err
    assert b"Traceback" not in err


def test_an_unknown_topic_is_one_line_and_exit_2(bus: Settings) -> None:
    for args in (("describe", "no.such.topic"), ("tail", "no.such.topic")):
        done = lienthong(bus, "topics", *args)
        assert done.returncode == 2
        assert done.stderr.strip() == "error: no topic named no.such.topic"


async def test_lag_and_status_of_a_running_worker(bus: Settings, tmp_path: Path) -> None:
    await produce_samples(bus)
    placed_end = await produce_records(bus, [sent(bus.topics, dossier_change("HS-004", 1))])
    with running_worker(bus, tmp_path / "worker.log") as worker:
        engine = open_centre(bus)
        try:
            ends = end_offsets(placed_end)
            ends = {at: max(end, 1) for at, end in ends.items()}
            await worker.wait_for(
                "the samples applied", offsets_reached(engine, bus.streams.app_id, ends)
            )
        finally:
            engine.dispose()
        status = await wait_for_json(bus, ("status", "--json"), lambda done, _: done == 0)
        document = await wait_for_json(
            bus, ("lag", "--json"), lambda done, lag: done == 0 and lag["total_lag"] == 0
        )

    assert document["group"] == bus.streams.app_id
    dossier_rows = [p for p in document["partitions"] if p["topic"] == bus.topics.dossiers]
    assert sum(p["end_offset"] for p in dossier_rows) == 5
    assert document["total_lag"] == 0
    assert any(p["event_time_lag_s"] is not None for p in dossier_rows)

    assert status["all_up"], status["components"]
    assert status["dead_letters"][bus.topics.dead_letter(bus.topics.dossiers)] == 1
    (motcua,) = [s for s in status["sources"] if s["system"] == "motcua"]
    assert motcua["agency"] == "000.00.00.H41" and motcua["events_applied"] == 3
    assert motcua["level"] == "healthy"
    assert {k["kind"] for k in status["centre"]} >= {"dossiers", "land_parcels"}
    assert f"{bus.topics.dossiers}-value" in {s["subject"] for s in status["subjects"]}

    stopped = lienthong(bus, "status")
    assert stopped.returncode == 1, stopped.stderr
    assert "workers" in stopped.stdout and "down" in stopped.stdout
    assert (
        "healthy" in stopped.stdout
        and bus.topics.dead_letter(bus.topics.dossiers) in stopped.stdout
    )


async def wait_for_json(
    settings: Settings, args: tuple[str, ...], ready: Callable[[int, dict[str, Any]], bool]
) -> dict[str, Any]:
    """The command's JSON once `ready(exit code, document)`: the worker joins its group and
    commits to Kafka a moment after it applied the records."""
    deadline = time.monotonic() + TAIL_WAIT_S
    while True:
        done = lienthong(settings, *args)
        assert done.stdout, done.stderr
        document: dict[str, Any] = json.loads(done.stdout)
        if ready(done.returncode, document) or time.monotonic() > deadline:
            return document
        await asyncio.sleep(1.0)


@pytest.mark.parametrize(
    "args",
    [
        ("topics", "list"),
        ("topics", "describe", "motcua.dossiers"),
        ("topics", "tail", "motcua.dossiers", "--decode"),
        ("lag",),
        ("lag", "some-group", "--json"),
        ("status",),
        ("status", "--json"),
        ("dlq", "list"),
        ("dlq", "show", "0"),
    ],
    ids=" ".join,
)
def test_every_command_with_the_broker_down_says_so_in_one_line(
    args: tuple[str, ...], tmp_path: Path
) -> None:
    address = f"127.0.0.1:{free_port()}"
    settings = Settings(var_dir=tmp_path / "var")
    env = environment(settings) | {"LIENTHONG_KAFKA__BOOTSTRAP_SERVERS": address}
    done = subprocess.run(
        [sys.executable, "-m", "lienthong", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_S,
        check=False,
    )
    assert done.returncode != 0
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"Kafka at {address} does not answer" in lines[0]
    assert "Traceback" not in done.stderr
