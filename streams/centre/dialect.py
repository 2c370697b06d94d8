"""The few statements whose SQL differs between SQLite and PostgreSQL: `INSERT ... ON
CONFLICT` comes from each dialect's own `insert`."""

from collections.abc import Iterator, Sequence
from typing import Any, Literal, TypeVar

from sqlalchemy import ColumnElement, Connection, Table, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

__all__ = ["IN_CHUNK", "VersionRule", "add_counts", "chunks", "insert_once", "key_in", "upsert"]

VersionRule = Literal["newer_or_same", "newer", "always"]

_DIALECT_INSERTS: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}

IN_CHUNK = 500
"""Keys per `IN (...)` list, far below SQLite's and PostgreSQL's bound-parameter limits."""

T = TypeVar("T")


def upsert(conn: Connection, table: Table, key: Sequence[str], rule: VersionRule) -> Insert:
    """Insert, or update the row with the same key when the incoming entity_version allows.

    "newer_or_same" re-applies an equal version (harmless: same event, same row).
    """
    stmt = _DIALECT_INSERTS[conn.dialect.name](table)
    changing = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in key}
    guard = None
    if rule == "newer_or_same":
        guard = table.c.entity_version <= stmt.excluded.entity_version
    elif rule == "newer":
        guard = table.c.entity_version < stmt.excluded.entity_version
    statement: Insert = stmt.on_conflict_do_update(
        index_elements=list(key), set_=changing, where=guard
    )
    return statement


def insert_once(conn: Connection, table: Table, key: Sequence[str]) -> Insert:
    """Insert, or leave the row already there with the same key untouched."""
    statement: Insert = _DIALECT_INSERTS[conn.dialect.name](table).on_conflict_do_nothing(
        index_elements=list(key)
    )
    return statement


def add_counts(conn: Connection, table: Table, key: Sequence[str], counts: Sequence[str]) -> Insert:
    """Insert, or add the incoming `counts` to the row with the same key (and take the
    incoming value of every other column)."""
    stmt = _DIALECT_INSERTS[conn.dialect.name](table)
    changing = {
        c.name: table.c[c.name] + stmt.excluded[c.name]
        if c.name in counts
        else stmt.excluded[c.name]
        for c in table.columns
        if c.name not in key
    }
    statement: Insert = stmt.on_conflict_do_update(index_elements=list(key), set_=changing)
    return statement


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def key_in(
    table: Table, columns: Sequence[str], keys: Sequence[tuple[str, ...]]
) -> ColumnElement[bool]:
    """`table`'s rows whose key (the `columns`, in order) is one of `keys`."""
    if len(columns) == 1:
        return table.c[columns[0]].in_([key[0] for key in keys])
    return tuple_(*(table.c[c] for c in columns)).in_([tuple(key) for key in keys])
