"""The only way records reach the schemas topic: one Kafka transaction, under one shared id.

Every registry instance on a topic uses the same transactional id. Opening a producer with it
(InitProducerId) bumps the id's epoch: the broker aborts the transaction an earlier holder
left open and refuses every later one of that holder (ProducerFenced). So a transaction
commits only if no other instance opened the id since this one did.

Each commit is followed by a plain (non-transactional) NOOP record, as Confluent's registry
writes them, so the log ends with a record rather than a commit marker: Karapace counts
itself loaded when it has consumed the record just below the end offset, and a marker is
never consumed.
"""

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Final

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import InvalidProducerEpoch, KafkaError, ProducerFenced

from lienthong.registry.errors import RegistryStoreError
from lienthong.registry.records import NoopRecord, StoreRecord, encode_record
from lienthong.settings import Settings

__all__ = ["SchemaLogWriter", "WriterFencedError", "transactional_id"]

log = structlog.get_logger(__name__)

_FENCED: Final = (ProducerFenced, InvalidProducerEpoch)


class WriterFencedError(RegistryStoreError):
    """Another instance opened the transactional id since this one did; nothing was written."""


def transactional_id(settings: Settings) -> str:
    """Shared by every instance serving the same topic, and only by them."""
    return f"lienthong-registry-writer-{settings.registry.topic}"


class SchemaLogWriter:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._producer: AIOKafkaProducer | None = None
        self._tail: AIOKafkaProducer | None = None
        logging.getLogger("asyncio").addFilter(_HANDLED_FENCING)  # once: filters are a set

    async def open(self) -> None:
        """Take the transactional id (fencing its previous holder), unless this writer has it."""
        if self._producer is not None:
            return
        kafka = self._settings.kafka
        common = {
            "bootstrap_servers": kafka.bootstrap_servers,
            "client_id": f"{kafka.client_id}-registry-writer",
            "request_timeout_ms": int(kafka.request_timeout_s * 1000),
        }
        producer = AIOKafkaProducer(
            **common,
            transactional_id=transactional_id(self._settings),
            transaction_timeout_ms=int(kafka.request_timeout_s * 1000),
        )
        tail = AIOKafkaProducer(**common, enable_idempotence=True)
        try:
            await producer.start()
            await tail.start()
        except KafkaError as exc:
            await _quietly_stop(producer)
            await _quietly_stop(tail)
            raise RegistryStoreError(f"cannot open the schemas topic writer: {exc!r}") from exc
        self._producer, self._tail = producer, tail
        log.debug("registry writer opened", transactional_id=transactional_id(self._settings))

    async def publish(self, records: Sequence[StoreRecord]) -> int:
        """Write `records` in one transaction; return the offset of the last one."""
        producer = self._producer
        if producer is None:
            raise RuntimeError("open() the writer before publishing")
        topic = self._settings.registry.topic
        try:
            async with producer.transaction():
                sent = []
                for record in records:
                    key, value = encode_record(record)
                    sent.append(await producer.send(topic, key=key, value=value))
                placed = await asyncio.gather(*sent)
        except _FENCED as exc:
            await self.close()
            raise WriterFencedError(f"another registry instance took the writer: {exc}") from exc
        except BaseException as exc:
            await self.close()
            if isinstance(exc, KafkaError):
                raise RegistryStoreError(f"writing the schemas topic failed: {exc!r}") from exc
            raise
        await self._close_the_log(topic)
        return int(placed[-1].offset)

    async def close(self) -> None:
        for producer in (self._producer, self._tail):
            if producer is not None:
                await _quietly_stop(producer)
        self._producer = self._tail = None

    async def _close_the_log(self, topic: str) -> None:
        """The NOOP after a commit; the commit stands whether or not it is written."""
        key, value = encode_record(NoopRecord())
        try:
            if self._tail is not None:
                await self._tail.send_and_wait(topic, key=key, value=value)
        except KafkaError as exc:
            log.warning("NOOP after a commit not written", topic=topic, error=repr(exc))


async def _quietly_stop(producer: AIOKafkaProducer) -> None:
    """A fenced producer's sender already failed; stopping it may only repeat that error."""
    with contextlib.suppress(KafkaError):
        await producer.stop()


class _HandledFencing(logging.Filter):
    """aiokafka fails its internal batch futures when fenced and never reads them back, so
    asyncio reports each as "Future exception was never retrieved". The writer has handled
    the fencing (it re-opens and retries): drop those reports, and only those."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        unread = record.getMessage().startswith("Future exception was never retrieved")
        return not (unread and isinstance(error, _FENCED))


_HANDLED_FENCING: Final = _HandledFencing()
