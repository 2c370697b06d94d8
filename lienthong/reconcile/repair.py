"""Re-publishes drifting dossiers through the source's outbox, a chunk per source transaction.

The connector then delivers them like every other change. Only outbox rows are written; the
department's `dossiers` rows are read, never altered. Each chunk re-reads its keys inside its
transaction, so what is re-published is the row as it stands, not as it was compared.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from connectors.motcua.source_db import append_outbox
from connectors.motcua.source_tables import dossiers_table
from lienthong.reconcile.compare import KeyComparison
from lienthong.reconcile.repair_plan import REPAIRABLE, planned_event
from lienthong.reconcile.report import RepairReport, Republished

__all__ = ["Repairer"]

_IN_LIST = 500
"""Keys per `IN (...)` list, below SQLite's bound-parameter limit."""


class Repairer:
    """`add` the comparisons as they come; every `chunk_size` repairable keys are one `flush`,
    and the flush is the commit: the report counts a row only once it is committed."""

    def __init__(
        self,
        engine: Engine,
        report: RepairReport,
        *,
        chunk_size: int,
        clock: Callable[[], datetime],
    ) -> None:
        self._engine = engine
        self._report = report
        self._chunk_size = chunk_size
        self._clock = clock
        self._pending: list[KeyComparison] = []

    def add(self, comparison: KeyComparison) -> None:
        if comparison.drift not in REPAIRABLE:
            return
        self._pending.append(comparison)
        if len(self._pending) >= self._chunk_size:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        report, occurred_at = self._report, self._clock()
        written: list[Republished] = []
        with self._engine.begin() as conn:
            current = _current_rows(conn, [c.key for c in self._pending])
            for comparison in self._pending:
                event = planned_event(comparison, current.get(comparison.key))
                if event is None:
                    continue
                outbox_id = append_outbox(
                    conn,
                    event.event_type,
                    event.dossier,
                    occurred_at=occurred_at,
                    correlation_id=report.correlation_id,
                )
                written.append(
                    Republished(outbox_id, comparison.key, event.event_type, event.dossier.version)
                )
        report.skipped += len(self._pending) - len(written)
        for republished in written:
            report.add(republished)
        self._pending.clear()


def _current_rows(conn: Connection, keys: Sequence[str]) -> dict[str, Mapping[Any, Any]]:
    rows: dict[str, Mapping[Any, Any]] = {}
    for start in range(0, len(keys), _IN_LIST):
        chosen = keys[start : start + _IN_LIST]
        query = select(dossiers_table).where(dossiers_table.c.dossier_no.in_(chosen))
        rows.update((row["dossier_no"], row) for row in conn.execute(query).mappings())
    return rows
