"""Shared fixtures: one real Kafka broker per test session, real PostgreSQL when configured.

Integration tests get a `bus_settings` whose topics, connector and consumer group are unique
to the test, so tests never see each other's events on the shared broker.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lienthong.devkafka import start_broker, stop_broker
from lienthong.ids import ConnectorName, TopicName
from lienthong.settings import (
    CentreSettings,
    ConnectorSettings,
    DevKafkaSettings,
    KafkaSettings,
    RegistrySettings,
    Settings,
    SourceSettings,
    StreamsSettings,
    TopicSettings,
    TrustSettings,
)

pytest_plugins = ["tests.privacy_env", "tests.log_privacy"]

REPO_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running broker: LIENTHONG_TEST_KAFKA if set, else one booted for this session."""
    given = os.environ.get("LIENTHONG_TEST_KAFKA")
    if given:
        yield given
        return
    home = tmp_path_factory.mktemp("kafka")
    settings = Settings(
        var_dir=home,
        dev=DevKafkaSettings(
            home=home,
            libs_dir=REPO_ROOT / "var" / "kafka" / "libs",
            broker_port=free_port(),
            controller_port=free_port(),
        ),
    )
    info = asyncio.run(start_broker(settings))
    try:
        yield info.bootstrap_servers
    finally:
        stop_broker(settings)


@pytest.fixture(scope="session")
def registry_url(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`lienthong registry serve` for the test session, its store on the session broker."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("registry") / "registry.log"
    env = os.environ | {
        "LIENTHONG_KAFKA__BOOTSTRAP_SERVERS": kafka_bootstrap,
        "LIENTHONG_REGISTRY__PORT": str(port),
        "LIENTHONG_LOG__JSON_LINES": "true",
    }
    url = f"http://127.0.0.1:{port}"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "lienthong", "registry", "serve"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_ready(url, process, log_path)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the registry exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the registry at {url} never became ready:\n{log_path.read_text()}")


@pytest.fixture(scope="session")
def postgres_admin_dsn() -> str:
    """DSN of a PostgreSQL role allowed to create databases (LIENTHONG_TEST_PG_DSN)."""
    dsn = os.environ.get("LIENTHONG_TEST_PG_DSN")
    if not dsn:
        if os.environ.get("CI"):
            pytest.fail("LIENTHONG_TEST_PG_DSN must be set in CI: PostgreSQL tests may not skip")
        pytest.skip("LIENTHONG_TEST_PG_DSN not set: no PostgreSQL to test against")
    return dsn


@pytest.fixture
def postgres_databases(postgres_admin_dsn: str) -> Iterator[Callable[[], str]]:
    """Makes fresh, empty PostgreSQL databases for one test; drops them afterwards."""
    import psycopg

    created: list[str] = []
    base, _, _ = postgres_admin_dsn.rpartition("/")

    def create() -> str:
        name = f"lt_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(postgres_admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return f"{base}/{name}"

    yield create
    with psycopg.connect(postgres_admin_dsn, autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_dsn(postgres_databases: Callable[[], str]) -> str:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    return postgres_databases()


@pytest.fixture
def bus_settings(kafka_bootstrap: str, registry_url: str, tmp_path: Path) -> Settings:
    """Settings pointing at the session broker, with names unique to this test."""
    suffix = uuid.uuid4().hex[:8]
    return Settings(
        var_dir=tmp_path / "var",
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        registry=RegistrySettings(url=registry_url),
        topics=TopicSettings(
            dossiers=TopicName(f"test.{suffix}.motcua.dossiers"),
            land_parcels=TopicName(f"test.{suffix}.land.parcels"),
            documents=TopicName(f"test.{suffix}.edoc.documents"),
            document_statuses=TopicName(f"test.{suffix}.edoc.statuses"),
            connector_offsets=TopicName(f"test.{suffix}.connect.offsets"),
            connector_status=TopicName(f"test.{suffix}.connect.status"),
            connector_control=TopicName(f"test.{suffix}.connect.control"),
            keys=TopicName(f"test.{suffix}.keys"),
        ),
        # Most tests hand-produce unsigned events; the signed path has its own tests
        # (tests/integration/test_signed_events.py), which require signatures.
        trust=TrustSettings(require_signatures=False),
        connector=ConnectorSettings(name=ConnectorName(f"test-{suffix}"), poll_interval_s=0.1),
        streams=StreamsSettings(app_id=f"test-{suffix}", web_port=free_port(), batch_within_s=0.2),
        centre=CentreSettings(),
        source=SourceSettings(),
    )
