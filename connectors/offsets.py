"""Where connectors stopped: the last committed value per connector on the offsets topic."""

import asyncio
import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from connectors.publisher import OutgoingRecord, TransactionalPublisher
from lienthong.errors import ConfigurationError, RetriableError
from lienthong.ids import TopicName
from lienthong.kafka_clients import kafka_client_options
from lienthong.settings import Settings

__all__ = ["delete_committed_value", "read_committed_value"]


async def read_committed_value(
    settings: Settings, key: str, *, timeout_s: float = 120.0
) -> bytes | None:
    """The newest committed value of `key` (None when absent or deleted).

    Reads with `read_committed` up to the high watermark, not just the last stable offset:
    connectors share the topic, and another connector's open transaction must not hide a
    newer committed position of this one. Call it after fencing this connector's previous
    instance, whose open transaction is then already aborted.
    """
    topic = settings.topics.connector_offsets
    consumer = AIOKafkaConsumer(
        **kafka_client_options(settings.kafka),
        client_id=f"{settings.kafka.client_id}-offsets-reader",
        enable_auto_commit=False,
        isolation_level="read_committed",
        request_timeout_ms=int(settings.kafka.request_timeout_s * 1000),
    )
    try:
        await consumer.start()
    except KafkaError as exc:
        raise RetriableError(f"Kafka does not answer: {exc!r}") from exc
    try:
        deadline = time.monotonic() + timeout_s
        tps = await _all_partitions(consumer, topic, deadline)
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        wanted, latest = key.encode("utf-8"), None
        while True:
            for records in (await consumer.getmany(*tps, timeout_ms=200)).values():
                for record in records:
                    if record.key == wanted:
                        latest = record.value
            if await _at_high_watermark(consumer, tps):
                break
            if time.monotonic() > deadline:
                raise RetriableError(
                    f"{topic} not read to its end within {timeout_s} s: "
                    "another connector's transaction stays open"
                )
        return latest
    finally:
        await consumer.stop()


async def _at_high_watermark(consumer: AIOKafkaConsumer, tps: list[TopicPartition]) -> bool:
    for tp in tps:
        high = consumer.highwater(tp)
        if high is None or await consumer.position(tp) < high:
            return False
    return True


async def _all_partitions(
    consumer: AIOKafkaConsumer, topic: TopicName, deadline: float
) -> list[TopicPartition]:
    # Assigning makes the client track the topic; a topic created a moment ago may take a few
    # metadata refreshes to show up.
    consumer.assign([TopicPartition(topic, 0)])
    while not (partitions := consumer.partitions_for_topic(topic)):
        if time.monotonic() > deadline:
            raise ConfigurationError(f"topic {topic} does not exist; create the bus topics first")
        await asyncio.sleep(0.1)
    return [TopicPartition(topic, partition) for partition in sorted(partitions)]


async def delete_committed_value(settings: Settings, key: str, transactional_id: str) -> None:
    """Forget `key`'s position with a tombstone, written as the connector itself would.

    Using the connector's transactional id fences a running instance of it first, so that
    instance cannot write its position back after the reset.
    """
    publisher = TransactionalPublisher(settings, transactional_id)
    await publisher.start()
    try:
        topic = settings.topics.connector_offsets
        await publisher.publish([OutgoingRecord(topic, key.encode("utf-8"), None)])
    finally:
        await publisher.stop()
