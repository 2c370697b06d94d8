"""Follows the control topic and applies operators' requests to the connectors of this process.

One group-less consumer per process, from the beginning of the compacted topic: first the
latest request per connector recorded before the process started (a connector last asked to
pause starts paused), then each new request as it comes.
"""

import asyncio
from collections.abc import Sequence

import structlog
from aiokafka import ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError

from connectors.control_records import ControlRequest, MalformedRecordError, request_from_json
from connectors.control_topic import read_to_end, started_consumer, wait_for_topic
from connectors.runner import ConnectorRunner
from lienthong.errors import RetriableError
from lienthong.settings import Settings
from lienthong.topics import bus_topics, ensure_topics

__all__ = ["ControlFollower"]

log = structlog.get_logger(__name__)

_MAX_BACKOFF_S = 30.0


class ControlFollower:
    """Holds the runners' sessions, before they read their sources, until the requests
    recorded so far are applied; then applies each new one."""

    def __init__(self, settings: Settings, runners: Sequence[ConnectorRunner]) -> None:
        self._settings = settings
        self._runners: dict[str, ConnectorRunner] = {runner.name: runner for runner in runners}
        for runner in runners:
            runner.control.hold_until_known()

    async def follow_until_cancelled(self) -> None:
        backoff = 0.5
        try:
            while True:
                try:
                    await self._follow()
                except (KafkaError, RetriableError) as exc:
                    log.warning("connector requests not read", error=str(exc) or repr(exc))
                except Exception:
                    # Requests are unreadable, not the connectors: they go on as last asked.
                    log.exception("connector requests not followed")
                    self._release()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF_S)
        finally:
            self._release()

    async def _follow(self) -> None:
        settings = self._settings
        topic = settings.topics.connector_control
        await ensure_topics(settings, [spec for spec in bus_topics(settings) if spec.name == topic])
        consumer = await started_consumer(settings, "connector-control")
        try:
            await wait_for_topic(consumer, topic)
            latest: dict[str, ControlRequest] = {}
            for record in await read_to_end(consumer, topic):
                request = self._request_in(record)
                if request is not None:
                    latest[request.name] = request
            for request in latest.values():
                self._apply(request)
            self._release()
            partition = TopicPartition(topic, 0)
            while True:
                batches = await consumer.getmany(partition, timeout_ms=1000)
                for records in batches.values():
                    for record in records:
                        request = self._request_in(record)
                        if request is not None:
                            self._apply(request)
        finally:
            await consumer.stop()

    def _request_in(self, record: ConsumerRecord[bytes, bytes]) -> ControlRequest | None:
        """The request for one of this process's connectors; None for others' and tombstones."""
        if record.key is None or record.value is None:
            return None
        name = record.key.decode("utf-8", errors="replace")
        if name not in self._runners:
            return None
        try:
            return request_from_json(name, record.value)
        except MalformedRecordError as exc:
            log.warning("unreadable connector request", connector=name, error=str(exc))
            return None

    def _apply(self, request: ControlRequest) -> None:
        log.info(
            "connector request",
            connector=request.name,
            action=request.action.value,
            requested_at=request.requested_at.isoformat(),
        )
        self._runners[request.name].control.apply(request)

    def _release(self) -> None:
        for runner in self._runners.values():
            runner.control.requests_known()
