"""Following a topic's records as they arrive, without joining a group or committing."""

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError

from lienthong.kafka_clients import kafka_client_options
from lienthong.observe.errors import BusUnavailableError
from lienthong.settings import Settings

__all__ = ["TailedRecord", "tail_records"]


@dataclass(frozen=True)
class TailedRecord:
    topic: str
    partition: int
    offset: int
    timestamp: datetime | None
    key: bytes | None
    headers: tuple[tuple[str, bytes], ...]
    value: bytes | None
    """None for a tombstone."""


async def tail_records(
    settings: Settings,
    topic: str,
    partitions: list[int],
    stop: asyncio.Event,
    *,
    from_beginning: bool = False,
    request_timeout_s: float | None = None,
) -> AsyncGenerator[TailedRecord, None]:
    """Records of these partitions of `topic` from their end, or their beginning, until `stop`.

    BusView.placements tells which partitions a topic has (and refuses an unknown topic).
    """
    servers = settings.kafka.bootstrap_servers
    timeout_s = request_timeout_s or settings.kafka.request_timeout_s
    consumer = AIOKafkaConsumer(
        **kafka_client_options(settings.kafka),
        client_id=f"{settings.kafka.client_id}-tail",
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed",
        request_timeout_ms=int(timeout_s * 1000),
    )
    try:
        try:
            await consumer.start()
            tps = [TopicPartition(topic, partition) for partition in partitions]
            consumer.assign(tps)
            if from_beginning:
                await consumer.seek_to_beginning(*tps)
            else:
                await consumer.seek_to_end(*tps)
            while not stop.is_set():
                batches = await consumer.getmany(*tps, timeout_ms=500)
                for tp, records in sorted(batches.items(), key=lambda item: item[0].partition):
                    for record in records:
                        yield _tailed(tp, record)
        except KafkaError as exc:
            raise BusUnavailableError(f"Kafka at {servers} does not answer ({exc})") from exc
    finally:
        await consumer.stop()


def _tailed(tp: TopicPartition, record: ConsumerRecord[bytes, bytes]) -> TailedRecord:
    timestamp_ms = record.timestamp
    return TailedRecord(
        topic=tp.topic,
        partition=tp.partition,
        offset=record.offset,
        timestamp=datetime.fromtimestamp(timestamp_ms / 1000, UTC) if timestamp_ms >= 0 else None,
        key=record.key,
        headers=tuple((name, raw or b"") for name, raw in record.headers or ()),
        value=record.value,
    )
