"""Reading the centre: counts for the demo and operators, offsets to resume from, one dossier."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, inspect, select

from lienthong.events import Dossier
from lienthong.ids import TopicName
from lienthong.settings import Settings
from streams.centre.rows import dossier_from_row
from streams.centre.schema import DELETED_DOSSIERS, DOSSIERS, STREAM_OFFSETS
from streams.centre.store import create_centre_engine

__all__ = ["CentreCounts", "count_dossiers", "read_counts", "read_dossier", "read_offsets"]


@dataclass(frozen=True)
class CentreCounts:
    dossiers: int
    """Live dossiers held by the centre."""
    deleted: int
    """Dossiers the centre saw deleted."""
    last_synced_at: datetime | None
    """When the centre last wrote a live dossier; None while it holds none."""


def count_dossiers(settings: Settings) -> CentreCounts:
    """Counts from the centre's store; zeros while the store does not exist (never creates it)."""
    if settings.centre.dsn is None and not settings.centre_sqlite_path.exists():
        return CentreCounts(dossiers=0, deleted=0, last_synced_at=None)
    engine = create_centre_engine(settings)
    try:
        if not inspect(engine).has_table(DOSSIERS.name):
            return CentreCounts(dossiers=0, deleted=0, last_synced_at=None)
        return read_counts(engine)
    finally:
        engine.dispose()


def read_counts(engine: Engine) -> CentreCounts:
    with engine.connect() as conn:
        live, last_synced_at = conn.execute(
            select(func.count(), func.max(DOSSIERS.c.synced_at))
        ).one()
        deleted = conn.execute(select(func.count()).select_from(DELETED_DOSSIERS)).scalar_one()
    return CentreCounts(dossiers=live, deleted=deleted, last_synced_at=last_synced_at)


def read_offsets(engine: Engine, consumer_group: str, topic: TopicName) -> dict[int, int]:
    """Next offset to read per partition, as committed with the rows; absent = never read."""
    table = STREAM_OFFSETS
    query = select(table.c.partition, table.c.next_offset).where(
        table.c.consumer_group == consumer_group, table.c.topic == topic
    )
    with engine.connect() as conn:
        return {partition: offset for partition, offset in conn.execute(query)}


def read_dossier(engine: Engine, dossier_no: str) -> Dossier | None:
    """The dossier as the centre holds it, or None when absent or deleted."""
    with engine.connect() as conn:
        row = conn.execute(select(DOSSIERS).where(DOSSIERS.c.dossier_no == dossier_no)).first()
    return None if row is None else dossier_from_row(row._mapping)
