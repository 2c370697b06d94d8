"""One outbox row as read, whatever the table calls its columns, and the query that reads them."""

import json
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnClause, Label, Select, TableClause, column, func, select, table

from connectors.outbox.options import OutboxColumns
from lienthong.errors import DeadLetterError

__all__ = ["PARSE", "VALIDATE", "OutboxRow", "newest_id_query", "rows_after", "rows_query"]

PARSE, VALIDATE = "PARSE", "VALIDATE"


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """Values as the driver returns them: text or JSON payloads, naive or aware times."""

    id: int
    aggregate_type: str | None
    aggregate_id: str | None
    payload: str | bytes | Mapping[str, Any] | None
    event_type: str | None = None
    occurred_at: datetime | str | None = None
    event_id: str | bytes | uuid.UUID | None = None
    correlation_id: str | None = None
    causation_id: str | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[Any, Any]) -> "OutboxRow":
        found: dict[str, Any] = {name: values.get(name) for name in _FIELDS}
        found["id"] = int(found["id"])  # NUMERIC ids come back as Decimal
        return cls(**found)

    def payload_text(self) -> str:
        """The payload as JSON text, whether the column holds text, bytes or JSON."""
        payload = self.payload
        if payload is None:
            raise DeadLetterError("the payload is empty (NULL)", stage=PARSE)
        if isinstance(payload, bytes):
            try:
                return payload.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DeadLetterError(f"the payload is not UTF-8: {exc}", stage=PARSE) from exc
        if isinstance(payload, str):
            return payload
        return json.dumps(payload, ensure_ascii=False)

    def occurred_at_utc(self) -> datetime | None:
        """The occurred-at column as an aware time; a time without offset is taken as UTC."""
        value = self.occurred_at
        if value is None:
            return None
        if isinstance(value, str):  # SQLite hands back the text it stored
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                pass
        if not isinstance(value, datetime):
            raise DeadLetterError(f"occurred_at is not a date-time: {value!r}", stage=VALIDATE)
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)

    def original(self) -> bytes:
        """The row as the department stored it, as JSON, for the dead-letter topic."""
        document = asdict(self)
        payload = self.payload
        if isinstance(payload, bytes):
            document["payload"] = payload.decode("utf-8", errors="replace")
        if isinstance(self.event_id, bytes):
            document["event_id"] = self.event_id.hex()
        return json.dumps(document, ensure_ascii=False, default=str).encode("utf-8")


_FIELDS = tuple(OutboxRow.__dataclass_fields__)


def rows_query(table_name: str, columns: OutboxColumns) -> Select[Any]:
    """Every mapped column, labelled with the row's field name; bind `position` and `limit`."""
    chosen: list[Label[Any]] = [
        column(source).label(field)
        for field in _FIELDS
        if (source := getattr(columns, field)) is not None
    ]
    return select(*chosen).select_from(_outbox(table_name))


def rows_after(
    query: Select[Any], columns: OutboxColumns, position: int, limit: int
) -> Select[Any]:
    """The rows with an id above `position`, in id order, at most `limit` of them."""
    ident: ColumnClause[Any] = column(columns.id)
    return query.where(ident > position).order_by(ident).limit(limit)


def newest_id_query(table_name: str, columns: OutboxColumns) -> Select[Any]:
    return select(func.max(column(columns.id))).select_from(_outbox(table_name))


def _outbox(table_name: str) -> TableClause:
    schema, _, name = table_name.rpartition(".")
    return table(name, schema=schema or None)
