"""A development broker in secure mode (SASL/SCRAM-SHA-512 over TLS, ACLs), booted once per
test module on free ports from the same jars as the session's plain broker, and the settings
of clients that connect to it as one principal or another."""

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from lienthong.devkafka import start_broker, stop_broker
from lienthong.devkafka.security import admin_kafka_settings
from lienthong.settings import DevKafkaSettings, KafkaSettings, Settings
from tests.conftest import REPO_ROOT, free_port

__all__ = ["SecureBroker", "as_principal", "secure_broker"]


@dataclass(frozen=True)
class SecureBroker:
    admin: KafkaSettings
    """Client settings of the admin super-user."""
    ca_cert: Path


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    home = tmp_path_factory.mktemp("secure-kafka")
    settings = Settings(
        var_dir=home,
        dev=DevKafkaSettings(
            home=home,
            libs_dir=REPO_ROOT / "var" / "kafka" / "libs",
            broker_port=free_port(),
            controller_port=free_port(),
            secure=True,
        ),
    )
    info = asyncio.run(start_broker(settings))
    assert info.security is not None
    try:
        yield SecureBroker(admin_kafka_settings(settings, info.security), info.security.ca_cert)
    finally:
        stop_broker(settings)


def as_principal(settings: Settings, kafka: KafkaSettings) -> Settings:
    """`settings` (topics, registry, var dir…) with `kafka` as its Kafka connection."""
    return settings.model_copy(update={"kafka": kafka})


def principal_kafka(broker: SecureBroker, name: str, password: SecretStr) -> KafkaSettings:
    return broker.admin.model_copy(update={"sasl_username": name, "sasl_password": password})
