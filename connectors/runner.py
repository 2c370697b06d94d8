"""Runs one source: its items become Kafka transactions that also carry its position.

Delivery: each batch (events, tombstones, dead letters) and the connector's position after it
(keyed by connector name on the compacted offsets topic) commit in one Kafka transaction with
an idempotent producer (acks=all). A restarted runner fences its predecessor, reads the last
committed position and asks the source for what follows, so for `read_committed` consumers
nothing is lost and nothing appears twice, provided the source replays faithfully after a
position (each kind's docstring says how far that holds).

Sessions: a session opens the source and a transactional producer, publishes until it is
ended (the process stops, or an operator pauses, stops or restarts the connector, see
connectors/control.py) and closes both; a failed one is retried with backoff. A paused or
stopped runner idles between sessions. `state` and `last_error` say where it is.
"""

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog

from connectors.building import EventBuilder, ItemRecords, connector_signers
from connectors.contract import Domain, Source, SourceItem
from connectors.control_records import FAILED, RUNNING, STARTING
from connectors.control_target import SessionControl
from connectors.offsets import delete_committed_value, read_committed_value
from connectors.publisher import OutgoingRecord, TransactionalPublisher
from connectors.registration import prepared_serializer
from connectors.stats import ConnectorStats
from connectors.waiting import sleep_unless
from lienthong.codec import RecordEncoder
from lienthong.errors import RetriableError
from lienthong.serde import RegistryClient
from lienthong.settings import Settings
from lienthong.topics import bus_topics, ensure_topics

__all__ = ["ConnectorRunner", "position_from_value", "transactional_id_for"]

log = structlog.get_logger(__name__)

_MAX_BACKOFF_S = 30.0
_STEP = 32
"""Items built between two turns of the event loop: enough to keep the loop's overhead low,
few enough (a millisecond or two) that Kafka's replies and the source are served meanwhile."""


class _End:
    """Put on the queue when the source's read ends (or fails)."""


_END = _End()


