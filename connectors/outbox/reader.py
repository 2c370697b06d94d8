"""Reads the outbox in id order and never past a gap that an open transaction may still fill."""

import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from sqlalchemy import Connection, Engine

from connectors.outbox.gaps import GapRule, gap_rule_for
from connectors.outbox.options import OutboxOptions
from connectors.outbox.rows import OutboxRow, newest_id_query, rows_after, rows_query

__all__ = ["OutboxReader"]

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class _Gap:
    after: int
    seen_at: float
    horizon: object | None = None
    top: int = 0
    """The lowest id visible above the gap when the horizon was taken."""


class OutboxReader:
    """Blocking reads (run them in a worker thread); remembers the gap it is waiting out."""

    def __init__(
        self,
        engine: Engine,
        options: OutboxOptions,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._options = options
        self._query = rows_query(options.table, options.columns)
        self._rule: GapRule | None = gap_rule_for(engine.dialect.name)
        self._monotonic = monotonic
        self._gap: _Gap | None = None

    def read_after(self, position: int, limit: int) -> list[OutboxRow]:
        """Rows after `position` with no id missing between them, or only ids known final."""
        with self._engine.connect() as conn:
            rows = self._fetch(conn, position, limit)
            if self._rule is None or not rows:
                return rows
            final_below = position + 1
            if rows[0].id != final_below:
                top = self._final_gap_top(conn, self._rule, position, rows[0].id)
                if top is None:
                    return []
                # Rows of the gap that committed meanwhile are read too, in id order.
                rows, final_below = self._fetch(conn, position, limit), top
            contiguous: list[OutboxRow] = []
            expected = position + 1
            for row in rows:
                if row.id != expected and row.id > final_below:
                    break
                if row.id != expected:
                    log.info(
                        "outbox ids never committed, skipped",
                        table=self._options.table,
                        first=expected,
                        last=row.id - 1,
                    )
                contiguous.append(row)
                expected = row.id + 1
            return contiguous

    def newest_id(self) -> int | None:
        """The highest id in the outbox; None when it is empty."""
        query = newest_id_query(self._options.table, self._options.columns)
        with self._engine.connect() as conn:
            newest: int | None = conn.execute(query).scalar_one()
            return newest

    def _final_gap_top(
        self, conn: Connection, rule: GapRule, position: int, lowest: int
    ) -> int | None:
        """Once no transaction open at the horizon remains: every id below the returned one
        is final (committed and visible, or never to be). None while the gap must wait."""
        gap, now = self._gap, self._monotonic()
        if gap is None or gap.after != position:
            gap = self._gap = _Gap(position, now)
        if gap.horizon is None:
            if now - gap.seen_at < self._options.gap_grace_s:
                return None
            gap.horizon, gap.top = rule.horizon(conn), lowest
        if not rule.passed(conn, gap.horizon):
            return None
        self._gap = None
        return gap.top

    def _fetch(self, conn: Connection, position: int, limit: int) -> list[OutboxRow]:
        query = rows_after(self._query, self._options.columns, position, limit)
        return [OutboxRow.from_mapping(row) for row in conn.execute(query).mappings()]
