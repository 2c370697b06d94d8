"""Throwaway topics for benchmarks: a fresh name per run, created with the bus's partition
count, read from the start by a group-less consumer, deleted afterwards."""

import uuid

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from lienthong.errors import RetriableError
from lienthong.ids import TopicName
from lienthong.kafka_clients import kafka_client_options
from lienthong.settings import Settings

__all__ = ["delete_topics", "fresh_suffix", "start_reading"]


def fresh_suffix() -> str:
    """Makes one run's topic, group and connector names unique on a shared broker."""
    return uuid.uuid4().hex[:8]


async def start_reading(settings: Settings, topic: TopicName, partitions: int) -> AIOKafkaConsumer:
    """A started consumer assigned every partition of `topic`, at the beginning; no group,
    no commits. The caller stops it."""
    consumer = AIOKafkaConsumer(
        **kafka_client_options(settings.kafka),
        client_id=f"{settings.kafka.client_id}-bench",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    try:
        await consumer.start()
    except KafkaError as exc:
        await consumer.stop()
        raise RetriableError(
            f"Kafka at {settings.kafka.bootstrap_servers} does not answer: {exc!r}; "
            "is the broker running (`lienthong dev up`)?"
        ) from exc
    assigned = [TopicPartition(topic, partition) for partition in range(partitions)]
    consumer.assign(assigned)
    await consumer.seek_to_beginning(*assigned)
    return consumer


async def delete_topics(settings: Settings, topics: list[TopicName]) -> None:
    """Best effort: a topic left behind only costs disk on a development broker."""
    admin = AIOKafkaAdminClient(**kafka_client_options(settings.kafka))
    try:
        await admin.start()
        await admin.delete_topics(list(topics))
    except KafkaError:
        return
    finally:
        await admin.close()
