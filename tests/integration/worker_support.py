"""The bus as the stream worker's tests see it: change events of every kind produced to their
own topics, the centre's offsets compared with what was produced, a topic read to its end.

Starting and stopping the worker: tests.integration.test_streams_worker. Signed records (an
agency's key id in the envelope, its signature in a header): `signed`.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from sqlalchemy import Engine

from connectors.headers import SIGNATURE_HEADER, SIGNATURE_KEY_HEADER
from lienthong.codec import SCHEMA_HEADER
from lienthong.events import (
    ChangeEvent,
    DocumentChange,
    DocumentStatusChange,
    DossierChange,
    LandParcelChange,
)
from lienthong.ids import TopicName
from lienthong.settings import Settings, TopicSettings
from lienthong.trust import EventSigner
from schemas import DOCUMENT_CHANGE, DOCUMENT_STATUS_CHANGE, DOSSIER_CHANGE, LAND_PARCEL_CHANGE
from streams.centre import read_offsets
from tests.wire import encode_events

__all__ = [
    "Outgoing",
    "Placed",
    "end_offsets",
    "offsets_reached",
    "produce_records",
    "read_to_end",
    "route",
    "sent",
    "signed",
    "tombstone",
]

READ_S = 60.0


@dataclass(frozen=True)
class Outgoing:
    """One record to produce: a change (framed when sent), raw bytes, or a tombstone."""

    topic: TopicName
    key: bytes
    value: ChangeEvent | bytes | None
    record_name: str
    """Named in the record's schema header; also the schema a change is framed with."""
    headers: tuple[tuple[str, bytes], ...] = ()
    """Sent after the schema header, e.g. a signature."""


@dataclass(frozen=True)
class Placed:
    """A record as the broker stored it."""

    outgoing: Outgoing
    value: bytes | None
    """The bytes sent: the change as framed, the raw bytes, or None for a tombstone."""
    partition: int
    offset: int


def route(topics: TopicSettings, change: ChangeEvent) -> tuple[TopicName, str]:
    """The topic a change travels on and the full name of its Avro record."""
    match change:
        case DossierChange():
            return topics.dossiers, DOSSIER_CHANGE
        case LandParcelChange():
            return topics.land_parcels, LAND_PARCEL_CHANGE
        case DocumentChange():
            return topics.documents, DOCUMENT_CHANGE
        case DocumentStatusChange():
            return topics.document_statuses, DOCUMENT_STATUS_CHANGE
    raise TypeError(f"no topic carries {type(change).__name__}")


def sent(
    topics: TopicSettings,
    change: ChangeEvent,
    *,
    key: str | None = None,
    value: bytes | None = None,
) -> Outgoing:
    """`change` on its topic under its entity key (or `key`); `value`, when given, is sent
    in place of the framed change, with the change's topic and schema header."""
    topic, record_name = route(topics, change)
    record_key = (key if key is not None else change.envelope.entity_key).encode()
    return Outgoing(topic, record_key, change if value is None else value, record_name)


async def signed(settings: Settings, change: ChangeEvent, signer: EventSigner) -> Outgoing:
    """`change` as a connector of `signer`'s agency sends it: the envelope names the key, the
    framed value is signed over topic, key and value. Its value is the framed bytes, so a
    test can change one of them."""
    envelope = change.envelope.model_copy(update={"signature_key_id": signer.key_id})
    change = change.model_copy(update={"envelope": envelope})
    topic, record_name = route(settings.topics, change)
    (value,) = await encode_events(settings, topic, record_name, [change])
    key = envelope.entity_key.encode()
    signature = signer.sign(topic, key, value)
    headers = ((SIGNATURE_HEADER, signature), (SIGNATURE_KEY_HEADER, signer.key_id.encode()))
    return Outgoing(topic, key, value, record_name, headers)


def tombstone(topics: TopicSettings, change: ChangeEvent) -> Outgoing:
    """The null value that follows a DELETE of `change`'s entity."""
    topic, record_name = route(topics, change)
    return Outgoing(topic, change.envelope.entity_key.encode(), None, record_name)


async def produce_records(settings: Settings, records: Sequence[Outgoing]) -> list[Placed]:
    """Send in order, one at a time (so each partition keeps the order given)."""
    framed: dict[TopicName, list[bytes]] = {}
    for topic in dict.fromkeys(r.topic for r in records):
        on_topic = [r for r in records if r.topic == topic]
        events = [r.value for r in on_topic if isinstance(r.value, ChangeEvent)]
        if events:
            framed[topic] = await encode_events(settings, topic, on_topic[0].record_name, events)
    pending = {topic: iter(values) for topic, values in framed.items()}
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all")
    await producer.start()
    try:
        placed = []
        for record in records:
            value = record.value
            if isinstance(value, ChangeEvent):
                value = next(pending[record.topic])
            headers = [] if value is None else [(SCHEMA_HEADER, record.record_name.encode())]
            headers += record.headers
            meta = await producer.send_and_wait(
                record.topic, key=record.key, value=value, headers=headers
            )
            placed.append(Placed(record, value, meta.partition, meta.offset))
        return placed
    finally:
        await producer.stop()


def end_offsets(placed: Sequence[Placed]) -> dict[tuple[TopicName, int], int]:
    """Per topic and partition written to, the offset after the last record placed there."""
    ends: dict[tuple[TopicName, int], int] = {}
    for p in placed:
        at = (p.outgoing.topic, p.partition)
        ends[at] = max(ends.get(at, 0), p.offset + 1)
    return ends


def offsets_reached(
    engine: Engine, consumer_group: str, ends: dict[tuple[TopicName, int], int]
) -> Callable[[], bool]:
    """True once the centre's offsets for `consumer_group` reach `ends` on every partition."""

    def check() -> bool:
        try:
            stored = {
                topic: read_offsets(engine, consumer_group, topic)
                for topic in {topic for topic, _ in ends}
            }
        except Exception:  # the worker has not created the tables yet
            return False
        return all(
            stored[topic].get(partition, 0) >= end for (topic, partition), end in ends.items()
        )

    return check


async def read_to_end(
    settings: Settings, topic: TopicName, partitions: int = 1
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of `topic` (dead-letter topics have one partition) from the start to its
    end offsets as of the call."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers, enable_auto_commit=False
    )
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        found: list[ConsumerRecord[bytes, bytes]] = []
        deadline = time.monotonic() + READ_S
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            if time.monotonic() > deadline:
                pytest.fail(f"{topic} not read to its end within {READ_S} s")
            batches = await consumer.getmany(*tps, timeout_ms=500)
            found.extend(r for records in batches.values() for r in records)
        return found
    finally:
        await consumer.stop()
