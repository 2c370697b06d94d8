"""Samples the bus every `settings.dashboard.sample_every_s` through one BusView kept open.

When Kafka does not answer, the last good sample is kept (the page shows it as such), Kafka
is marked down and the view is opened again at the next tick, so the dashboard recovers by
itself once the broker is back.
"""

import asyncio
from datetime import UTC, datetime

import structlog

from connectors.waiting import sleep_unless
from lienthong.dashboard.history import History
from lienthong.dashboard.sample import BusSample, DashboardState, GroupLag
from lienthong.errors import LienthongError
from lienthong.observe import BusUnavailableError, BusView, collect_status
from lienthong.settings import Settings

__all__ = ["Sampler", "take_sample"]

log = structlog.get_logger(__name__)


async def take_sample(settings: Settings, view: BusView) -> BusSample:
    """Status, topics and the lag of every live consumer group; event-time lag (one read
    per partition) only for the centre's stream processors, where it is worth its cost."""
    status = await collect_status(settings, view)
    topics = await view.topics()
    lags = []
    for group in await view.groups():
        if group.state == "Dead":
            continue
        event_time = group.group_id == settings.streams.app_id
        try:
            partitions = await view.group_lag(group.group_id, event_time=event_time)
        except BusUnavailableError:
            raise
        except LienthongError as exc:  # nothing committed yet, or the group is gone
            log.debug("dashboard.group_skipped", group=group.group_id, reason=str(exc))
            continue
        lags.append(GroupLag(group, tuple(partitions)))
    return BusSample(status=status, topics=tuple(topics), groups=tuple(lags))


class Sampler:
    def __init__(self, settings: Settings, history: History) -> None:
        self._settings = settings
        self._history = history
        self._view: BusView | None = None
        self._state = DashboardState()

    @property
    def state(self) -> DashboardState:
        return self._state

    @property
    def history(self) -> History:
        return self._history

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                await self.sample_once()
                await sleep_unless(stop, self._settings.dashboard.sample_every_s)
        finally:
            await self._close_view()

    async def sample_once(self) -> None:
        try:
            view = await self._open_view()
            sample = await take_sample(self._settings, view)
        except BusUnavailableError as exc:
            await self._close_view()
            self._failed(str(exc), kafka_up=False)
            return
        except Exception as exc:  # the page must keep serving whatever happens
            log.exception("dashboard.sample_failed")
            await self._close_view()
            self._failed(f"sampling failed: {exc}", kafka_up=self._state.kafka_up)
            return
        self._history.record(sample)
        if self._state.kafka_up is False:
            log.info("dashboard.kafka_back")
        self._state = DashboardState(sample, kafka_up=True, problem=None, checked_at=_now())

    def _failed(self, problem: str, *, kafka_up: bool | None) -> None:
        if self._state.problem != problem:
            log.warning("dashboard.sample_kept", problem=problem)
        self._state = DashboardState(
            self._state.latest, kafka_up=kafka_up, problem=problem, checked_at=_now()
        )

    async def _open_view(self) -> BusView:
        if self._view is None:
            view = BusView(self._settings)
            await view.__aenter__()
            self._view = view
        return self._view

    async def _close_view(self) -> None:
        view, self._view = self._view, None
        if view is not None:
            try:
                await view.__aexit__(None, None, None)
            except Exception as exc:  # closing a view on a dead broker may fail
                log.debug("dashboard.view_close_failed", reason=str(exc))


def _now() -> datetime:
    return datetime.now(UTC)
