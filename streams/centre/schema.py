"""The centre's tables, one definition for SQLite and PostgreSQL (SQLAlchemy Core).

`dossiers` holds live dossiers only. A delete leaves a marker in `deleted_dossiers` with
the version that deleted it, so an older create or update replayed later cannot bring the
row back; a separate table keeps every reader of `dossiers` free of a `deleted` filter.
`dossier_history` keeps one row per change event the centre accepted, deletes included
(streams.centre.history says which events and why). `stream_offsets` is written in the
same transaction as the rows: it is where a consumer resumes, whatever Kafka's committed
offsets say.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

__all__ = [
    "DELETED_DOSSIERS",
    "DOSSIERS",
    "DOSSIER_HISTORY",
    "METADATA",
    "STREAM_OFFSETS",
    "UtcDateTime",
]


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC instant on both dialects (SQLite has no time zones: it stores naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the centre stores instants only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


METADATA = MetaData()

DOSSIERS = Table(
    "dossiers",
    METADATA,
    Column("dossier_no", String, primary_key=True),
    Column("procedure_code", String, nullable=False),
    Column("local_procedure_code", String),
    Column("field_code", String),
    Column("receiving_agency", String, nullable=False),
    Column("applicant_kind", String, nullable=False),
    Column("applicant_id_number", String),
    Column("applicant_name", Text, nullable=False),
    Column("applicant_phone", String),
    Column("applicant_email", String),
    Column("applicant_address", Text),
    Column("applicant_province_code", String),
    Column("applicant_commune_code", String),
    Column("status", String, nullable=False),
    Column("submitted_at", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime),
    Column("due_at", UtcDateTime),
    Column("extended_due_at", UtcDateTime),
    Column("finished_at", UtcDateTime),
    Column("returned_at", UtcDateTime),
    Column("cancelled_at", UtcDateTime),
    Column("fee_vnd", BigInteger, nullable=False),
    Column("steps", Text, nullable=False, comment="JSON array of processing steps"),
    Column("entity_version", BigInteger, nullable=False),
    Column("event_id", String, nullable=False),
    Column("source_agency", String, nullable=False),
    Column("source_system", String, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("synced_at", UtcDateTime, nullable=False, index=True),
)

DELETED_DOSSIERS = Table(
    "deleted_dossiers",
    METADATA,
    Column("dossier_no", String, primary_key=True),
    Column("entity_version", BigInteger, nullable=False),
    Column("event_id", String, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("synced_at", UtcDateTime, nullable=False),
)

DOSSIER_HISTORY = Table(
    "dossier_history",
    METADATA,
    Column("event_id", String, primary_key=True, comment="a replayed event finds its row here"),
    Column("dossier_no", String, nullable=False, comment="the envelope's entity_key"),
    Column("entity_version", BigInteger, nullable=False),
    Column("operation", String, nullable=False),
    Column("source_agency", String, nullable=False),
    Column("source_system", String, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("ingested_at", UtcDateTime, nullable=False),
    Column("correlation_id", String),
    Column("causation_id", String),
    Column("payload_sha256", String),
    Column("topic", String, nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("dossier", Text, comment="JSON: the dossier after the change, before it for a delete"),
    Column("applied_at", UtcDateTime, nullable=False),
    Index("ix_dossier_history_dossier_version", "dossier_no", "entity_version"),
)

STREAM_OFFSETS = Table(
    "stream_offsets",
    METADATA,
    Column("consumer_group", String, primary_key=True),
    Column("topic", String, primary_key=True),
    Column("partition", Integer, primary_key=True, autoincrement=False),
    Column("next_offset", BigInteger, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
