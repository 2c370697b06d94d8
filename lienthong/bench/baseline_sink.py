"""The baseline of `lienthong bench sink`: what a hand-written consumer script would do.

Decode each value with fastavro's `schemaless_reader` and the writer's schema (the `.avsc`
file, no registry), then upsert every record of the batch, in order, with a plain
`INSERT ... ON CONFLICT (dossier_no) DO UPDATE ... WHERE version guard` and commit once per
batch. No collapse of a dossier's changes within a batch, no history, no offsets in the
store: those are what the centre's sink adds, and what the ratio prices.
"""

import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from io import BytesIO
from typing import Any, Final, Literal

import psycopg
from fastavro import schemaless_reader

from lienthong.serde import HEADER_SIZE
from schemas import DOSSIER_CHANGE, load_parsed_schema

__all__ = ["BaselineSink", "Dialect", "baseline_table_ddl", "read_versions"]

Dialect = Literal["postgresql", "sqlite"]
Connection = psycopg.Connection[Any] | sqlite3.Connection

_TEXT, _INSTANT, _NUMBER = "text", "instant", "number"
_COLUMNS: Final = (
    ("dossier_no", _TEXT, True),
    ("procedure_code", _TEXT, True),
    ("local_procedure_code", _TEXT, False),
    ("field_code", _TEXT, False),
    ("receiving_agency", _TEXT, True),
    ("applicant_kind", _TEXT, True),
    ("applicant_id_number", _TEXT, False),
    ("applicant_name", _TEXT, True),
    ("applicant_phone", _TEXT, False),
    ("applicant_email", _TEXT, False),
    ("applicant_address", _TEXT, False),
    ("applicant_province_code", _TEXT, False),
    ("applicant_commune_code", _TEXT, False),
    ("status", _TEXT, True),
    ("submitted_at", _INSTANT, True),
    ("received_at", _INSTANT, False),
    ("due_at", _INSTANT, False),
    ("extended_due_at", _INSTANT, False),
    ("finished_at", _INSTANT, False),
    ("returned_at", _INSTANT, False),
    ("cancelled_at", _INSTANT, False),
    ("fee_vnd", _NUMBER, True),
    ("steps", _TEXT, True),
    ("entity_version", _NUMBER, True),
    ("event_id", _TEXT, True),
    ("source_agency", _TEXT, True),
    ("source_system", _TEXT, True),
    ("occurred_at", _INSTANT, True),
    ("synced_at", _INSTANT, True),
)
_SQL_TYPES: Final = {
    "postgresql": {_TEXT: "text", _INSTANT: "timestamptz", _NUMBER: "bigint"},
    "sqlite": {_TEXT: "TEXT", _INSTANT: "TEXT", _NUMBER: "INTEGER"},
}
_NAMES: Final = [name for name, _, _ in _COLUMNS]


def baseline_table_ddl(dialect: Dialect) -> list[str]:
    """The `dossiers` table the script writes: the centre's columns, key and index."""
    types = _SQL_TYPES[dialect]
    columns = ", ".join(
        f"{name} {types[kind]}{' NOT NULL' if required else ''}"
        + (" PRIMARY KEY" if name == "dossier_no" else "")
        for name, kind, required in _COLUMNS
    )
    return [
        f"CREATE TABLE dossiers ({columns})",
        "CREATE INDEX ix_dossiers_synced_at ON dossiers (synced_at)",
    ]


def _upsert_sql(dialect: Dialect) -> str:
    mark = "%s" if dialect == "postgresql" else "?"
    changing = ", ".join(f"{name} = excluded.{name}" for name in _NAMES[1:])
    return (
        f"INSERT INTO dossiers ({', '.join(_NAMES)}) VALUES ({', '.join([mark] * len(_NAMES))}) "
        f"ON CONFLICT (dossier_no) DO UPDATE SET {changing} "
        "WHERE dossiers.entity_version <= excluded.entity_version"
    )


class BaselineSink:
    """Decodes framed values and upserts them; `write` commits the batch."""

    def __init__(self, connection: Connection, dialect: Dialect) -> None:
        self._connection = connection
        self._sql = _upsert_sql(dialect)
        self._writer = load_parsed_schema(DOSSIER_CHANGE)
        self._instant: Callable[[datetime | None], Any] = _same if dialect == "postgresql" else _iso

    def decode(self, value: bytes) -> dict[str, Any]:
        buffer = BytesIO(value)
        buffer.seek(HEADER_SIZE)  # magic byte and schema id: one writer schema, known here
        record = schemaless_reader(buffer, self._writer, None)
        if not isinstance(record, dict):
            raise TypeError(f"{DOSSIER_CHANGE} decoded to {type(record).__name__}")
        return record

    def row(self, record: dict[str, Any], synced_at: datetime) -> tuple[Any, ...]:
        envelope, dossier = record["envelope"], record["after"]
        applicant = dossier["applicant"]
        instant = self._instant
        steps = [{**step, "at": step["at"].isoformat()} for step in dossier["steps"]]
        return (
            dossier["dossier_no"],
            dossier["procedure_code"],
            dossier["local_procedure_code"],
            dossier["field_code"],
            dossier["receiving_agency"],
            applicant["kind"],
            applicant["id_number"],
            applicant["name"],
            applicant["phone"],
            applicant["email"],
            applicant["address"],
            applicant["province_code"],
            applicant["commune_code"],
            dossier["status"],
            instant(dossier["submitted_at"]),
            instant(dossier["received_at"]),
            instant(dossier["due_at"]),
            instant(dossier["extended_due_at"]),
            instant(dossier["finished_at"]),
            instant(dossier["returned_at"]),
            instant(dossier["cancelled_at"]),
            dossier["fee_vnd"],
            json.dumps(steps, ensure_ascii=False),
            envelope["entity_version"],
            str(envelope["event_id"]),
            envelope["source_agency"],
            envelope["source_system"],
            instant(envelope["occurred_at"]),
            instant(synced_at),
        )

    def write(self, records: Sequence[dict[str, Any]]) -> None:
        """Upsert every record, in order, and commit."""
        synced_at = datetime.now(UTC)
        rows = [self.row(record, synced_at) for record in records]
        self._connection.cursor().executemany(self._sql, rows)
        self._connection.commit()


def read_versions(connection: Connection) -> dict[str, int]:
    """Dossier number to stored version, from a `dossiers` table (the script's or the centre's)."""
    cursor = connection.cursor()
    cursor.execute("SELECT dossier_no, entity_version FROM dossiers")
    return {str(key): int(version) for key, version in cursor.fetchall()}


def _same(moment: datetime | None) -> datetime | None:
    return moment


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()
