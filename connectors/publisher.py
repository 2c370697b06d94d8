"""Kafka transactions for connectors: a batch of records becomes visible all at once, or never.

The connector's own position travels in the same transaction as its events (on the offsets
topic), so a crash can never separate "published" from "remembered as published".
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError, ProducerFenced

from lienthong.errors import FatalError, RetriableError
from lienthong.ids import TopicName
from lienthong.settings import Settings

__all__ = ["OutgoingRecord", "TransactionalPublisher"]


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
            bootstrap_servers=settings.kafka.bootstrap_servers,
            client_id=f"{settings.kafka.client_id}-{transactional_id}",
            request_timeout_ms=int(settings.kafka.request_timeout_s * 1000),
            transactional_id=transactional_id,
            linger_ms=5,
            max_batch_size=256 * 1024,
        )

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
                deliveries = [
                    await producer.send(
                        record.topic,
                        value=record.value,
                        key=record.key,
                        headers=list(record.headers),
                    )
                    for record in records
                ]
                await asyncio.gather(*deliveries)
        except ProducerFenced as exc:
            raise FatalError(
                f"another process took over transactional id {self._transactional_id}; stopping"
            ) from exc
        except KafkaError as exc:
            raise RetriableError(f"transaction aborted: {exc!r}") from exc
