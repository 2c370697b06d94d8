"""The key registry on Kafka: the compacted one-partition `lienthong.keys` topic, read to its
end into a KeyRing, and written one record per key id."""

import time
from collections.abc import Sequence

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError

from lienthong.errors import RetriableError
from lienthong.kafka_clients import kafka_client_options
from lienthong.settings import Settings
from lienthong.trust.keyring import KeyRing
from lienthong.trust.records import KeyRecord, MalformedKeyRecordError

__all__ = ["KeyRegistryReader", "publish_key_records"]

log = structlog.get_logger(__name__)

_READ_TIMEOUT_S = 30.0


class KeyRegistryReader:
    """Follows the registry on demand: each `catch_up()` reads what was added since the last
    one, up to the end the topic has now. One group-less consumer, started on first use."""

    def __init__(self, settings: Settings, ring: KeyRing | None = None) -> None:
        self.ring = ring if ring is not None else KeyRing()
        self._settings = settings
        self._partition = TopicPartition(settings.topics.keys, 0)
        self._consumer: AIOKafkaConsumer | None = None

    async def catch_up(self, timeout_s: float = _READ_TIMEOUT_S) -> None:
        """Every record up to the topic's end as of the call is in the ring. Raises
        RetriableError when Kafka does not answer in time (the caller retries)."""
        consumer = await self._started()
        if consumer is None:
            return  # no topic yet: no key was ever registered
        partition = self._partition
        try:
            end = (await consumer.end_offsets([partition]))[partition]
            deadline = time.monotonic() + timeout_s
            while await consumer.position(partition) < end:
                if time.monotonic() > deadline:
                    raise RetriableError(f"{partition.topic} not read to its end in {timeout_s} s")
                batches = await consumer.getmany(partition, timeout_ms=200)
                for record in batches.get(partition, []):
                    self._apply(record.key, record.value, record.offset)
        except KafkaError as exc:
            raise RetriableError(f"key registry {partition.topic} not read: {exc!r}") from exc

    async def close(self) -> None:
        if self._consumer is not None:
            consumer, self._consumer = self._consumer, None
            await consumer.stop()

    async def _started(self) -> AIOKafkaConsumer | None:
        if self._consumer is not None:
            return self._consumer
        settings = self._settings
        consumer = AIOKafkaConsumer(
            **kafka_client_options(settings.kafka),
            client_id=f"{settings.kafka.client_id}-keys",
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            request_timeout_ms=int(settings.kafka.request_timeout_s * 1000),
        )
        try:
            await consumer.start()
            if self._partition.topic not in await consumer.topics():
                await consumer.stop()
                return None
        except KafkaError as exc:
            await consumer.stop()
            raise RetriableError(
                f"Kafka at {settings.kafka.bootstrap_servers} does not answer "
                f"({type(exc).__name__})"
            ) from exc
        consumer.assign([self._partition])
        await consumer.seek_to_beginning(self._partition)
        self._consumer = consumer
        return consumer

    def _apply(self, key: bytes | None, value: bytes | None, offset: int) -> None:
        try:
            self.ring.apply(key, value, offset)
        except MalformedKeyRecordError as exc:
            # Skipped, not fatal: a key it cannot read verifies no event, which is safe.
            log.warning("unreadable key registry record", offset=offset, error=str(exc))


async def publish_key_records(settings: Settings, records: Sequence[KeyRecord]) -> None:
    """Write the records, each under its key id, acknowledged by every in-sync replica."""
    producer = AIOKafkaProducer(
        **kafka_client_options(settings.kafka),
        client_id=f"{settings.kafka.client_id}-keys",
        acks="all",
        request_timeout_ms=int(settings.kafka.request_timeout_s * 1000),
    )
    try:
        await producer.start()
        for record in records:
            await producer.send_and_wait(
                settings.topics.keys, key=record.key_id.encode("ascii"), value=record.to_json()
            )
    except KafkaError as exc:
        raise RetriableError(
            f"key registry {settings.topics.keys} not written: Kafka at "
            f"{settings.kafka.bootstrap_servers} does not answer ({type(exc).__name__})"
        ) from exc
    finally:
        await producer.stop()
