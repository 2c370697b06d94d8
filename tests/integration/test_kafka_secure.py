"""The bus on a secure broker (SASL/SCRAM-SHA-512 over TLS, ACLs): each agency publishes to its
own domain only, clients without valid credentials are refused, a revoked agency is refused,
and the real worker and a connector, each with its own principal, keep the centre in sync."""

import asyncio
import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError, TopicAuthorizationFailedError
from pydantic import SecretStr

from lienthong.agencies import AgencyDomain, ServiceRole, add_agency, add_service
from lienthong.kafka_clients import kafka_client_options
from lienthong.settings import KafkaSettings, Settings
from lienthong.topics import bus_topics, ensure_topics
from tests.cli_env import lienthong_env
from tests.e2e.test_connect_cli import CONNECTORS
from tests.integration.secure_kafka import (
    SecureBroker,
    as_principal,
    principal_kafka,
    secure_broker,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

__all__ = ["secure_broker"]  # the fixture, re-exported for pytest

AGENCY_A = "000.00.00.H41"
AGENCY_B = "000.00.00.G22"
REFUSED_WITHIN_S = 30.0
SYNC_WITHIN_S = 120.0
EVENTS = 10


@pytest.fixture
def secure_settings(bus_settings: Settings, secure_broker: SecureBroker) -> Settings:
    """The test's topics on the secure broker, created by the admin."""
    settings = as_principal(bus_settings, secure_broker.admin)
    asyncio.run(ensure_topics(settings, bus_topics(settings)))
    return settings


def _lienthong(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lienthong", *args],
        env=env, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip


async def _produce(kafka: KafkaSettings, topic: str) -> None:
    producer = AIOKafkaProducer(**kafka_client_options(kafka), acks="all")
    try:
        async with asyncio.timeout(REFUSED_WITHIN_S):
            await producer.start()
            await producer.send_and_wait(topic, b"{}", key=b"k")
    finally:
        await producer.stop()


def _refused(kafka: KafkaSettings, topic: str) -> KafkaError | TimeoutError:
    with pytest.raises((KafkaError, TimeoutError)) as refused:
        asyncio.run(_produce(kafka, topic))
    return refused.value


def test_an_agency_publishes_to_its_own_domain_only_until_revoked(
    secure_settings: Settings, secure_broker: SecureBroker, tmp_path: Path
) -> None:
    admin_env = lienthong_env(secure_settings)
    password_file = tmp_path / "agency-a.password"
    added = _lienthong(admin_env, "agencies", "add", AGENCY_A, "--domain", "motcua",
                       "--password-file", str(password_file))  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert password_file.stat().st_mode & 0o777 == 0o600
    assert password_file.read_text().strip() not in added.stdout
    asyncio.run(add_agency(secure_settings, AGENCY_B, AgencyDomain.LAND, []))
    agency_a = secure_broker.admin.model_copy(
        update={
            "sasl_username": AGENCY_A,
            "sasl_password": None,
            "sasl_password_file": password_file,
        }
    )
    topics = secure_settings.topics

    asyncio.run(_produce(agency_a, topics.dossiers))
    refused = _refused(agency_a, topics.land_parcels)
    assert isinstance(refused, TopicAuthorizationFailedError)

    listed = _lienthong(admin_env, "agencies", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    principals = {entry["principal"]: entry for entry in json.loads(listed.stdout)}
    assert principals[AGENCY_A]["scram_credential"] is True
    writes = {a["resource_name"] for a in principals[AGENCY_A]["acls"] if a["operation"] == "WRITE"}
    assert topics.dossiers in writes and topics.land_parcels not in writes
    assert AGENCY_B in principals

    revoked = _lienthong(admin_env, "agencies", "revoke", AGENCY_A)
    assert revoked.returncode == 0, revoked.stderr
    _refused(agency_a, topics.dossiers)
    again = _lienthong(admin_env, "agencies", "revoke", AGENCY_A)
    assert again.returncode != 0 and f"no principal {AGENCY_A}" in again.stderr


def test_clients_without_valid_credentials_are_refused(
    secure_settings: Settings, secure_broker: SecureBroker
) -> None:
    topic = secure_settings.topics.dossiers
    admin = secure_broker.admin
    plain = KafkaSettings(bootstrap_servers=admin.bootstrap_servers)
    wrong_password = admin.model_copy(update={"sasl_password": SecretStr("not-the-password")})
    untrusted_ca = admin.model_copy(update={"ssl_cafile": None})
    for kafka in (plain, wrong_password, untrusted_ca):
        _refused(kafka, topic)

    env = lienthong_env(as_principal(secure_settings, wrong_password))
    listed = _lienthong(env, "topics", "list")
    assert listed.returncode != 0
    assert len(listed.stderr.strip().splitlines()) == 1, listed.stderr
    assert "a wrong password" in listed.stderr and "LIENTHONG_KAFKA__SASL_*" in listed.stderr
    assert "not-the-password" not in listed.stderr


@pytest.fixture
def running(tmp_path: Path) -> Iterator[list[subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def test_the_worker_and_a_connector_sync_the_centre_each_as_its_own_principal(
    secure_settings: Settings,
    secure_broker: SecureBroker,
    tmp_path: Path,
    running: list[subprocess.Popen[str]],
) -> None:
    name = secure_settings.connector.name
    agency = asyncio.run(add_agency(secure_settings, AGENCY_A, AgencyDomain.MOTCUA, [name]))
    worker = asyncio.run(add_service(secure_settings, ServiceRole.WORKER, "centre-worker"))
    as_agency = as_principal(
        secure_settings, principal_kafka(secure_broker, agency.name, agency.password)
    )
    as_worker = as_principal(
        secure_settings, principal_kafka(secure_broker, worker.name, worker.password)
    )
    source_dsn = f"sqlite:///{secure_settings.var_dir / 'source' / 'motcua.db'}"
    agency_env = lienthong_env(
        as_agency, MOTCUA_DB_DSN=source_dsn, LIENTHONG_LOG__JSON_LINES="true"
    )
    worker_env = lienthong_env(as_worker, LIENTHONG_LOG__JSON_LINES="true")

    simulated = _lienthong(
        agency_env, "simulate", "onestop", "--events", str(EVENTS), "--rate", "500"
    )
    assert simulated.returncode == 0, simulated.stderr
    connectors = tmp_path / "connectors.yaml"
    connectors.write_text(CONNECTORS.format(name=name), encoding="utf-8")
    for command, env in (
        (["connect", "run", str(connectors)], agency_env),
        (["streams", "worker"], worker_env),
    ):
        process = subprocess.Popen(
            [sys.executable, "-m", "lienthong", *command],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        running.append(process)

    in_source = _dossiers_in(secure_settings.source_sqlite_path)
    assert in_source > 0
    centre = secure_settings.centre_sqlite_path
    deadline = time.monotonic() + SYNC_WITHIN_S
    while (count := _dossiers_in(centre)) < in_source:
        for process in running:
            assert process.poll() is None, process.communicate()[1][-3000:]
        assert time.monotonic() < deadline, f"the centre holds {count} of {in_source} dossiers"
        time.sleep(0.5)


def _dossiers_in(database: Path) -> int:
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(database) as db:
            row: Any = db.execute("SELECT count(*) FROM dossiers").fetchone()
    except sqlite3.OperationalError:  # the worker has not created its tables yet
        return 0
    return int(row[0])
