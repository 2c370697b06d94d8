"""Reading the connectors' compacted one-partition topics (states, requests) without a group."""

import asyncio
import time

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError

from lienthong.errors import RetriableError
from lienthong.ids import TopicName
from lienthong.kafka_clients import kafka_client_options
from lienthong.settings import Settings

__all__ = [
    "READ_TIMEOUT_S",
    "bus_unavailable",
    "control_client_timeout_ms",
    "latest_values",
    "read_to_end",
    "started_consumer",
    "wait_for_topic",
]

READ_TIMEOUT_S = 10.0
"""Bounds a command's wait on a broker that accepts connections but does not answer."""


def control_client_timeout_ms(settings: Settings) -> int:
    return int(min(settings.kafka.request_timeout_s, READ_TIMEOUT_S) * 1000)


def bus_unavailable(settings: Settings, exc: BaseException) -> RetriableError:
    """Kafka does not answer: the operators' views' own error, so every command says it alike."""
    # Imported here: lienthong.observe reads connector states through this package.
    from lienthong.observe.errors import BusUnavailableError

    # The client's messages list resolved addresses; its error's name says enough.
    detail = type(exc).__name__
    return BusUnavailableError(
        f"Kafka at {settings.kafka.bootstrap_servers} does not answer ({detail})"
    )


async def started_consumer(settings: Settings, purpose: str) -> AIOKafkaConsumer:
    """A started group-less consumer; BusUnavailableError when Kafka does not answer."""
    consumer = AIOKafkaConsumer(
        **kafka_client_options(settings.kafka),
        client_id=f"{settings.kafka.client_id}-{purpose}",
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        request_timeout_ms=control_client_timeout_ms(settings),
    )
    try:
        await consumer.start()
    except KafkaError as exc:
        await consumer.stop()
        raise bus_unavailable(settings, exc) from exc
    return consumer


async def read_to_end(
    consumer: AIOKafkaConsumer, topic: TopicName, *, timeout_s: float = READ_TIMEOUT_S
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of partition 0 of `topic` up to (at least) its end now; the consumer goes
    on from there. An absent topic has none (nothing was ever reported or requested)."""
    if topic not in await consumer.topics():
        return []
    partition = TopicPartition(topic, 0)
    consumer.assign([partition])
    await consumer.seek_to_beginning(partition)
    end = (await consumer.end_offsets([partition]))[partition]
    deadline = time.monotonic() + timeout_s
    found: list[ConsumerRecord[bytes, bytes]] = []
    while await consumer.position(partition) < end:
        if time.monotonic() > deadline:
            raise RetriableError(f"{topic} not read to its end within {timeout_s} s")
        for records in (await consumer.getmany(partition, timeout_ms=200)).values():
            found.extend(records)
    return found


async def wait_for_topic(
    consumer: AIOKafkaConsumer, topic: TopicName, *, timeout_s: float = READ_TIMEOUT_S
) -> None:
    """Until the consumer's metadata shows `topic` (created a moment ago, maybe)."""
    deadline = time.monotonic() + timeout_s
    while topic not in await consumer.topics():
        if time.monotonic() > deadline:
            raise RetriableError(f"topic {topic} did not appear within {timeout_s} s")
        await asyncio.sleep(0.2)


def latest_values(records: list[ConsumerRecord[bytes, bytes]]) -> dict[str, bytes]:
    """The newest value per key, as compaction will leave it; a tombstone removes its key."""
    latest: dict[str, bytes] = {}
    for record in records:
        if record.key is None:
            continue
        key = record.key.decode("utf-8", errors="replace")
        if record.value is None:
            latest.pop(key, None)
        else:
            latest[key] = record.value
    return latest
