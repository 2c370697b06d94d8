"""What the centre can say about its own freshness: per source system the newest event it
applied, per kind of entity its rows and the offsets it stored with them.

Read-only, and never creates the store: an operator looking must not change what they look at.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from lienthong.ids import TopicName
from lienthong.observe.freshness import SourceFreshness
from lienthong.settings import TopicSettings
from streams.centre.catalog import CENTRE_KINDS
from streams.centre.kinds import EntityKind
from streams.centre.schema import STREAM_OFFSETS

__all__ = ["KindActivity", "read_kind_activity", "read_source_freshness"]


@dataclass(frozen=True)
class KindActivity:
    """One kind as the centre holds it; how far behind it is needs the topic's end offsets."""

    kind: str
    topic: TopicName
    current_rows: int
    history_rows: int
    last_synced_at: datetime | None
    stored_offsets: dict[int, int]
    """Partition -> next offset to apply, as committed with the rows; absent = never read."""


def read_source_freshness(engine: Engine) -> list[SourceFreshness]:
    """Per (agency, system), over every kind's history, sorted by agency then system."""
    merged: dict[tuple[str, str], SourceFreshness] = {}
    with engine.connect() as conn:
        for kind in CENTRE_KINDS:
            history = kind.history
            query = select(
                history.c.source_agency,
                history.c.source_system,
                func.max(history.c.occurred_at),
                func.max(history.c.applied_at),
                func.count(),
            ).group_by(history.c.source_agency, history.c.source_system)
            for agency, system, occurred, applied, count in conn.execute(query):
                known = merged.get((agency, system))
                merged[(agency, system)] = SourceFreshness(
                    agency=agency,
                    system=system,
                    last_event_at=_latest(occurred, known.last_event_at if known else None),
                    last_applied_at=_latest(applied, known.last_applied_at if known else None),
                    events_applied=count + (known.events_applied if known else 0),
                )
    return [merged[key] for key in sorted(merged)]


def read_kind_activity(
    engine: Engine, topics: TopicSettings, consumer_group: str
) -> list[KindActivity]:
    """Every kind the centre keeps, in the catalogue's order."""
    with engine.connect() as conn:
        return [_activity(conn, kind, kind.topic(topics), consumer_group) for kind in CENTRE_KINDS]


def _activity(
    conn: Connection, kind: EntityKind[Any], topic: TopicName, consumer_group: str
) -> KindActivity:
    current, synced = conn.execute(select(func.count(), func.max(kind.current.c.synced_at))).one()
    if kind.deleted is not None:
        # A delete removes the current row; its marker keeps when it was synced.
        deleted_synced = conn.execute(select(func.max(kind.deleted.c.synced_at))).scalar_one()
        synced = _latest(synced, deleted_synced)
    history = conn.execute(select(func.count()).select_from(kind.history)).scalar_one()
    offsets = select(STREAM_OFFSETS.c.partition, STREAM_OFFSETS.c.next_offset).where(
        STREAM_OFFSETS.c.consumer_group == consumer_group, STREAM_OFFSETS.c.topic == topic
    )
    return KindActivity(
        kind=kind.name,
        topic=topic,
        current_rows=current,
        history_rows=history,
        last_synced_at=synced,
        stored_offsets={partition: offset for partition, offset in conn.execute(offsets)},
    )


def _latest(first: datetime | None, second: datetime | None) -> datetime | None:
    present = [moment for moment in (first, second) if moment is not None]
    return max(present) if present else None
