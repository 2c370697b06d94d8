"""The only way records reach the schemas topic: one Kafka transaction, under one shared id.

Every registry instance on a topic uses the same transactional id. Opening a producer with it
(InitProducerId) bumps the id's epoch: the broker aborts the transaction an earlier holder
left open and refuses every later one of that holder (ProducerFenced). So a transaction
commits only if no other instance opened the id since this one did.

Each commit is followed by a plain (non-transactional) NOOP record, as Confluent's registry
writes them, so the log ends with a record rather than a commit marker: Karapace counts
itself loaded when it has consumed the record just below the end offset, and a marker is
never consumed. The commit markers are written by the transaction coordinator after the
commit returns, so the NOOP waits until the partition's last stable offset has passed the
transaction: sent earlier, it could land before the marker.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Final

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import InvalidProducerEpoch, KafkaError, ProducerFenced

from lienthong.kafka_clients import kafka_client_options
from lienthong.registry.errors import RegistryStoreError
from lienthong.registry.records import NoopRecord, StoreRecord, encode_record
from lienthong.settings import Settings

__all__ = ["SchemaLogWriter", "WriterFencedError", "transactional_id"]

log = structlog.get_logger(__name__)

_FENCED: Final = (ProducerFenced, InvalidProducerEpoch)
_MARKER_WAIT_S: Final = 5.0


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
        self._stable: AIOKafkaConsumer | None = None
        logging.getLogger("asyncio").addFilter(_HANDLED_FENCING)  # once: filters are a set

    async def open(self) -> None:
        """Take the transactional id (fencing its previous holder), unless this writer has it."""
        if self._producer is not None:
            return
        kafka = self._settings.kafka
        common = {
            **kafka_client_options(kafka),
            "client_id": f"{kafka.client_id}-registry-writer",
            "request_timeout_ms": int(kafka.request_timeout_s * 1000),
        }
        producer = AIOKafkaProducer(
            **common,
            transactional_id=transactional_id(self._settings),
            transaction_timeout_ms=int(kafka.request_timeout_s * 1000),
        )
        tail = AIOKafkaProducer(**common, enable_idempotence=True)
        stable = AIOKafkaConsumer(
            **common, isolation_level="read_committed", enable_auto_commit=False
        )
        try:
            await producer.start()
            await tail.start()
            await stable.start()
        except KafkaError as exc:
            await _quietly_stop(producer)
            await _quietly_stop(tail)
            await stable.stop()
            raise RegistryStoreError(f"cannot open the schemas topic writer: {exc!r}") from exc
        self._producer, self._tail, self._stable = producer, tail, stable
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
        last = int(placed[-1].offset)
        await self._close_the_log(topic, last)
        return last

    async def close(self) -> None:
        for producer in (self._producer, self._tail):
            if producer is not None:
                await _quietly_stop(producer)
        if self._stable is not None:
            await self._stable.stop()
        self._producer = self._tail = self._stable = None

    async def _close_the_log(self, topic: str, last: int) -> None:
        """The NOOP after a commit's marker; the commit stands whether or not it is written."""
        key, value = encode_record(NoopRecord())
        try:
            await self._wait_for_marker(topic, last)
            if self._tail is not None:
                await self._tail.send_and_wait(topic, key=key, value=value)
        except KafkaError as exc:
            log.warning("NOOP after a commit not written", topic=topic, error=repr(exc))

    async def _wait_for_marker(self, topic: str, last: int) -> None:
        """Until the last stable offset passes `last`: the commit marker is then in the log."""
        if self._stable is None:
            return
        tp = TopicPartition(topic, 0)
        deadline = time.monotonic() + _MARKER_WAIT_S
        while (await self._stable.end_offsets([tp]))[tp] <= last:
            if time.monotonic() > deadline:
                log.warning("commit marker not seen; NOOP written anyway", topic=topic)
                return
            await asyncio.sleep(0.01)


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
