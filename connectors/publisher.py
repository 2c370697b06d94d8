"""Kafka transactions for connectors: a batch of records becomes visible all at once, or never.

The connector's own position travels in the same transaction as its events (on the offsets
topic), so a crash can never separate "published" from "remembered as published".
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError, MessageSizeTooLargeError, ProducerFenced
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.record.default_records import DefaultRecordBatchBuilder

from lienthong.errors import FatalError, RetriableError
from lienthong.ids import TopicName
from lienthong.kafka_clients import kafka_client_options
from lienthong.settings import Settings

__all__ = ["OutgoingRecord", "TransactionalPublisher"]

_LINGER_MS: Final = 5
_MAX_BATCH_BYTES: Final = 256 * 1024
_MAX_REQUEST_BYTES: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class OutgoingRecord:
    topic: TopicName
    key: bytes | None
    value: bytes | None
    """None is a tombstone."""
    headers: tuple[tuple[str, bytes], ...] = ()


class TransactionalPublisher:
    """One transactional producer; `start` fences any earlier producer with the same id."""

    def __init__(self, settings: Settings, transactional_id: str) -> None:
        self._transactional_id = transactional_id
        self._producer = AIOKafkaProducer(
            **kafka_client_options(settings.kafka),
            client_id=f"{settings.kafka.client_id}-{transactional_id}",
            request_timeout_ms=int(settings.kafka.request_timeout_s * 1000),
            transactional_id=transactional_id,
            linger_ms=_LINGER_MS,
            max_batch_size=_MAX_BATCH_BYTES,
            max_request_size=_MAX_REQUEST_BYTES,
        )
        self._partitioner = DefaultPartitioner()

    async def start(self) -> None:
        """Registers the transactional id: the broker aborts whatever an earlier owner left open."""
        try:
            await self._producer.start()
        except ProducerFenced as exc:
            raise FatalError(f"transactional id {self._transactional_id} was taken over") from exc
        except KafkaError as exc:
            await self._producer.stop()
            raise RetriableError(f"Kafka producer cannot start: {exc!r}") from exc

    async def stop(self) -> None:
        await self._producer.stop()

    async def publish(self, records: Sequence[OutgoingRecord]) -> None:
        """Send every record in one transaction and commit; on any failure the batch is aborted."""
        producer = self._producer
        try:
            async with producer.transaction():
                await asyncio.gather(*await self._send_batches(records))
        except ProducerFenced as exc:
            raise FatalError(
                f"another process took over transactional id {self._transactional_id}; stopping"
            ) from exc
        except KafkaError as exc:
            raise RetriableError(f"transaction aborted: {exc!r}") from exc

    async def _send_batches(self, records: Sequence[OutgoingRecord]) -> list["asyncio.Future[Any]"]:
        """Records grouped into one record batch per partition, in order, each partition the one
        `send` would pick (the default partitioner); handing over whole batches spares a
        coroutine, a metadata check and a future per record."""
        partitions: dict[str, tuple[list[int], list[int]]] = {}
        open_batches: dict[tuple[str, int], Any] = {}
        deliveries: list[asyncio.Future[Any]] = []
        for record in records:
            topic: str = record.topic
            if topic not in partitions:
                partitions[topic] = await self._partitions(topic)
            partition = self._partitioner(record.key, *partitions[topic])
            headers = list(record.headers)
            batch = open_batches.get((topic, partition))
            if batch is not None:
                appended = batch.append(
                    timestamp=None, key=record.key, value=record.value, headers=headers
                )
                if appended is not None:
                    continue
                # Full: hand it over; the record opens the next one.
                deliveries.append(await self._hand_over(batch, topic, partition))
            open_batches[topic, partition] = self._opened_batch(record, headers)
        for (topic, partition), batch in open_batches.items():
            deliveries.append(await self._hand_over(batch, topic, partition))
        return deliveries

    def _opened_batch(self, record: OutgoingRecord, headers: list[tuple[str, bytes]]) -> Any:
        """A new batch holding `record`: a batch takes its first record whatever its size, so
        the size limit `send` enforces is checked here."""
        size = DefaultRecordBatchBuilder.estimate_size_in_bytes(record.key, record.value, headers)
        if size > _MAX_REQUEST_BYTES:
            raise MessageSizeTooLargeError(
                f"a record of {size} bytes is larger than the {_MAX_REQUEST_BYTES} a request takes"
            )
        batch = self._producer.create_batch()
        batch.append(timestamp=None, key=record.key, value=record.value, headers=headers)
        return batch

    async def _hand_over(self, batch: Any, topic: str, partition: int) -> "asyncio.Future[Any]":
        # A closed batch goes out at once: the transaction holds nothing more to linger for.
        batch.close()
        delivery: asyncio.Future[Any] = await self._producer.send_batch(
            batch, topic, partition=partition
        )
        return delivery

    async def _partitions(self, topic: str) -> tuple[list[int], list[int]]:
        """Every partition of `topic` and those with a leader now, as `send` picks among them."""
        every = sorted(await self._producer.partitions_for(topic))
        available = self._producer.client.cluster.available_partitions_for_topic(topic)
        return every, sorted(available) if available else every
