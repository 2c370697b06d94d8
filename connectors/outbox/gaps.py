"""When a gap in the outbox ids is final: no transaction still open can commit a row into it.

Ids are taken at insert, but concurrent transactions commit in any order, so row 11 can be
visible while row 10's transaction is still open. Each rule first notes what is open once the
gap has lasted a grace period (the horizon), then says the gap is final when all of that has
ended: a transaction holding an id in the gap took it before the row above the gap was
written, so it was open at the horizon. Rules wait for every open transaction, not only the
outbox's writers, since none can be told apart: a long transaction delays, never loses.

- PostgreSQL: the horizon is the snapshot's xmax (the first transaction id not yet started);
  final once the snapshot's xmin (the oldest still running) has reached it. Needs no grants.
- MariaDB/MySQL (InnoDB): the horizon is the set of transactions listed in
  information_schema.innodb_trx (needs the PROCESS privilege); final once none of them is
  listed any more. InnoDB refreshes that table at most every 0.1 s: the grace covers it.
- SQLite: one writer at a time, ids taken inside the write transaction: a gap is always final.
"""

from abc import ABC, abstractmethod
from typing import Any

from sqlalchemy import Connection, text

__all__ = ["GapRule", "InnoDbGapRule", "PostgresGapRule", "gap_rule_for"]


class GapRule(ABC):
    @abstractmethod
    def horizon(self, conn: Connection) -> Any:
        """What is open now, for `passed` to compare with later."""

    @abstractmethod
    def passed(self, conn: Connection, horizon: Any) -> bool:
        """True once everything open at `horizon` has committed or rolled back."""


class PostgresGapRule(GapRule):
    _XMAX = text("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")
    _XMIN = text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")

    def horizon(self, conn: Connection) -> int:
        xmax: int = conn.execute(self._XMAX).scalar_one()
        return xmax

    def passed(self, conn: Connection, horizon: Any) -> bool:
        xmin: int = conn.execute(self._XMIN).scalar_one()
        return xmin >= int(horizon)


class InnoDbGapRule(GapRule):
    # The start time and thread tell apart two transactions that reuse a read-only trx_id.
    _OPEN = text(
        "SELECT trx_id, trx_mysql_thread_id, trx_started FROM information_schema.innodb_trx "
        "WHERE trx_mysql_thread_id <> CONNECTION_ID()"
    )

    def horizon(self, conn: Connection) -> frozenset[tuple[str, ...]]:
        return self._open(conn)

    def passed(self, conn: Connection, horizon: Any) -> bool:
        return not (self._open(conn) & horizon)

    def _open(self, conn: Connection) -> frozenset[tuple[str, ...]]:
        return frozenset(tuple(str(value) for value in row) for row in conn.execute(self._OPEN))


def gap_rule_for(dialect: str) -> GapRule | None:
    """The database's rule; None where writers are serialised and every gap is final."""
    if dialect == "postgresql":
        return PostgresGapRule()
    if dialect in ("mysql", "mariadb"):
        return InnoDbGapRule()
    return None
