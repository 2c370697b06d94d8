"""Appending to the audit log (streams.centre.audit) in the transaction of a flush.

The history inserts each event once (`ON CONFLICT DO NOTHING`): a batch read again after a
crash holds events the history already has. Which ids those are is asked before the insert
(one narrow query over the batch's event ids), and the entries hash the rows the flush
built for the others: the same values the insert stored, so the digest is the one a later
check recomputes from the table, without reading the rows back. On PostgreSQL the table is
locked for the rest of the transaction so that two writers never take the same seq; SQLite
already has a single writer.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, text

from streams.centre.audit import (
    AUDIT_LOG,
    GENESIS_TIP,
    AuditedChange,
    ChainTip,
    chain,
    field_values,
    row_sha256,
)
from streams.centre.dialect import chunks, key_in
from streams.centre.kinds import EntityKind

__all__ = ["HistoryWrite", "append_audit", "new_history_rows"]

HistoryRow = dict[str, Any]


@dataclass(frozen=True)
class HistoryWrite:
    """The history rows of one kind that a flush inserts (those already stored left out)."""

    kind: EntityKind[Any]
    rows: Sequence[HistoryRow]


def new_history_rows(
    conn: Connection, kind: EntityKind[Any], rows: Sequence[HistoryRow]
) -> list[HistoryRow]:
    """`rows` without those whose event the history already holds; call before inserting."""
    if not rows:
        return []
    history = kind.history
    stored: set[str] = set()
    for some in chunks([row["event_id"] for row in rows]):
        query = select(history.c.event_id).where(
            key_in(conn, history, ["event_id"], [(i,) for i in some])
        )
        stored.update(conn.execute(query).scalars())
    return [row for row in rows if row["event_id"] not in stored]


def append_audit(conn: Connection, written: Sequence[HistoryWrite]) -> int:
    """Chain one entry per history row the flush added; return how many."""
    changes = [
        _audited(write.kind, row)
        for write in written
        for row in sorted(write.rows, key=_history_order)
    ]
    if not changes:
        return 0
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE audit_log IN EXCLUSIVE MODE"))
    last = conn.execute(
        select(AUDIT_LOG.c.seq, AUDIT_LOG.c.hash).order_by(AUDIT_LOG.c.seq.desc()).limit(1)
    ).first()
    tip = GENESIS_TIP if last is None else ChainTip(last.seq, last.hash)
    conn.execute(insert(AUDIT_LOG), [field_values(entry) for entry in chain(tip, changes)])
    return len(changes)


def _history_order(row: HistoryRow) -> tuple[str, int, int, str]:
    return (row["topic"], row["partition"], row["offset"], row["event_id"])


def _audited(kind: EntityKind[Any], row: HistoryRow) -> AuditedChange:
    stored: dict[str, Any] = {column.name: row[column.name] for column in kind.history.columns}
    return AuditedChange(
        kind=kind.name,
        entity_key=stored[kind.history_key],
        event_id=stored["event_id"],
        source_agency=stored["source_agency"],
        operation=stored["operation"],
        entity_version=stored["entity_version"],
        topic=stored["topic"],
        partition=stored["partition"],
        offset=stored["offset"],
        applied_at=stored["applied_at"],
        row_sha256=row_sha256(stored),
    )
