"""Reads a dead-letter topic without joining a group: nothing is committed, nothing moves.

The end offsets are captured before reading, so a DLQ still being written to is read to a
fixed point and the read always ends.
"""

import asyncio
import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from lienthong.dlq.errors import DeadLetterNotFoundError
from lienthong.dlq.records import DeadLetterRecord
from lienthong.errors import ConfigurationError, RetriableError
from lienthong.ids import TopicName
from lienthong.kafka_clients import kafka_client_options
from lienthong.settings import Settings

__all__ = ["read_dead_letters", "read_dead_letters_at"]

READ_TIMEOUT_S = 60.0
TOPIC_WAIT_S = 10.0


async def read_dead_letters(
    settings: Settings,
    topic: TopicName,
    *,
    partition: int | None = None,
    from_offset: int = 0,
    timeout_s: float = READ_TIMEOUT_S,
) -> list[DeadLetterRecord]:
    """Committed dead letters from `from_offset` to the end seen at start, in offset order."""
    consumer = AIOKafkaConsumer(
        **kafka_client_options(settings.kafka),
        client_id=f"{settings.kafka.client_id}-dlq-reader",
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        request_timeout_ms=int(settings.kafka.request_timeout_s * 1000),
    )
    try:
        await consumer.start()
    except KafkaError as exc:
        await consumer.stop()  # a consumer that never started still holds its client
        raise RetriableError(
            f"Kafka at {settings.kafka.bootstrap_servers} does not answer: {exc!r}"
        ) from exc
    try:
        started = time.monotonic()
        tps = await _partitions(consumer, topic, partition, started + TOPIC_WAIT_S)
        consumer.assign(tps)
        ends: dict[TopicPartition, int] = await consumer.end_offsets(tps)
        for tp in tps:
            # Past the end would reset to the earliest offset and read everything.
            consumer.seek(tp, min(from_offset, ends[tp]))
        return await _read_to(consumer, ends, started + timeout_s, topic, timeout_s)
    finally:
        await consumer.stop()


async def read_dead_letters_at(
    settings: Settings, topic: TopicName, offsets: list[int], *, partition: int = 0
) -> list[DeadLetterRecord]:
    """The dead letters at exactly these offsets, in the order asked."""
    if not offsets:
        return []
    found = {
        letter.offset: letter
        for letter in await read_dead_letters(
            settings, topic, partition=partition, from_offset=min(offsets)
        )
    }
    missing = [offset for offset in offsets if offset not in found]
    if missing:
        listed = ", ".join(str(offset) for offset in missing)
        raise DeadLetterNotFoundError(f"no dead letter at offset {listed} of {topic}[{partition}]")
    return [found[offset] for offset in offsets]


async def _read_to(
    consumer: AIOKafkaConsumer,
    ends: dict[TopicPartition, int],
    deadline: float,
    topic: TopicName,
    timeout_s: float,
) -> list[DeadLetterRecord]:
    letters: list[DeadLetterRecord] = []
    pending = {tp for tp, end in ends.items() if await consumer.position(tp) < end}
    while pending:
        if time.monotonic() > deadline:
            raise RetriableError(f"{topic} not read to its end within {timeout_s} s")
        batches = await consumer.getmany(*pending, timeout_ms=200)
        for tp, records in batches.items():
            letters.extend(
                DeadLetterRecord(
                    topic=topic,
                    partition=tp.partition,
                    offset=record.offset,
                    timestamp_ms=record.timestamp,
                    key=record.key,
                    value=record.value,
                    headers=tuple((name, raw or b"") for name, raw in record.headers or ()),
                )
                for record in records
                if record.offset < ends[tp]
            )
        pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
    return sorted(letters, key=lambda letter: (letter.partition, letter.offset))


async def _partitions(
    consumer: AIOKafkaConsumer, topic: TopicName, only: int | None, deadline: float
) -> list[TopicPartition]:
    if topic not in await consumer.topics():
        raise ConfigurationError(f"topic {topic} does not exist")
    # Assigning makes the client track the topic; a topic created a moment ago may take a few
    # metadata refreshes to show up.
    consumer.assign([TopicPartition(topic, 0)])
    while not (partitions := consumer.partitions_for_topic(topic)):
        if time.monotonic() > deadline:
            raise ConfigurationError(f"topic {topic} does not exist")
        await asyncio.sleep(0.1)
    if only is None:
        return [TopicPartition(topic, partition) for partition in sorted(partitions)]
    if only not in partitions:
        raise ConfigurationError(f"topic {topic} has no partition {only}")
    return [TopicPartition(topic, only)]
