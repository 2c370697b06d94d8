"""`lienthong dev up | status | down` against a real Kafka booted from Maven Central jars.

The jars are cached in the repository's var/kafka/libs (gitignored) and shared by every
run; each test's broker data lives in its own temporary home on free ports.
"""

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from lienthong.devkafka import (
    MANIFEST_NAME,
    BrokerLayout,
    broker_status,
    find_free_port,
    start_broker,
    stop_broker,
)
from lienthong.errors import ConfigurationError
from lienthong.settings import DevKafkaSettings, Settings

pytestmark = pytest.mark.integration

SHARED_LIBS = Path(__file__).resolve().parents[2] / "var" / "kafka" / "libs"
TOPIC = "lienthong.devkafka.check"


def _two_free_ports() -> tuple[int, int]:
    first = find_free_port()
    second = next(port for port in iter(find_free_port, None) if port != first)
    return first, second


def _dev_settings(home: Path, **overrides: object) -> Settings:
    broker_port, controller_port = _two_free_ports()
    dev = {
        "home": home,
        "libs_dir": SHARED_LIBS,
        "broker_port": broker_port,
        "controller_port": controller_port,
        **overrides,
    }
    return Settings(dev=DevKafkaSettings.model_validate(dev))


def _java_processes_of(home: Path) -> list[int]:
    """Pids whose command line mentions `home`, read from /proc."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "java" in command and str(home) in command:
            pids.append(int(entry.name))
    return pids


def _can_bind(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
        return True


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    settings = _dev_settings(tmp_path / "kafka")
    yield settings
    stop_broker(settings)  # whatever the test did, leave no broker behind


async def _round_trip(bootstrap: str, value: bytes) -> bytes:
    """Create the topic if needed, write `value` in a transaction, read it back committed."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        if TOPIC not in await admin.list_topics():
            await admin.create_topics([NewTopic(TOPIC, num_partitions=3, replication_factor=1)])
    finally:
        await admin.close()

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, transactional_id="devkafka-check")
    await producer.start()
    try:
        async with producer.transaction():
            await producer.send_and_wait(TOPIC, value, key=b"dossier-1")
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        TOPIC,
        bootstrap_servers=bootstrap,
        group_id=f"devkafka-check-{value.decode()}",
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    await consumer.start()
    try:
        while True:
            record = await asyncio.wait_for(consumer.getone(), timeout=60)
            if record.value == value:
                return value
    finally:
        await consumer.stop()


async def test_up_round_trip_status_noop_restart_down(settings: Settings) -> None:
    layout = BrokerLayout.from_settings(settings)

    info = await start_broker(settings)
    assert not info.already_running
    assert info.formatted_storage
    assert info.kafka_version == settings.dev.kafka_version
    assert info.bootstrap_servers == f"127.0.0.1:{settings.dev.broker_port}"
    assert await _round_trip(info.bootstrap_servers, b"first") == b"first"

    status = await broker_status(settings)
    assert (status.running, status.answering, status.pid) == (True, True, info.pid)
    assert status.data_dir == layout.data_dir

    manifest_mtime = (layout.libs_dir / MANIFEST_NAME).stat().st_mtime_ns
    again = await start_broker(settings)
    assert again.already_running
    assert not again.resolved_jars
    assert again.pid == info.pid
    assert (layout.libs_dir / MANIFEST_NAME).stat().st_mtime_ns == manifest_mtime

    assert stop_broker(settings) is True
    assert not (await broker_status(settings)).running

    restarted = await start_broker(settings)  # same data dir: reused, not formatted again
    assert not (restarted.already_running or restarted.resolved_jars)
    assert not restarted.formatted_storage
    assert await _round_trip(restarted.bootstrap_servers, b"second") == b"second"

    assert stop_broker(settings) is True
    assert stop_broker(settings) is False
    assert not layout.pid_file.exists()
    assert _java_processes_of(layout.home) == []
    assert _can_bind(settings.dev.host, settings.dev.broker_port)
    assert _can_bind(settings.dev.host, settings.dev.controller_port)
    assert "Kafka Server started" in layout.server_log.read_text(encoding="utf-8")


async def test_broker_that_dies_at_start_reports_its_log(tmp_path: Path) -> None:
    settings = _dev_settings(tmp_path / "kafka", heap="not-a-size")
    try:
        with pytest.raises(ConfigurationError, match="exited while starting") as caught:
            await start_broker(settings)
        assert "Invalid maximum heap size" in str(caught.value)
        assert _java_processes_of(BrokerLayout.from_settings(settings).home) == []
    finally:
        stop_broker(settings)
