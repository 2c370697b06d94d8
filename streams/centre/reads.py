"""Reading the centre: counts for the demo and operators, offsets to resume from, one
entity of each kind."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, inspect, select

from lienthong.events import Document, DocumentStatus, Dossier, LandParcel
from lienthong.ids import TopicName
from lienthong.settings import Settings
from streams.centre.catalog import CENTRE_KINDS
from streams.centre.document_kind import DOCUMENT_KIND, document_from_row
from streams.centre.kinds import EntityKey, EntityKind
from streams.centre.land_kind import LAND_KIND, parcel_from_row
from streams.centre.rows import dossier_from_row
from streams.centre.schema import DELETED_DOSSIERS, DOSSIERS, STREAM_OFFSETS
from streams.centre.status_kind import STATUS_KIND, status_from_row
from streams.centre.store import create_centre_engine

__all__ = [
    "CentreCounts",
    "KindCounts",
    "count_dossiers",
    "read_counts",
    "read_document",
    "read_dossier",
    "read_kind_counts",
    "read_offsets",
    "read_parcel",
    "read_statuses",
]


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


def read_parcel(engine: Engine, parcel_id: str) -> LandParcel | None:
    """The parcel as the centre holds it, or None when absent or deleted."""
    row = _current_row(engine, LAND_KIND, (parcel_id,))
    return None if row is None else parcel_from_row(row)


def read_document(engine: Engine, document_id: str) -> Document | None:
    """The e-document as the centre holds it, or None when absent or deleted."""
    row = _current_row(engine, DOCUMENT_KIND, (document_id,))
    return None if row is None else document_from_row(row)


def read_statuses(engine: Engine, document_id: str) -> dict[str, DocumentStatus]:
    """The latest status each agency reported for the document, by the agency's organ id."""
    table = STATUS_KIND.current
    query = select(table).where(table.c.document_id == document_id)
    with engine.connect() as conn:
        return {row.organ_id: status_from_row(row._mapping) for row in conn.execute(query)}


@dataclass(frozen=True)
class KindCounts:
    live: int
    deleted: int
    history: int
    """Change events accepted (one history row each)."""


def read_kind_counts(engine: Engine) -> dict[str, KindCounts]:
    """Per kind of entity (by name), what the centre holds."""
    counts = {}
    with engine.connect() as conn:
        for kind in CENTRE_KINDS:
            live = conn.execute(select(func.count()).select_from(kind.current)).scalar_one()
            deleted = 0
            if kind.deleted is not None:
                deleted = conn.execute(select(func.count()).select_from(kind.deleted)).scalar_one()
            history = conn.execute(select(func.count()).select_from(kind.history)).scalar_one()
            counts[kind.name] = KindCounts(live, deleted, history)
    return counts


def _current_row(engine: Engine, kind: EntityKind[Any], key: EntityKey) -> Mapping[Any, Any] | None:
    table = kind.current
    where = [table.c[column] == value for column, value in zip(kind.key_columns, key, strict=True)]
    with engine.connect() as conn:
        row = conn.execute(select(table).where(*where)).first()
    return None if row is None else row._mapping
