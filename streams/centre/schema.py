"""The centre's tables, one definition for SQLite and PostgreSQL (SQLAlchemy Core).

Every kind of entity has the same three tables (the dossiers' are here, the other kinds'
beside their mapping): a current-state table holding live entities only; a marker table
(`deleted_<kind>`) with the version that deleted each entity, so an older create or update
replayed later cannot bring the row back and no reader of the current table needs a
`deleted` filter; and a history table with one row per change event the centre accepted,
deletes included (streams.centre.history says which events and why). `stream_offsets` is
written in the same transaction as the rows: it is where a consumer resumes, whatever
Kafka's committed offsets say.
"""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.types import TypeEngine

__all__ = [
    "DELETED_DOSSIERS",
    "DOSSIERS",
    "DOSSIER_HISTORY",
    "METADATA",
    "STREAM_OFFSETS",
    "ExactDecimal",
    "UtcDateTime",
    "deletion_table",
    "envelope_columns",
    "history_table",
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


class ExactDecimal(TypeDecorator[Decimal]):
    """NUMERIC on PostgreSQL; text on SQLite, whose numbers are binary floats."""

    impl = Numeric(12, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String())
        return dialect.type_descriptor(Numeric(12, 2, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


METADATA = MetaData()


def envelope_columns() -> list[Column[Any]]:
    """What every current-state row keeps of the event that last changed it."""
    return [
        Column("entity_version", BigInteger, nullable=False),
        Column("event_id", String, nullable=False),
        Column("source_agency", String, nullable=False),
        Column("source_system", String, nullable=False),
        Column("occurred_at", UtcDateTime, nullable=False),
        Column("synced_at", UtcDateTime, nullable=False, index=True),
    ]


def deletion_table(name: str, *keys: str) -> Table:
    """The markers of deleted entities of one kind, keyed like its current-state table."""
    return Table(
        name,
        METADATA,
        *(Column(key, String, primary_key=True) for key in keys),
        Column("entity_version", BigInteger, nullable=False),
        Column("event_id", String, nullable=False),
        Column("occurred_at", UtcDateTime, nullable=False),
        Column("synced_at", UtcDateTime, nullable=False),
    )


def history_table(name: str, key: str, state: str) -> Table:
    """One row per accepted change event of one kind: `key` holds the envelope's
    entity_key, `state` the entity as JSON after the change (before it, for a delete)."""
    return Table(
        name,
        METADATA,
        Column("event_id", String, primary_key=True, comment="a replayed event finds its row here"),
        Column(key, String, nullable=False, comment="the envelope's entity_key"),
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
        Column(state, Text, comment="JSON: the entity after the change, before it for a delete"),
        Column("applied_at", UtcDateTime, nullable=False),
        Index(f"ix_{name}_{key}_version", key, "entity_version"),
    )


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
    *envelope_columns(),
)

DELETED_DOSSIERS = deletion_table("deleted_dossiers", "dossier_no")

DOSSIER_HISTORY = history_table("dossier_history", "dossier_no", "dossier")

STREAM_OFFSETS = Table(
    "stream_offsets",
    METADATA,
    Column("consumer_group", String, primary_key=True),
    Column("topic", String, primary_key=True),
    Column("partition", Integer, primary_key=True, autoincrement=False),
    Column("next_offset", BigInteger, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
