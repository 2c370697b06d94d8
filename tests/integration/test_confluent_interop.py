"""Standard Kafka tooling reads and writes our topics: Confluent's own Python client, its
Avro serializer and deserializer, against our registry and the dossier topic, both ways:
what the one-stop-shop's outbox connector publishes, and what a Confluent producer writes."""

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from sqlalchemy import select

from connectors.motcua import Simulator, create_source_engine
from connectors.motcua.outbox import motcua_outbox_runner
from connectors.motcua.source_db import dossiers_table, ensure_source_schema, newest_outbox_id
from lienthong.events import DossierChange, Operation
from lienthong.serde import repo_schema
from lienthong.settings import Settings
from lienthong.topics import bus_topics, ensure_topics
from schemas import DOSSIER_CHANGE
from streams.centre import open_centre, read_dossier
from tests.factories import dossier_change
from tests.integration.test_streams_worker import running_worker

pytestmark = pytest.mark.integration

WAIT_S = 60.0


def _consume_all(settings: Settings, expected: int) -> list[tuple[bytes, dict[str, Any] | None]]:
    registry = SchemaRegistryClient({"url": settings.registry.url})
    deserializer = AvroDeserializer(registry)
    consumer = Consumer(
        {
            "bootstrap.servers": settings.kafka.bootstrap_servers,
            "group.id": f"confluent-reader-{settings.connector.name}",
            "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
        }
    )
    topic = settings.topics.dossiers
    consumer.subscribe([topic])
    read: list[tuple[bytes, dict[str, Any] | None]] = []
    deadline = time.monotonic() + WAIT_S
    try:
        while len(read) < expected and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None or message.error():
                continue
            value = message.value()
            context = SerializationContext(topic, MessageField.VALUE)
            read.append((message.key(), None if value is None else deserializer(value, context)))
    finally:
        consumer.close()
    return read


async def test_confluent_deserializer_reads_what_the_connector_publishes(
    bus_settings: Settings,
) -> None:
    settings = bus_settings
    source = create_source_engine(settings)
    ensure_source_schema(source)
    Simulator(source, seed=11).steps(60)
    newest = str(newest_outbox_id(source))
    stop = asyncio.Event()
    connector = motcua_outbox_runner(settings)
    task = asyncio.create_task(connector.run(stop))
    try:
        deadline = time.monotonic() + WAIT_S
        while connector.stats.position != newest:
            assert time.monotonic() < deadline and not task.done(), "connector never caught up"
            await asyncio.sleep(0.2)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
    expected = connector.stats.published + connector.stats.tombstones
    read = await asyncio.to_thread(_consume_all, settings, expected)

    assert len(read) == expected == 60 + connector.stats.tombstones
    changes = [DossierChange.from_avro(value) for _, value in read if value is not None]
    assert {c.envelope.source_position for c in changes} == {str(i) for i in range(1, 61)}
    for key, value in read:
        if value is not None:
            assert key.decode() == value["envelope"]["entity_key"]
    with source.connect() as conn:
        rows = conn.execute(select(dossiers_table.c.dossier_no, dossiers_table.c.version))
        live = {key: version for key, version in rows}
    newest_seen: dict[str, DossierChange] = {}
    for change in changes:
        newest_seen[change.envelope.entity_key] = change
    survivors = {
        key: c.envelope.entity_version
        for key, c in newest_seen.items()
        if c.envelope.operation is not Operation.DELETE
    }
    assert survivors == live
    source.dispose()

    # the subject the connector created carries the level declared in schemas/subjects.json
    registry = SchemaRegistryClient({"url": settings.registry.url})
    subject = f"{settings.topics.dossiers}-value"
    assert registry.get_compatibility(subject) == "FULL_TRANSITIVE"


def _produce_with_confluent(settings: Settings, changes: list[DossierChange]) -> None:
    registry = SchemaRegistryClient({"url": settings.registry.url})
    serializer = AvroSerializer(registry, repo_schema(DOSSIER_CHANGE).text)
    producer = Producer(
        {"bootstrap.servers": settings.kafka.bootstrap_servers, "enable.idempotence": True}
    )
    topic = settings.topics.dossiers
    for change in changes:
        value = serializer(change.to_avro(), SerializationContext(topic, MessageField.VALUE))
        producer.produce(topic, key=change.envelope.entity_key.encode(), value=value)
    assert producer.flush(30) == 0


async def test_the_worker_applies_what_a_confluent_producer_writes(
    bus_settings: Settings, tmp_path: Path
) -> None:
    settings = bus_settings
    await ensure_topics(settings, bus_topics(settings))
    changes = [
        dossier_change("HS-CF-1", 1, Operation.CREATE),
        dossier_change("HS-CF-2", 1, Operation.CREATE),
        dossier_change("HS-CF-1", 2),
    ]
    await asyncio.to_thread(_produce_with_confluent, settings, changes)
    centre = open_centre(settings)
    try:
        with running_worker(settings, tmp_path / "worker.log") as worker:

            def applied() -> bool:
                held = read_dossier(centre, "HS-CF-1")
                return held is not None and held == changes[2].after

            await worker.wait_for("the Confluent-produced changes", applied)
            assert read_dossier(centre, "HS-CF-2") == changes[1].after
    finally:
        centre.dispose()
