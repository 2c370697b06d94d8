"""The centre store as the status sees it: up or down, per source freshness, per kind sync."""

import asyncio
from collections.abc import Mapping

from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from lienthong.errors import LienthongError
from lienthong.ids import TopicName
from lienthong.observe.behind import records_behind
from lienthong.observe.bus import BusView
from lienthong.observe.freshness import CentreKindSync, SourceFreshness
from lienthong.observe.records import TopicState
from lienthong.observe.status_records import ComponentHealth
from lienthong.settings import Settings
from streams.centre.freshness import KindActivity, read_kind_activity, read_source_freshness
from streams.centre.schema import STREAM_OFFSETS
from streams.centre.store import create_centre_engine

__all__ = ["CentreReport", "read_centre"]

CentreReport = tuple[ComponentHealth, tuple[SourceFreshness, ...], tuple[CentreKindSync, ...]]


class _CentreMissingError(LienthongError):
    """No store to read: the worker has not created it yet (looking never creates it)."""


async def read_centre(
    settings: Settings, view: BusView, topics: Mapping[TopicName, TopicState]
) -> CentreReport:
    """A store that cannot be read is reported down, with nothing in it; only Kafka not
    answering (while counting what the centre has not applied) raises."""
    try:
        sources, kinds = await asyncio.to_thread(_read, settings)
    except (LienthongError, SQLAlchemyError, OSError) as exc:
        return ComponentHealth("centre", False, _one_line(exc)), (), ()
    stored = {kind.topic: kind.stored_offsets for kind in kinds}
    behind = await records_behind(view, topics, stored)
    synced = tuple(_sync(kind, behind[kind.topic]) for kind in kinds)
    rows = sum(kind.current_rows for kind in kinds)
    detail = f"{_where(settings)}: {_count(rows, 'current row')}, {_count(len(sources), 'source')}"
    return ComponentHealth("centre", True, detail), tuple(sources), synced


def _read(settings: Settings) -> tuple[list[SourceFreshness], list[KindActivity]]:
    if settings.centre.dsn is None and not settings.centre_sqlite_path.exists():
        raise _CentreMissingError(f"no centre store at {settings.centre_sqlite_path}")
    engine = create_centre_engine(settings)
    try:
        if not inspect(engine).has_table(STREAM_OFFSETS.name):
            raise _CentreMissingError(f"{_where(settings)} holds no centre tables yet")
        sources = read_source_freshness(engine)
        kinds = read_kind_activity(engine, settings.topics, settings.streams.app_id)
        return sources, kinds
    finally:
        engine.dispose()


def _sync(kind: KindActivity, behind: int) -> CentreKindSync:
    return CentreKindSync(
        kind=kind.kind,
        topic=kind.topic,
        current_rows=kind.current_rows,
        history_rows=kind.history_rows,
        last_synced_at=kind.last_synced_at,
        behind=behind,
    )


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _where(settings: Settings) -> str:
    if settings.centre.dsn is None:
        return f"SQLite {settings.centre_sqlite_path}"
    return "PostgreSQL"


def _one_line(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(original).__name__
