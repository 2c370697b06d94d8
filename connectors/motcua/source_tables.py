"""The department's tables: `dossiers`, and the `outbox` its changes are recorded in.

Times are stored in UTC (`timestamptz` on PostgreSQL; SQLite keeps them naive, read as UTC).
"""

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, String, Table, Text

__all__ = ["dossiers_table", "outbox_table", "source_metadata"]

source_metadata = MetaData()
_Stamp = DateTime(timezone=True)

dossiers_table = Table(
    "dossiers",
    source_metadata,
    Column("dossier_no", String(64), primary_key=True),
    Column("procedure_code", String(32), nullable=False),
    Column("local_procedure_code", String(32)),
    Column("field_code", String(32)),
    Column("receiving_agency", String(32), nullable=False),
    Column("applicant_kind", String(16), nullable=False),
    Column("applicant_id_number", String(20)),
    Column("applicant_name", Text, nullable=False),
    Column("applicant_phone", String(20)),
    Column("applicant_email", Text),
    Column("applicant_address", Text),
    Column("applicant_province_code", String(8)),
    Column("applicant_commune_code", String(8)),
    Column("status", String(32), nullable=False),
    Column("submitted_at", _Stamp, nullable=False),
    Column("received_at", _Stamp),
    Column("due_at", _Stamp),
    Column("extended_due_at", _Stamp),
    Column("finished_at", _Stamp),
    Column("returned_at", _Stamp),
    Column("cancelled_at", _Stamp),
    Column("fee_vnd", BigInteger, nullable=False, default=0),
    Column("steps_json", Text, nullable=False, default="[]"),
    Column("version", Integer, nullable=False),
)

outbox_table = Table(
    "outbox",
    source_metadata,
    # AUTOINCREMENT on SQLite: ids are never reused, even after the newest rows are purged.
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("aggregate_type", String(32), nullable=False),
    Column("aggregate_id", String(64), nullable=False),
    Column("event_type", String(16), nullable=False),
    Column("payload", Text, nullable=False),
    Column("occurred_at", _Stamp, nullable=False),
    Column("correlation_id", String(64)),
    Column("causation_id", String(64)),
    sqlite_autoincrement=True,
)
