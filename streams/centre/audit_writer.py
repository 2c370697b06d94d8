"""Appending to the audit log (streams.centre.audit) in the transaction of a flush.

The history inserts each event once (`ON CONFLICT DO NOTHING`), so which rows a flush
actually added is read back: the batch's history rows that have no entry yet. Hashing the
rows as stored, not as sent, makes the digest the one a later check recomputes. On
PostgreSQL the table is locked for the rest of the transaction so that two writers never
take the same seq; SQLite already has a single writer.
"""

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, and_, insert, select, text

from streams.centre.audit import AUDIT_LOG, GENESIS_TIP, AuditedChange, ChainTip, chain, row_sha256
from streams.centre.batch import CentreBatch
from streams.centre.dialect import chunks, key_in
from streams.centre.kinds import EntityKind

__all__ = ["append_audit"]


def append_audit(conn: Connection, batch: CentreBatch) -> int:
    """Chain one entry per history row the batch added; return how many."""
    wanted = [
        (changes.kind, [str(r.change.envelope.event_id) for r in changes.received])
        for changes in batch.kinds
    ]
    if not any(ids for _, ids in wanted):
        return 0
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE audit_log IN EXCLUSIVE MODE"))
    changes: list[AuditedChange] = []
    for kind, ids in wanted:
        for some in chunks(ids):
            changes.extend(_unaudited(conn, kind, some))
    if not changes:
        return 0
    last = conn.execute(
        select(AUDIT_LOG.c.seq, AUDIT_LOG.c.hash).order_by(AUDIT_LOG.c.seq.desc()).limit(1)
    ).first()
    tip = GENESIS_TIP if last is None else ChainTip(last.seq, last.hash)
    conn.execute(insert(AUDIT_LOG), [asdict(entry) for entry in chain(tip, changes)])
    return len(changes)


def _unaudited(
    conn: Connection, kind: EntityKind[Any], event_ids: Sequence[str]
) -> list[AuditedChange]:
    history = kind.history
    entry = AUDIT_LOG.c
    query = (
        select(history)
        .outerjoin(AUDIT_LOG, and_(entry.kind == kind.name, entry.event_id == history.c.event_id))
        .where(key_in(conn, history, ["event_id"], [(i,) for i in event_ids]))
        .where(entry.seq.is_(None))
        .order_by(history.c.topic, history.c.partition, history.c.offset, history.c.event_id)
    )
    return [_audited(kind, row._mapping) for row in conn.execute(query)]


def _audited(kind: EntityKind[Any], row: Any) -> AuditedChange:
    stored = {column.name: row[column] for column in kind.history.columns}
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
