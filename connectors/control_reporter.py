"""Reports each runner's state on the status topic: on every change and every heartbeat.

One small producer per process (acks=all, not transactional: a state report must not wait
for a connector's open transaction). A report that cannot be sent is logged and the next
heartbeat tries again: connectors never wait on their reports.
"""

import asyncio
import os
import socket
from collections.abc import Sequence
from datetime import UTC, datetime

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from connectors.control_records import (
    FAILED,
    STOPPED,
    UNASSIGNED,
    ConnectorState,
    state_to_json,
)
from connectors.control_topic import control_client_timeout_ms
from connectors.runner import ConnectorRunner
from lienthong.errors import LienthongError
from lienthong.kafka_clients import kafka_client_options
from lienthong.settings import Settings
from lienthong.topics import bus_topics, ensure_topics

__all__ = ["StatusReporter", "this_worker"]

log = structlog.get_logger(__name__)

_FINAL_REPORT_S = 5.0


def this_worker() -> str:
    """`host:pid`, as Kafka Connect names a worker."""
    return f"{socket.gethostname()}:{os.getpid()}"


class StatusReporter:
    def __init__(self, settings: Settings, runners: Sequence[ConnectorRunner]) -> None:
        self._settings = settings
        self._runners = runners
        self._worker = this_worker()
        self._wake = asyncio.Event()
        self._producer: AIOKafkaProducer | None = None
        for runner in runners:
            runner.on_state_change = self._wake.set

    async def report_until_cancelled(self) -> None:
        every_s = self._settings.connector.heartbeat_every_s
        while True:
            self._wake.clear()
            await self._report([self.state_of(runner) for runner in self._runners])
            try:
                await asyncio.wait_for(self._wake.wait(), every_s)
            except TimeoutError:
                pass

    async def report_final(self) -> None:
        """As the process exits: FAILED with its error, STOPPED (an operator's wish outlives
        the process), or UNASSIGNED: no process runs it any more."""
        finals = []
        for runner in self._runners:
            kept = runner.state in (FAILED, STOPPED)
            finals.append(self.state_of(runner, runner.state if kept else UNASSIGNED))
        try:
            await asyncio.wait_for(self._report(finals), _FINAL_REPORT_S)
        except TimeoutError:
            log.warning("final connector states not reported", within_s=_FINAL_REPORT_S)
        finally:
            await self._close()

    def state_of(self, runner: ConnectorRunner, state: str | None = None) -> ConnectorState:
        spec, stats = runner.source.spec, runner.stats
        return ConnectorState(
            name=runner.name,
            kind=spec.kind,
            agency=spec.agency,
            state=state or runner.state,
            worker=self._worker,
            reported_at=datetime.now(UTC),
            published=stats.published,
            dead_lettered=stats.dead_lettered,
            last_commit_at=stats.last_commit_at,
            position=None if stats.position is None else str(stats.position),
            error=runner.last_error,
            started_at=runner.control.session_started_at,
        )

    async def _report(self, states: list[ConnectorState]) -> None:
        topic = self._settings.topics.connector_status
        try:
            producer = await self._started()
            deliveries = [
                await producer.send(topic, state_to_json(state), key=state.name.encode("utf-8"))
                for state in states
            ]
            await asyncio.gather(*deliveries)
        except (KafkaError, LienthongError) as exc:
            log.warning("connector states not reported", topic=topic, error=str(exc) or repr(exc))
            await self._close()

    async def _started(self) -> AIOKafkaProducer:
        if self._producer is not None:
            return self._producer
        settings = self._settings
        topic = settings.topics.connector_status
        await ensure_topics(settings, [spec for spec in bus_topics(settings) if spec.name == topic])
        producer = AIOKafkaProducer(
            **kafka_client_options(settings.kafka),
            client_id=f"{settings.kafka.client_id}-connector-status",
            acks="all",
            request_timeout_ms=control_client_timeout_ms(settings),
        )
        try:
            await producer.start()
        except BaseException:
            await producer.stop()
            raise
        self._producer = producer
        return producer

    async def _close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()
