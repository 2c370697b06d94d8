"""Confluent's own Python client and Avro serdes work against this registry unchanged.

The client is synchronous, so it runs in a worker thread while the registry serves from the
test's event loop.
"""

import asyncio
import json
import uuid
from typing import Any

import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

from lienthong.ids import TopicName
from lienthong.registry import running_registry
from lienthong.settings import RegistrySettings, Settings
from tests.conftest import free_port

pytestmark = pytest.mark.integration

WAIT_S = 60.0

V1 = json.dumps(
    {
        "type": "record",
        "name": "DossierChange",
        "namespace": "vn.lienthong",
        "fields": [
            {"name": "dossier_no", "type": "string"},
            {"name": "version", "type": "long"},
            {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        ],
    }
)
V2 = json.dumps(
    {
        **json.loads(V1),
        "fields": [
            *json.loads(V1)["fields"],
            {"name": "agency", "type": ["null", "string"], "default": None},
        ],
    }
)
V2_BREAKING = json.dumps(
    {**json.loads(V1), "fields": [*json.loads(V1)["fields"], {"name": "x", "type": "int"}]}
)


def exercise_client(url: str, topic: str) -> None:
    client = SchemaRegistryClient({"url": url, "timeout": 30})
    subject = f"{topic}-value"
    context = SerializationContext(topic, MessageField.VALUE)

    serializer = AvroSerializer(client, V1, conf={"auto.register.schemas": True})
    event = {"dossier_no": "HS-1", "version": 3, "at": 1_700_000_000_000}
    data = serializer(event, context)
    assert data is not None and data[0] == 0
    schema_id = int.from_bytes(data[1:5], "big")

    # A fresh client has nothing cached: it must fetch the writer's schema by id.
    deserializer = AvroDeserializer(SchemaRegistryClient({"url": url, "timeout": 30}))
    decoded = deserializer(data, context)
    assert decoded is not None
    assert decoded["dossier_no"] == "HS-1" and decoded["version"] == 3

    latest = client.get_latest_version(subject)
    assert (latest.schema_id, latest.version, latest.subject) == (schema_id, 1, subject)
    assert latest.schema.schema_str is not None
    assert json.loads(latest.schema.schema_str) == json.loads(V1)
    assert client.get_subjects() == [subject]
    assert client.lookup_schema(subject, Schema(V1, "AVRO")).version == 1

    answer: Any = client.set_compatibility(subject, "FULL")  # typed str; the body is returned
    assert answer == {"compatibility": "FULL"}
    assert client.get_compatibility(subject) == "FULL"
    assert client.test_compatibility(subject, Schema(V2, "AVRO")) is True
    assert client.test_compatibility(subject, Schema(V2_BREAKING, "AVRO")) is False
    assert client.test_compatibility_all_versions(subject, Schema(V2, "AVRO")) is True
    try:
        client.register_schema(subject, Schema(V2_BREAKING, "AVRO"))
    except SchemaRegistryError as exc:
        assert (exc.http_status_code, exc.error_code) == (409, 409)
    else:
        raise AssertionError("an incompatible schema was registered")

    v2_id = client.register_schema(subject, Schema(V2, "AVRO"))
    assert v2_id != schema_id
    assert client.get_versions(subject) == [1, 2]
    assert json.loads(client.get_schema(v2_id).schema_str or "null") == json.loads(V2)
    assert client.get_version(subject, 1).schema_id == schema_id

    # Data written with v1 still reads after v2 is registered, and v2 data reads too.
    newer = AvroSerializer(client, V2, conf={"auto.register.schemas": False})
    data_v2 = newer({**event, "agency": "000.00.00.H41"}, context)
    assert data_v2 is not None and int.from_bytes(data_v2[1:5], "big") == v2_id
    assert deserializer(data, context) == decoded
    decoded_v2 = deserializer(data_v2, context)
    assert decoded_v2 is not None and decoded_v2["agency"] == "000.00.00.H41"

    assert client.delete_version(subject, 2) == 2
    assert client.get_versions(subject) == [1]
    assert client.delete_subject(subject) == [1]
    assert client.delete_subject(subject, permanent=True) == [1, 2]  # soft-deleted v2 too
    assert client.get_subjects() == []


async def test_confluents_client_and_avro_serdes_work_unchanged(bus_settings: Settings) -> None:
    topic = TopicName(f"_schemas_{uuid.uuid4().hex[:10]}")
    settings = bus_settings.model_copy(
        update={"registry": RegistrySettings(port=free_port(), topic=topic)}
    )
    async with running_registry(settings) as url:
        await asyncio.wait_for(
            asyncio.to_thread(exercise_client, url, f"motcua.{uuid.uuid4().hex[:6]}"),
            WAIT_S,
        )