class ConnectorRunner:
    def __init__(
        self,
        source: Source,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.source = source
        self.settings = settings
        self.name = source.name
        self.transactional_id = transactional_id_for(source.name)
        self.stats = ConnectorStats()
        self.state: str = STARTING
        """STARTING (also while retrying), RUNNING, PAUSED, STOPPED or FAILED."""
        self.last_error: str | None = None
        """Why the last session failed, until a session runs again; the error it failed with."""
        self.control = SessionControl()
        """Operators' requests; a supervisor following the control topic applies them."""
        self.on_state_change: Callable[[], None] | None = None
        self._clock = clock

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Publish until `stop` is set (the current batch completes) or the task is cancelled
        (the open transaction is aborted). Retries while Kafka or the source is down; idles
        while paused or stopped. An error that retrying cannot cure leaves it FAILED."""
        stop = stop or asyncio.Event()
        registry = RegistryClient.from_settings(self.settings.registry)
        relay = asyncio.create_task(_stop_control_on(stop, self.control))
        try:
            await self._run_sessions(registry, stop)
        except Exception as exc:
            self._set_state(FAILED, str(exc) or type(exc).__name__)
            raise
        finally:
            relay.cancel()
            await asyncio.gather(relay, return_exceptions=True)
            await registry.close()
            await self.source.close()

    async def reset_position(self) -> None:
        """Forget where this connector stopped: its next run reads the source from the start."""
        await delete_committed_value(self.settings, self.name, self.transactional_id)

    async def _run_sessions(self, registry: RegistryClient, stop: asyncio.Event) -> None:
        backoff = 0.5
        while not stop.is_set():
            if self.control.target != RUNNING:
                await self._idle()
                continue
            session_end = self.control.begin_session(datetime.now(UTC))
            batches = self.stats.batches
            try:
                self._set_state(STARTING, self.last_error)
                await self._session(registry, session_end)
            except RetriableError as exc:
                if self.stats.batches != batches:
                    backoff = 0.5
                self.stats.failures += 1
                self._set_state(STARTING, str(exc))
                log.warning(
                    "connector interrupted, retrying",
                    connector=self.name,
                    error=str(exc),
                    retry_in_s=backoff,
                )
                await sleep_unless(session_end, backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF_S)
            finally:
                self.control.end_of_session()

    async def _idle(self) -> None:
        """Paused or stopped: the source stays closed until a request lets it run again."""
        target = self.control.target
        await self.source.close()
        self._set_state(target, None)
        log.info("connector idle", connector=self.name, state=target)
        await self.control.wait_while(target)

    def _set_state(self, state: str, error: str | None) -> None:
        changed = (state, error) != (self.state, self.last_error)
        self.state, self.last_error = state, error
        if changed and self.on_state_change is not None:
            self.on_state_change()

    async def _session(self, registry: RegistryClient, session_end: asyncio.Event) -> None:
        settings = self.settings
        await ensure_topics(settings, bus_topics(settings))
        builder = await self._builder(registry)
        await self.source.prepare()
        publisher = TransactionalPublisher(settings, self.transactional_id)
        await publisher.start()
        queue: asyncio.Queue[SourceItem | _End] = asyncio.Queue(self.source.spec.batch_size * 2)
        pump: asyncio.Task[None] | None = None
        try:
            position = position_from_value(await read_committed_value(settings, self.name))
            self.stats.position = position
            await self.control.wait_until_known(session_end)
            if session_end.is_set():
                return  # paused or stopped before reading anything
            self._set_state(RUNNING, None)
            log.info("connector started", connector=self.name, after=position)
            pump = asyncio.create_task(self._pump(position, queue, session_end))
            await self._publish_all(publisher, builder, queue)
            await pump  # re-raises what ended the source's read
        finally:
            if pump is not None and not pump.done():
                pump.cancel()
                await asyncio.gather(pump, return_exceptions=True)
            _fail_waiting(queue)
            await publisher.stop()
        log.info("connector stopped", connector=self.name, position=self.stats.position)

    async def _pump(
        self, after: str | None, queue: asyncio.Queue[SourceItem | _End], stop: asyncio.Event
    ) -> None:
        try:
            async for item in self.source.read(after, stop):
                await queue.put(item)
        except Exception:
            await queue.put(_END)  # the session re-raises it after publishing what came before
            raise
        await queue.put(_END)

    async def _publish_all(
        self,
        publisher: TransactionalPublisher,
        builder: EventBuilder,
        queue: asyncio.Queue[SourceItem | _End],
    ) -> None:
        """Commit batch after batch, strictly in order, until the source's read ends. While a
        batch commits, a full batch already waiting is built (the transaction's round trips
        leave the CPU idle); otherwise the next batch is taken once the commit is done, so a
        source trickling changes still gets batches as large as it can fill meanwhile."""
        pending = await self._take_next(builder, queue)
        while pending is not None:
            batch, building = pending
            ahead: _Building | None = None
            try:
                built = await building
                ahead = self._take_ready(builder, queue)
                await self._commit(publisher, builder, built)
            except BaseException:
                _abandon(batch, building)
                if ahead is not None:
                    _abandon(*ahead)
                raise
            pending = ahead if ahead is not None else await self._take_next(builder, queue)

    async def _take_next(
        self, builder: EventBuilder, queue: asyncio.Queue[SourceItem | _End]
    ) -> "_Building | None":
        """The next batch, its build started; waits for the source, None once its read ended."""
        batch = await self._next_batch(queue)
        return None if batch is None else (batch, self._start_build(builder, batch))

    def _take_ready(
        self, builder: EventBuilder, queue: asyncio.Queue[SourceItem | _End]
    ) -> "_Building | None":
        """A full batch waiting on the queue, its build started; None when there is none."""
        if queue.qsize() < self.source.spec.batch_size:
            return None
        batch = self._fill(queue, [])
        return (batch, self._start_build(builder, batch)) if batch else None

    def _start_build(
        self, builder: EventBuilder, batch: list[SourceItem]
    ) -> "asyncio.Future[_Built]":
        return asyncio.ensure_future(_built_in_steps(builder, batch, self._clock()))

    async def _next_batch(self, queue: asyncio.Queue[SourceItem | _End]) -> list[SourceItem] | None:
        """What the source has ready, up to the batch size; None once its read has ended."""
        first = await queue.get()
        if isinstance(first, _End):
            return None
        return self._fill(queue, [first])

    def _fill(
        self, queue: asyncio.Queue[SourceItem | _End], batch: list[SourceItem]
    ) -> list[SourceItem]:
        limit = self.source.spec.batch_size
        while len(batch) < limit and not queue.empty():
            item = queue.get_nowait()
            if isinstance(item, _End):
                queue.put_nowait(item)  # the next call ends the session
                break
            batch.append(item)
        return batch

    async def _commit(
        self, publisher: TransactionalPublisher, builder: EventBuilder, built: "_Built"
    ) -> None:
        batch, outcomes, now = built.batch, built.outcomes, built.now
        records = [record for outcome in outcomes for record in outcome.records]
        position = next((i.position for i in reversed(batch) if i.position is not None), None)
        if position is not None:
            records.append(self._position_record(position, now))
        try:
            await publisher.publish(records)
        except BaseException as exc:
            _fail_receipts(batch, exc)
            raise
        self._count(builder, batch, outcomes, position, now)

    def _count(
        self,
        builder: EventBuilder,
        batch: list[SourceItem],
        outcomes: list[ItemRecords],
        position: str | None,
        now: datetime,
    ) -> None:
        stats = self.stats
        for item, outcome in zip(batch, outcomes, strict=True):
            if outcome.event_id is not None:
                stats.published += 1
                stats.tombstones += outcome.tombstones
                if item.receipt is not None:
                    item.receipt.published(outcome.event_id)
                continue
            stats.dead_lettered += 1
            if item.receipt is not None:
                item.receipt.dead_lettered()
            error = outcome.dead_letter
            log.warning(  # once committed: a batch built again after a failure logs once
                "change dead-lettered",
                connector=self.name,
                **builder.identity(item),
                domain=item.domain.value,
                key=item.key,
                source_position=item.source_position,
                stage=error.stage if error else None,
                reason=error.reason if error else None,
            )
        stats.batches += 1
        stats.last_commit_at = now
        if position is not None:
            stats.position = position

    def _position_record(self, position: str, now: datetime) -> OutgoingRecord:
        spec = self.source.spec
        value = {
            "position": position,
            "connector": spec.name,
            "kind": spec.kind,
            "source_agency": spec.agency,
            "source_system": spec.system,
            "committed_at": now.isoformat(),
        }
        return OutgoingRecord(
            self.settings.topics.connector_offsets,
            spec.name.encode("utf-8"),
            json.dumps(value, ensure_ascii=False).encode("utf-8"),
        )

    async def _builder(self, registry: RegistryClient) -> EventBuilder:
        """One serializer per domain, each schema registered (or found) before the first batch."""
        settings = self.settings
        encoders: dict[Domain, RecordEncoder] = {}
        for domain in self.source.domains:
            topic = domain.topic(settings.topics)
            encoders[domain] = await prepared_serializer(
                registry, settings, domain.record_name, topic
            )
        spec = self.source.spec
        signers = connector_signers(spec, settings.trust)
        return EventBuilder(spec, settings.topics, encoders, signers)


def transactional_id_for(name: str) -> str:
    """The Kafka transactional id of connector `name`: a second instance fences the first."""
    return f"lienthong-connect-{name}"


async def _stop_control_on(stop: asyncio.Event, control: SessionControl) -> None:
    await stop.wait()
    control.stop()


def position_from_value(value: bytes | None) -> str | None:
    """The stored position of a connector; None when it has none (read from the beginning)."""
    if value is None:
        return None
    position: str | None = json.loads(value).get("position")
    return position


@dataclass(frozen=True, slots=True)
class _Built:
    batch: list[SourceItem]
    outcomes: list[ItemRecords]
    now: datetime


_Building = tuple[list[SourceItem], "asyncio.Future[_Built]"]
"""A batch taken off the queue and the task building its records."""


async def _built_in_steps(builder: EventBuilder, batch: list[SourceItem], now: datetime) -> _Built:
    """On the event loop, not in a thread: a CPU-bound thread holds the GIL for 5 ms at a time
    while the loop waits for it to handle each of the transaction's round trips."""
    outcomes: list[ItemRecords] = []
    for start in range(0, len(batch), _STEP):
        outcomes.extend(builder.records(item, now) for item in batch[start : start + _STEP])
        await asyncio.sleep(0)
    return _Built(batch, outcomes, now)


def _abandon(batch: list[SourceItem], building: "asyncio.Future[_Built]") -> None:
    """A batch that will not be published: whoever waits on it hears so."""
    _fail_receipts(batch, _not_published())
    if not building.done():
        building.cancel()
    elif not building.cancelled():
        building.exception()  # retrieved: the session raises what ended it


def _fail_receipts(batch: list[SourceItem], error: BaseException) -> None:
    for item in batch:
        if item.receipt is not None:
            item.receipt.failed(error)


def _fail_waiting(queue: asyncio.Queue[SourceItem | _End]) -> None:
    """Items read but not published: whoever waits on them hears they were not committed."""
    error = _not_published()
    while not queue.empty():
        item = queue.get_nowait()
        if not isinstance(item, _End) and item.receipt is not None:
            item.receipt.failed(error)


def _not_published() -> RetriableError:
    return RetriableError("the connector stopped before publishing this change")
