"""Land parcels as a kind the centre keeps: the searchable fields as columns, the whole
parcel (uses, holders, certificate, previous numbers) as JSON beside them."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, Connection, Index, String, Table, Text

from lienthong.events import LandParcel, LandParcelChange
from schemas import LAND_PARCEL_CHANGE
from streams.centre.bulk import write_rows
from streams.centre.kinds import EntityKey, KindChanges, before_after_kind, envelope_fields
from streams.centre.schema import (
    METADATA,
    ExactDecimal,
    UtcDateTime,
    deletion_table,
    envelope_columns,
    history_table,
)

__all__ = [
    "DELETED_LAND_PARCELS",
    "LAND_KIND",
    "LAND_PARCELS",
    "LAND_PARCEL_HISTORY",
    "PARCEL_DOSSIERS",
    "parcel_from_row",
]

LAND_PARCELS = Table(
    "land_parcels",
    METADATA,
    Column("parcel_id", String, primary_key=True),
    Column("commune_code", String, nullable=False),
    Column("commune_code_list", String, nullable=False),
    Column("map_sheet_no", BigInteger, nullable=False),
    Column("parcel_no", BigInteger, nullable=False),
    Column("version", BigInteger, nullable=False, comment="the register's own parcel version"),
    Column("is_latest", Boolean, nullable=False),
    Column("area_m2", ExactDecimal, nullable=False),
    Column("legal_area_m2", ExactDecimal),
    Column("address", Text),
    Column("certificate_serial_no", String),
    Column("dossier_no", String, index=True, comment="the dossier behind the last change"),
    Column("parcel", Text, nullable=False, comment="JSON: the whole parcel"),
    *envelope_columns(),
    Index("ix_land_parcels_sheet_parcel", "commune_code", "map_sheet_no", "parcel_no"),
)

DELETED_LAND_PARCELS = deletion_table("deleted_land_parcels", "parcel_id")

LAND_PARCEL_HISTORY = history_table("land_parcel_history", "parcel_id", "parcel")

PARCEL_DOSSIERS = Table(
    "parcel_dossiers",
    METADATA,
    Column("event_id", String, primary_key=True, comment="the land change the dossier caused"),
    Column("dossier_no", String, nullable=False, index=True),
    Column("parcel_id", String, nullable=False, index=True),
    Column("entity_version", BigInteger, nullable=False),
    Column("operation", String, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    comment="Which dossier caused which change of a parcel, one row per accepted change",
)


def parcel_row(change: LandParcelChange, synced_at: datetime) -> dict[str, Any]:
    parcel = change.after
    if parcel is None:
        raise ValueError(f"event {change.envelope.event_id} carries no parcel to store")
    certificate = parcel.certificate
    return {
        "parcel_id": parcel.parcel_id,
        "commune_code": parcel.commune_code,
        "commune_code_list": parcel.commune_code_list.value,
        "map_sheet_no": parcel.map_sheet_no,
        "parcel_no": parcel.parcel_no,
        "version": parcel.version,
        "is_latest": parcel.is_latest,
        "area_m2": parcel.area_m2,
        "legal_area_m2": parcel.legal_area_m2,
        "address": parcel.address,
        "certificate_serial_no": None if certificate is None else certificate.serial_no,
        "dossier_no": parcel.dossier_no,
        "parcel": parcel.model_dump_json(),
        **envelope_fields(change, synced_at),
    }


def parcel_from_row(row: Any) -> LandParcel:
    return LandParcel.model_validate_json(row["parcel"])


class DossierLinks:
    """Records, once per accepted land change that names a dossier, which dossier caused
    it: a fact of the past like the history, so a later change keeps the earlier links."""

    def capture(self, conn: Connection, keys: Sequence[EntityKey]) -> None:
        return None

    def apply(
        self, conn: Connection, changes: KindChanges, captured: None, synced_at: datetime
    ) -> None:
        links = [link for change in changes.accepted if (link := _dossier_link(change))]
        write_rows(conn, PARCEL_DOSSIERS, links, ["event_id"], "nothing")


def _dossier_link(change: Any) -> dict[str, Any] | None:
    envelope = change.envelope
    parcel = change.after  # a delete's before names the dossier of an earlier change
    if parcel is None or not parcel.dossier_no:
        return None
    return {
        "event_id": str(envelope.event_id),
        "dossier_no": parcel.dossier_no,
        "parcel_id": envelope.entity_key,
        "entity_version": envelope.entity_version,
        "operation": envelope.operation.value,
        "occurred_at": envelope.occurred_at,
    }


LAND_KIND = before_after_kind(
    "land_parcels",
    LandParcelChange,
    LAND_PARCEL_CHANGE,
    current=LAND_PARCELS,
    deleted=DELETED_LAND_PARCELS,
    history=LAND_PARCEL_HISTORY,
    id_field="parcel_id",
    state="parcel",
    row_of=parcel_row,
    derivations=(DossierLinks(),),
)
