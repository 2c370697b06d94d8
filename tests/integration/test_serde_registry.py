"""The serde and the registry client against the real registry service, over loopback HTTP.

The registry runs in the test's event loop on a topic of its own on the session broker.
"""

import asyncio
import copy
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from lienthong.ids import SchemaId, Subject, TopicName
from lienthong.registry import running_registry
from lienthong.serde import (
    AvroDeserializer,
    AvroSchema,
    AvroSerializer,
    CompatibilityLevel,
    IncompatibleSchemaError,
    RegistryClient,
    RegistryUnavailableError,
    SchemaNotFoundError,
    SchemaNotRegisteredError,
    SubjectNotFoundError,
    load_catalog,
    repo_schema,
    unframe,
)
from lienthong.serde.governance import check_subject, register_subject
from lienthong.settings import RegistrySettings, Settings
from schemas import DOSSIER_CHANGE
from tests.conftest import free_port
from tests.factories import dossier_change

pytestmark = pytest.mark.integration

WAIT_S = 30.0
SCHEMA = repo_schema(DOSSIER_CHANGE)


@pytest.fixture
def settings(bus_settings: Settings) -> Settings:
    topic = TopicName(f"_schemas_{uuid.uuid4().hex[:10]}")
    registry = RegistrySettings(port=free_port(), topic=topic, request_timeout_s=WAIT_S)
    return bus_settings.model_copy(update={"registry": registry})


@pytest.fixture
async def url(settings: Settings) -> AsyncIterator[str]:
    async with running_registry(settings) as running:
        yield running


@pytest.fixture
async def client(url: str) -> AsyncIterator[RegistryClient]:
    async with RegistryClient.connect(url, timeout_s=WAIT_S) as registry_client:
        yield registry_client


def _with_optional_field(schema: AvroSchema, name: str, type_: Any = "string") -> AvroSchema:
    schema_json = copy.deepcopy(schema.json)
    field: dict[str, Any] = {"name": name, "type": type_}
    if type_ != "string":
        field["default"] = None
    schema_json["fields"][0]["type"]["fields"].append(field)
    return AvroSchema.from_json(schema_json)


async def test_register_lookup_and_fetch_by_id(client: RegistryClient, url: str) -> None:
    subject = Subject("motcua.dossiers-value")
    schema_id = await client.register(subject, SCHEMA)
    assert await client.register(subject, SCHEMA) == schema_id
    async with RegistryClient.connect(url) as fresh:
        assert await fresh.lookup(subject, SCHEMA) == schema_id
        assert (await fresh.schema_by_id(schema_id)).shape == SCHEMA.shape
        latest = await fresh.latest(subject)
        assert (latest.version, latest.schema_id) == (1, schema_id)
        assert await fresh.subjects() == [subject]
        assert await fresh.versions(subject) == [1]


async def test_a_record_round_trips_through_real_http(client: RegistryClient, url: str) -> None:
    serializer = AvroSerializer(client, SCHEMA)
    await serializer.prepare(TopicName("motcua.dossiers"))
    sent = dossier_change("000.00.00.H41-250701-0042", 4)
    data = serializer.encode(sent.to_avro())
    async with RegistryClient.connect(url) as consumer_side:
        deserializer = AvroDeserializer(consumer_side, reader=SCHEMA)
        received = type(sent).from_avro(await deserializer.decode_async(data))
    assert received == sent
    assert unframe(data).schema_id == serializer.schema_id


async def test_an_old_writer_registered_first_is_read_in_the_current_shape(
    client: RegistryClient,
) -> None:
    old_json = copy.deepcopy(SCHEMA.json)
    fields = old_json["fields"][0]["type"]["fields"]
    fields.remove(next(f for f in fields if f["name"] == "correlation_id"))
    old = AvroSchema.from_json(old_json)
    writer = AvroSerializer(client, old)
    await writer.prepare(TopicName("motcua.dossiers"))
    record = dossier_change("000.00.00.H41-250701-0007", 2).to_avro()
    del record["envelope"]["correlation_id"]
    decoded = await AvroDeserializer(client, reader=SCHEMA).decode_async(writer.encode(record))
    assert decoded["envelope"]["correlation_id"] is None


