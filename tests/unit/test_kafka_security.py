"""Secure mode without a broker: client options and their checks, the secure broker's
properties, and the ACL grants of each role."""

from pathlib import Path
from typing import Any

import pytest
from faust.auth import SASLCredentials
from pydantic import SecretStr

from lienthong.agencies import (
    AgencyDomain,
    Operation,
    ResourceType,
    ServiceRole,
    agency_grants,
    service_grants,
)
from lienthong.devkafka import BrokerLayout, render_server_properties
from lienthong.devkafka.models import BrokerSecurity
from lienthong.errors import ConfigurationError
from lienthong.kafka_clients import faust_broker_credentials, kafka_client_options
from lienthong.settings import DevKafkaSettings, KafkaSettings, Settings

PASSWORD = "s3cret-value"


def _kafka(**given: Any) -> KafkaSettings:
    return KafkaSettings.model_validate({"bootstrap_servers": "127.0.0.1:9092", **given})


def test_plaintext_clients_get_the_bootstrap_servers_only() -> None:
    assert kafka_client_options(_kafka()) == {"bootstrap_servers": "127.0.0.1:9092"}
    assert faust_broker_credentials(_kafka()) is None


def test_sasl_clients_get_the_mechanism_principal_and_password() -> None:
    kafka = _kafka(
        security_protocol="SASL_PLAINTEXT", sasl_username="agency", sasl_password=PASSWORD
    )
    options = kafka_client_options(kafka)
    assert options["security_protocol"] == "SASL_PLAINTEXT"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("agency", PASSWORD)
    credentials = faust_broker_credentials(kafka)
    assert isinstance(credentials, SASLCredentials)
    assert credentials.mechanism.value == "SCRAM-SHA-512"
    assert PASSWORD not in repr(kafka) and PASSWORD not in repr(credentials)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"security_protocol": "SASL_SSL", "sasl_password": PASSWORD}, "SASL_USERNAME"),
        ({"security_protocol": "SASL_SSL", "sasl_username": "a"}, "exactly one of"),
        (
            {"security_protocol": "SASL_SSL", "sasl_username": "a", "sasl_password": PASSWORD,
             "sasl_password_file": "/p"},
            "exactly one of",
        ),
        ({"sasl_username": "a", "sasl_password": PASSWORD}, "sends none"),
        ({"ssl_cafile": "/ca.pem"}, "does not use TLS"),
        ({"security_protocol": "SSL", "ssl_keyfile": "/k.pem"}, "without LIENTHONG_KAFKA__SSL"),
        ({"security_protocol": "SSL", "ssl_cafile": "/no/such/ca.pem"}, "not a readable file"),
    ],
)  # fmt: skip
def test_inconsistent_security_settings_are_refused_without_echoing_the_password(
    given: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message) as refused:
        kafka_client_options(_kafka(**given))
    assert PASSWORD not in str(refused.value)


def _secure_properties(home: Path) -> dict[str, str]:
    settings = Settings(dev=DevKafkaSettings(home=home, broker_port=19092, controller_port=19093))
    layout = BrokerLayout.from_settings(settings)
    security = BrokerSecurity(
        "admin", SecretStr(PASSWORD), layout.ca_cert, layout.broker_keystore, None
    )
    text = render_server_properties(settings.dev, layout, security)
    pairs = (line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return dict(pairs)


def test_a_secure_broker_authenticates_every_listener_and_denies_what_no_acl_allows(
    tmp_path: Path,
) -> None:
    props = _secure_properties(tmp_path)
    assert props["listeners"] == "SASL_SSL://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["listener.security.protocol.map"] == "CONTROLLER:SSL,SASL_SSL:SASL_SSL"
    assert props["listener.name.controller.ssl.client.auth"] == "required"
    assert props["inter.broker.listener.name"] == "SASL_SSL"
    assert props["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert props["authorizer.class.name"].endswith("StandardAuthorizer")
    assert props["allow.everyone.if.no.acl.found"] == "false"
    assert props["super.users"] == "User:admin;User:CN=lienthong-dev-broker"
    assert props["ssl.keystore.type"] == props["ssl.truststore.type"] == "PEM"
    assert "PLAINTEXT://" not in props["listeners"]


def test_an_agency_may_write_its_own_domain_only() -> None:
    settings = Settings()
    grants = agency_grants(settings, "000.00.00.G22", AgencyDomain.LAND, ["land-cdc"])
    topics = settings.topics
    writes = {g.resource_name for g in grants if g.resource_type is ResourceType.TOPIC
              and g.operation is Operation.WRITE}  # fmt: skip
    assert writes == {
        topics.land_parcels,
        topics.dead_letter(topics.land_parcels),
        topics.connector_offsets,
        topics.connector_status,
    }
    reads = {g.resource_name for g in grants if g.operation is Operation.READ}
    assert reads == {topics.connector_offsets, topics.connector_control}
    transactional = {
        g.resource_name for g in grants if g.resource_type is ResourceType.TRANSACTIONAL_ID
    }
    assert transactional == {"lienthong-connect-land-cdc"}
    assert all(g.principal == "User:000.00.00.G22" for g in grants)


def test_the_worker_reads_the_centre_topics_in_its_own_group() -> None:
    settings = Settings()
    grants = service_grants(settings, ServiceRole.WORKER, "centre-worker")
    groups = {
        (g.resource_name, g.operation) for g in grants if g.resource_type is ResourceType.GROUP
    }
    assert groups == {(settings.streams.app_id, Operation.READ)}
    writes = {g.resource_name for g in grants if g.operation is Operation.WRITE}
    assert writes == {settings.topics.dead_letter(t) for t in settings.topics.centre_sources}
