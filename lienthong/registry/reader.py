"""Reads the schemas topic from its first record, forever, into the registry's state.

`read_committed`: only committed transactions reach the state, so an aborted write of a
fenced instance is never seen. `catch_up` waits until everything committed before the call
is applied; that is what "ready" and "the writer knows the latest state" mean.
"""

import asyncio
from typing import Final

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from lienthong.kafka_clients import kafka_client_options
from lienthong.registry.errors import RegistryStoreError, RegistryTimeoutError
from lienthong.registry.records import decode_record
from lienthong.registry.state import RegistryState
from lienthong.settings import Settings

__all__ = ["SchemaLogReader"]

log = structlog.get_logger(__name__)

_POLL_MS: Final = 50
_RETRY_S: Final = 1.0


class SchemaLogReader:
    def __init__(self, settings: Settings, state: RegistryState) -> None:
        self._state = state
        self._topic = TopicPartition(settings.registry.topic, 0)
        self._consumer = AIOKafkaConsumer(
            **kafka_client_options(settings.kafka),
            client_id=f"{settings.kafka.client_id}-registry-reader",
            request_timeout_ms=int(settings.kafka.request_timeout_s * 1000),
            isolation_level="read_committed",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=_POLL_MS,
        )
        self._position = 0
        self._moved = asyncio.Condition()
        self._failure: BaseException | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        try:
            await self._consumer.start()
        except KafkaError as exc:
            await self._consumer.stop()
            raise RegistryStoreError(f"cannot read the schemas topic: {exc!r}") from exc
        self._consumer.assign([self._topic])
        await self._consumer.seek_to_beginning(self._topic)
        self._task = asyncio.create_task(self._follow(), name="registry-reader")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._consumer.stop()

    async def catch_up(self, timeout_s: float) -> None:
        """Return once every record committed before this call is in the state."""
        try:
            async with asyncio.timeout(timeout_s):
                ends = await self._consumer.end_offsets([self._topic])
        except TimeoutError:
            raise RegistryTimeoutError(
                f"the end of the schemas topic was not found within {timeout_s}s"
            ) from None
        except KafkaError as exc:
            raise RegistryStoreError(f"cannot find the end of the schemas topic: {exc!r}") from exc
        await self.reach(ends[self._topic], timeout_s)

    async def reach(self, offset: int, timeout_s: float) -> None:
        """Return once the state includes every committed record before `offset`."""
        try:
            async with asyncio.timeout(timeout_s), self._moved:
                await self._moved.wait_for(lambda: self._position >= offset or self.failed)
        except TimeoutError:
            raise RegistryTimeoutError(
                f"the schemas topic was not read up to offset {offset} within {timeout_s}s "
                f"(at {self._position})"
            ) from None
        reason = self.failure
        if reason is not None:
            raise RegistryStoreError(reason)

    @property
    def failed(self) -> bool:
        """The reader stopped on an unexpected error: the state no longer follows the topic."""
        return self._failure is not None

    @property
    def failure(self) -> str | None:
        """Why the reader stopped, if it did; it is not restarted, the process must be."""
        if self._failure is None:
            return None
        return f"reading the schemas topic failed: {self._failure!r}"

    async def until_failed(self) -> str:
        """Wait for the reader to stop on an error, and return why; it never stops otherwise."""
        async with self._moved:
            await self._moved.wait_for(lambda: self.failed)
        return self.failure or "reading the schemas topic failed"

    async def _follow(self) -> None:
        try:
            while True:
                await self._read_once()
        except Exception as exc:
            log.exception("registry reader stopped", topic=self._topic.topic)
            self._failure = exc
            async with self._moved:
                self._moved.notify_all()
            raise

    async def _read_once(self) -> None:
        try:
            batches = await self._consumer.getmany(self._topic, timeout_ms=_POLL_MS)
        except KafkaError as exc:
            log.warning("reading the schemas topic failed; retrying", error=repr(exc))
            await asyncio.sleep(_RETRY_S)
            return
        for message in batches.get(self._topic, []):
            record = decode_record(message.key, message.value)
            if record is None:
                log.info("record skipped", topic=self._topic.topic, offset=message.offset)
                continue
            self._state.apply(record)
        position = await self._consumer.position(self._topic)
        if position != self._position:
            async with self._moved:
                self._position = position
                self._moved.notify_all()
