"""Reads the outbox in id order, never past a row that a still-open transaction may yet commit.

Ids come from a sequence, and on PostgreSQL concurrent transactions can commit out of id order:
with row 11 visible and row 10 still uncommitted, moving the position to 11 would lose 10 for
good. So a gap in the ids stops the read until every transaction that could fill it has ended
(the snapshot's xmin has passed the xmax seen after a short grace); then the gap is a rollback
and is skipped. SQLite serialises writers, so there a gap is always final.
"""

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime

import structlog
from sqlalchemy import Connection, Engine, select, text

from connectors.motcua.department import as_utc
from connectors.motcua.source_tables import outbox_table

__all__ = ["OutboxReader", "OutboxRow"]

log = structlog.get_logger(__name__)

_SNAPSHOT_XMIN = text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
_SNAPSHOT_XMAX = text("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    aggregate_type: str
    aggregate_id: str
    event_type: str
    payload: str
    occurred_at: datetime
    correlation_id: str | None = None
    causation_id: str | None = None

    def to_json(self) -> str:
        """The row as the department stored it, for the dead-letter topic."""
        document = asdict(self)
        document["occurred_at"] = self.occurred_at.isoformat()
        return json.dumps(document, ensure_ascii=False)


@dataclass(slots=True)
class _Gap:
    after: int
    seen_at: float
    horizon: int | None = None


class OutboxReader:
    """Sync reads (run them in a thread); keeps the state of the gap it is waiting on."""

    def __init__(
        self,
        engine: Engine,
        *,
        gap_grace_s: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._concurrent_writers = engine.dialect.name == "postgresql"
        self._grace_s = gap_grace_s
        self._monotonic = monotonic
        self._gap: _Gap | None = None

    def read_after(self, position: int, limit: int) -> list[OutboxRow]:
        with self._engine.connect() as conn:
            rows = self._fetch(conn, position, limit)
            if not self._concurrent_writers or not rows:
                return rows
            expected = position + 1
            if rows[0].id != expected and self._gap_settled(conn, position):
                log.warning(
                    "outbox ids never committed, skipped", first=expected, last=rows[0].id - 1
                )
                rows = self._fetch(conn, position, limit)
                expected = rows[0].id
            contiguous: list[OutboxRow] = []
            for row in rows:
                if row.id != expected:
                    break
                contiguous.append(row)
                expected += 1
            return contiguous

    def _gap_settled(self, conn: Connection, position: int) -> bool:
        gap, now = self._gap, self._monotonic()
        if gap is None or gap.after != position:
            self._gap = _Gap(position, now)
            return False
        if gap.horizon is None:
            # The grace covers a writer between taking its id and being assigned its xid.
            if now - gap.seen_at >= self._grace_s:
                gap.horizon = conn.execute(_SNAPSHOT_XMAX).scalar_one()
            return False
        if conn.execute(_SNAPSHOT_XMIN).scalar_one() < gap.horizon:
            return False
        self._gap = None
        return True

    @staticmethod
    def _fetch(conn: Connection, position: int, limit: int) -> list[OutboxRow]:
        result = conn.execute(
            select(outbox_table)
            .where(outbox_table.c.id > position)
            .order_by(outbox_table.c.id)
            .limit(limit)
        ).mappings()
        return [OutboxRow(**{**row, "occurred_at": as_utc(row["occurred_at"])}) for row in result]
