"""One look at the running bus for the progress display: per department its activity, its
connector's counters and how its source compares with the centre; the centre per kind; lag."""

import asyncio
from collections.abc import Sequence

from sqlalchemy import Engine

from connectors.runner import ConnectorRunner
from lienthong.demo.departments import Department
from lienthong.demo.snapshot import DemoSnapshot, DepartmentProgress
from lienthong.observe import BusView, records_behind
from lienthong.settings import Settings
from streams.centre import read_kind_counts, read_offsets

__all__ = ["take_snapshot"]


async def take_snapshot(
    settings: Settings,
    departments: Sequence[Department],
    runners: Sequence[ConnectorRunner],
    centre: Engine,
    view: BusView,
    elapsed_s: float,
) -> DemoSnapshot:
    by_name = {runner.name: runner for runner in runners}
    progress = []
    for department in departments:
        runner = by_name[department.connector]
        stats = runner.stats
        sync = await asyncio.to_thread(department.sync, centre, stats)
        progress.append(
            DepartmentProgress(
                title=department.title,
                activities=department.activities,
                connector=runner.name,
                kind=runner.source.spec.kind,
                published=stats.published,
                dead_lettered=stats.dead_lettered,
                sync=sync,
            )
        )
    return DemoSnapshot(
        elapsed_s=elapsed_s,
        departments=tuple(progress),
        centre=await asyncio.to_thread(read_kind_counts, centre),
        lag=await _lag(settings, centre, view),
        worker_alive=True,
    )


async def _lag(settings: Settings, centre: Engine, view: BusView) -> int:
    """Records on the centre's topics not applied yet. The worker keeps its offsets in the
    centre, committed with the rows: they are the truth, whatever Kafka's group says. Records,
    not offsets: the connectors' transaction markers never get applied."""
    stored = {
        topic: await asyncio.to_thread(read_offsets, centre, settings.streams.app_id, topic)
        for topic in settings.topics.centre_sources
    }
    topics = {topic.name: topic for topic in await view.topics()}
    behind = await records_behind(view, topics, stored)
    return sum(behind.values())
