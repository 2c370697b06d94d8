"""`lienthong dlq` against a real broker, run as an operator runs it.

Two dead letters are written straight into the dead-letter topic, one as the stream worker
writes them and one as the outbox connector does; the CLI lists, shows and replays them.
"""

import asyncio
import json
import subprocess
import sys
import time

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from lienthong.settings import Settings
from lienthong.topics import bus_topics, ensure_topics
from tests.cli_env import lienthong_env

pytestmark = pytest.mark.integration

WAIT_S = 60.0
WORKER_KEY = b"000.00.00.H41-260101-0001"
WORKER_VALUE = b"\x00\x00\x00\x00\x07not avro"
CONNECTOR_KEY = b"000.00.00.H41-260101-0002"
CONNECTOR_ROW = json.dumps({"id": 42, "dossier_no": "000.00.00.H41-260101-0002"}).encode()


def worker_headers(settings: Settings) -> list[tuple[str, bytes]]:
    errors = {
        "topic": settings.topics.dossiers,
        "partition": "1",
        "offset": "17",
        "connector.name": settings.streams.app_id,
        "stage": "VALUE_CONVERTER",
        "exception.class.name": "lienthong.errors.SchemaError",
        "exception.message": "unknown schema id 7",
    }
    own = [("schema", b"vn.gov.motcua.DossierChange")]
    return own + [(f"__connect.errors.{name}", text.encode()) for name, text in errors.items()]


def connector_headers(settings: Settings) -> list[tuple[str, bytes]]:
    headers = {
        "__connect.errors.topic": settings.topics.dossiers,
        "__connect.errors.stage": "TRANSFORMATION",
        "__connect.errors.connector.name": settings.connector.name,
        "__connect.errors.exception.class.name": "pydantic_core._pydantic_core.ValidationError",
        "__connect.errors.exception.message": "status: unknown value 'X'",
        "lienthong.source.position": "42",
        "lienthong.connector": settings.connector.name,
    }
    return [(name, text.encode()) for name, text in headers.items()]


async def write_dead_letters(settings: Settings) -> None:
    await ensure_topics(settings, bus_topics(settings))
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all")
    await producer.start()
    try:
        dlq = settings.topics.dead_letter(settings.topics.dossiers)
        await producer.send_and_wait(
            dlq, key=WORKER_KEY, value=WORKER_VALUE, headers=worker_headers(settings)
        )
        await producer.send_and_wait(
            dlq, key=CONNECTOR_KEY, value=CONNECTOR_ROW, headers=connector_headers(settings)
        )
    finally:
        await producer.stop()


async def find_replayed(
    settings: Settings,
) -> tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]:
    """The first record on the dossier topic carrying `lienthong.replayed.from`."""
    topic = settings.topics.dossiers
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(settings.topics.partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    headers = list(record.headers)
                    if any(name == "lienthong.replayed.from" for name, _ in headers):
                        return record.key, record.value, headers
        pytest.fail(f"no replayed record on {topic} within {WAIT_S} s")
    finally:
        await consumer.stop()


def lienthong(settings: Settings, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lienthong", "dlq", *arguments],
        env=lienthong_env(settings),
        capture_output=True,
        text=True,
        timeout=WAIT_S * 2,
        check=False,
    )


def test_dead_letters_are_listed_shown_and_replayed(bus_settings: Settings) -> None:
    settings = bus_settings
    dlq = settings.topics.dead_letter(settings.topics.dossiers)
    asyncio.run(write_dead_letters(settings))

    listed = lienthong(settings, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    worker, connector = json.loads(listed.stdout)
    assert (worker["offset"], connector["offset"]) == (0, 1)
    assert worker["original"] == {"topic": settings.topics.dossiers, "partition": 1, "offset": 17}
    assert worker["key"] == WORKER_KEY.decode()
    assert worker["replayable"] is True
    assert connector["original"]["partition"] is None
    assert connector["value_preview"] == CONNECTOR_ROW.decode()
    assert connector["replayable"] is False
    assert {"name": "lienthong.source.position", "value": "42"} in connector["headers"]

    plain = lienthong(settings, "list")
    assert plain.returncode == 0, plain.stderr
    assert "SchemaError" in plain.stdout and "ValidationError" in plain.stdout

    shown = lienthong(settings, "show", "1", dlq)
    assert shown.returncode == 0, shown.stderr
    assert "  lienthong.connector: " + settings.connector.name in shown.stdout
    assert f"key          {CONNECTOR_KEY.decode()}" in shown.stdout

    refused = lienthong(settings, "replay", "1")
    assert refused.returncode != 0
    assert "raw outbox row" in refused.stderr
    assert "nothing was replayed" in refused.stderr

    replayed = lienthong(settings, "replay", "0", dlq)
    assert replayed.returncode == 0, replayed.stderr
    assert f"replayed {dlq}:0 -> {settings.topics.dossiers}" in replayed.stdout

    key, value, headers = asyncio.run(find_replayed(settings))
    assert (key, value) == (WORKER_KEY, WORKER_VALUE)
    assert headers == [
        ("schema", b"vn.gov.motcua.DossierChange"),
        ("lienthong.replayed.from", f"{dlq}:0".encode()),
    ]