async def test_an_unknown_schema_id_is_40403(client: RegistryClient) -> None:
    deserializer = AvroDeserializer(client, reader=SCHEMA)
    with pytest.raises(SchemaNotFoundError) as caught:
        await deserializer.decode_async(b"\x00\x00\x00\x30\x39\x02")
    assert caught.value.error_code == 40403
    assert not caught.value.retriable


async def test_lookup_only_refuses_an_unregistered_schema(client: RegistryClient) -> None:
    serializer = AvroSerializer(client, SCHEMA, auto_register=False)
    with pytest.raises(SchemaNotRegisteredError, match=r"motcua\.dossiers-value"):
        await serializer.prepare(TopicName("motcua.dossiers"))
    with pytest.raises(SubjectNotFoundError) as caught:
        await client.latest(Subject("motcua.dossiers-value"))
    assert caught.value.error_code == 40401


async def test_the_subject_level_refuses_an_incompatible_schema(client: RegistryClient) -> None:
    subject = Subject("motcua.dossiers-value")
    assert await client.set_config(CompatibilityLevel.FULL_TRANSITIVE, subject) is (
        CompatibilityLevel.FULL_TRANSITIVE
    )
    assert await client.get_config(subject) is CompatibilityLevel.FULL_TRANSITIVE
    await client.register(subject, SCHEMA)
    required = _with_optional_field(SCHEMA, "trace_id")  # "string", no default: required
    verdict = await client.check_compatibility(subject, required)
    assert not verdict.is_compatible
    with pytest.raises(IncompatibleSchemaError) as caught:
        await client.register(subject, required)
    assert caught.value.error_code == 409
    optional = _with_optional_field(SCHEMA, "trace_id", ["null", "string"])
    assert (await client.check_compatibility(subject, optional)).is_compatible
    assert await client.register(subject, optional) != await client.lookup(subject, SCHEMA)


async def test_governance_registers_at_the_declared_level_and_checks(
    client: RegistryClient,
) -> None:
    spec = load_catalog().find(DOSSIER_CHANGE)
    registration = await register_subject(client, spec, SCHEMA)
    assert (registration.version, registration.compatibility) == (1, spec.compatibility)
    assert (await check_subject(client, spec, SCHEMA)).compatible
    refused = await check_subject(client, spec, _with_optional_field(SCHEMA, "trace_id"))
    assert [(p.field, p.rule) for p in refused.problems] == [
        ("envelope.trace_id", "reader_field_missing_default_value")
    ]


async def _cli(url: str, *args: str) -> tuple[int, str]:
    """`lienthong schemas ARGS` in a process of its own, as an operator runs it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from lienthong.cli.schemas import schemas_app; schemas_app()",
        *args,
        env={**os.environ, "LIENTHONG_REGISTRY__URL": url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), WAIT_S)
    return await process.wait(), output.decode()


async def test_the_cli_registers_and_checks_against_the_registry(url: str) -> None:
    code, output = await _cli(url, "register", "--json")
    assert code == 0, output
    subjects = {row["subject"] for row in json.loads(output)}
    assert subjects == {spec.subject for spec in load_catalog()}
    code, output = await _cli(url, "check")
    assert code == 0, output
    assert "motcua.dossiers-value (FULL_TRANSITIVE): compatible with registry v1" in output
    code, output = await _cli(url, "list", "--registry", "--json")
    registry_rows = json.loads(output)["registry"]
    assert {"subject": "motcua.dossiers-value", "versions": [1]} in registry_rows
    code, output = await _cli(url, "diff", DOSSIER_CHANGE)
    assert "registry v1 → repository: no changes" in output


async def test_no_registry_listening_is_retriable() -> None:
    async with RegistryClient.connect(f"http://127.0.0.1:{free_port()}", timeout_s=2) as client:
        with pytest.raises(RegistryUnavailableError, match="did not answer GET /schemas/ids/1"):
            await client.schema_by_id(SchemaId(1))
