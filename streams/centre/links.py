"""Questions across kinds: which dossier changed this parcel, which documents answer this
dossier (the tables are kept by the land and document kinds' derivations)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Engine, select

from lienthong.events import Operation
from streams.centre.document_kind import DOCUMENT_DOSSIERS
from streams.centre.land_kind import PARCEL_DOSSIERS

__all__ = ["ParcelChangeLink", "documents_of_dossier", "dossiers_of_parcel", "parcels_of_dossier"]


@dataclass(frozen=True)
class ParcelChangeLink:
    """One change of a parcel and the dossier that caused it."""

    parcel_id: str
    dossier_no: str
    entity_version: int
    operation: Operation
    occurred_at: datetime


def dossiers_of_parcel(engine: Engine, parcel_id: str) -> list[ParcelChangeLink]:
    """The changes of the parcel that name a dossier, oldest version first."""
    return _links(engine, PARCEL_DOSSIERS.c.parcel_id == parcel_id)


def parcels_of_dossier(engine: Engine, dossier_no: str) -> list[ParcelChangeLink]:
    """The parcel changes the dossier caused, by parcel then version."""
    return _links(engine, PARCEL_DOSSIERS.c.dossier_no == dossier_no)


def documents_of_dossier(engine: Engine, dossier_no: str) -> list[str]:
    """The ids of the documents that answer the dossier now, sorted."""
    query = (
        select(DOCUMENT_DOSSIERS.c.document_id)
        .where(DOCUMENT_DOSSIERS.c.dossier_no == dossier_no)
        .order_by(DOCUMENT_DOSSIERS.c.document_id)
    )
    with engine.connect() as conn:
        return list(conn.scalars(query))


def _links(engine: Engine, where: ColumnElement[bool]) -> list[ParcelChangeLink]:
    table = PARCEL_DOSSIERS
    query = (
        select(
            table.c.parcel_id,
            table.c.dossier_no,
            table.c.entity_version,
            table.c.operation,
            table.c.occurred_at,
        )
        .where(where)
        .order_by(table.c.parcel_id, table.c.entity_version, table.c.event_id)
    )
    with engine.connect() as conn:
        return [
            ParcelChangeLink(parcel, dossier, version, Operation(operation), occurred)
            for parcel, dossier, version, operation, occurred in conn.execute(query)
        ]
