"""The polling query: rows changed after a position and before the horizon, in keyset order.

    SELECT * FROM (<query>) polled
    WHERE ts < :horizon AND (ts > :after_ts OR (ts = :after_ts AND id > :after_id))
    ORDER BY ts, id LIMIT n

Ordering by (timestamp, id) and resuming after both means rows sharing one timestamp are never
split and lost at a page boundary. An index on (timestamp, id) keeps each page cheap.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import Connection, TextClause, text

from connectors.contract import SourceItem
from connectors.polling.dialects import Horizon, PollDialect
from connectors.polling.options import PollingOptions
from connectors.polling.position import PollPosition
from connectors.polling.rows import RowMapper

__all__ = ["Page", "PollingQuery"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Page:
    items: list[SourceItem]
    last: PollPosition | None
    """The position of the last row read; None when there was none."""
    horizon: Horizon


class PollingQuery:
    def __init__(
        self,
        options: PollingOptions,
        dialect: PollDialect,
        mapper: RowMapper,
        quote: Callable[[str], str],
        limit: int,
    ) -> None:
        self.options, self.dialect, self.mapper, self.limit = options, dialect, mapper, limit
        source = (options.query or "").strip().rstrip(";")
        if options.table is not None:
            source = "SELECT * FROM " + ".".join(quote(part) for part in options.table.split("."))
        ts = f"polled.{quote(options.timestamp_column)}"
        row_id = f"polled.{quote(options.incrementing_column)}"
        head = f"SELECT * FROM ({source}) polled WHERE {ts} < :horizon"
        tail = f" ORDER BY {ts}, {row_id} LIMIT {int(limit)}"
        keyset = f" AND ({ts} > :after_ts OR ({ts} = :after_ts AND {row_id} > :after_id))"
        self._first: TextClause = text(head + tail)
        self._after: TextClause = text(head + keyset + tail)
        self._checked = False

    def statement(self, resuming: bool) -> TextClause:
        """The SELECT of a page: from the start, or after a position (`:after_ts`, `:after_id`)."""
        return self._after if resuming else self._first

    def page(self, conn: Connection, after: PollPosition | None) -> Page:
        """One page, read in one transaction: the horizon first, then the rows below it."""
        horizon = self.dialect.horizon(conn, self.options)
        params: dict[str, Any] = {"horizon": horizon.value}
        statement = self.statement(resuming=after is not None)
        if after is not None:
            params |= {"after_ts": self.dialect.bind(after.ts), "after_id": after.id}
        result = conn.execute(statement, params)
        if not self._checked:
            self.mapper.check_columns(result.keys())
            self._checked = True
        rows: list[dict[str, Any]] = [dict(row._mapping) for row in result]
        items = [self.mapper.item(row) for row in rows]
        last = self.mapper.position_of(rows[-1]) if rows else None
        return Page(items, last, horizon)
