"""Checking the audit log (streams.centre.audit) against itself and the history tables.

Three streamed passes, each in constant memory: the chain in seq order (gaps, edited
entries); every entry against its history row (deleted or edited rows); every history row
without an entry. Only the first problems are kept, with the count of all of them.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import Connection, Engine, Row, Select, and_, select

from streams.centre.audit import (
    AUDIT_LOG,
    AuditEntry,
    AuditProblem,
    ChainWalk,
    history_problem,
)
from streams.centre.catalog import CENTRE_KINDS
from streams.centre.kinds import EntityKind

__all__ = ["SHOWN_PROBLEMS", "AuditReport", "verify_audit"]

SHOWN_PROBLEMS: Final = 20
STREAM_ROWS: Final = 1000


@dataclass
class AuditReport:
    audit_rows: int = 0
    history_rows: int = 0
    problem_count: int = 0
    problems: list[AuditProblem] = field(default_factory=list)
    """The first SHOWN_PROBLEMS problems, in the order found."""

    @property
    def intact(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: AuditProblem) -> None:
        self.problem_count += 1
        if len(self.problems) < SHOWN_PROBLEMS:
            self.problems.append(problem)


def verify_audit(engine: Engine, kinds: Sequence[EntityKind[Any]] = CENTRE_KINDS) -> AuditReport:
    """Walk the whole audit log and every kind's history; report what does not hold."""
    report = AuditReport()
    known = {kind.name for kind in kinds}
    with engine.connect() as conn:
        walk = ChainWalk()
        for row in _streamed(conn, select(AUDIT_LOG).order_by(AUDIT_LOG.c.seq)):
            entry = AuditEntry(**row._asdict())
            for problem in walk.check(entry):
                report.add(problem)
            if entry.kind not in known:
                report.add(AuditProblem(entry.seq, entry.kind, entry.event_id, "unknown kind"))
        report.audit_rows = walk.checked
        for kind in kinds:
            _check_recorded_rows(conn, kind, report)
            _check_unrecorded_rows(conn, kind, report)
    return report


def _check_recorded_rows(conn: Connection, kind: EntityKind[Any], report: AuditReport) -> None:
    history = kind.history
    query = (
        select(AUDIT_LOG, *(c.label(f"h_{c.name}") for c in history.columns))
        .outerjoin(history, history.c.event_id == AUDIT_LOG.c.event_id)
        .where(AUDIT_LOG.c.kind == kind.name)
        .order_by(AUDIT_LOG.c.seq)
    )
    for row in _streamed(conn, query):
        values = row._mapping
        entry = AuditEntry(**{c.name: values[c.name] for c in AUDIT_LOG.columns})
        stored = None
        if values["h_event_id"] is not None:
            stored = {c.name: values[f"h_{c.name}"] for c in history.columns}
            report.history_rows += 1
        if (problem := history_problem(entry, stored)) is not None:
            report.add(problem)


def _check_unrecorded_rows(conn: Connection, kind: EntityKind[Any], report: AuditReport) -> None:
    history = kind.history
    query = (
        select(history.c.event_id)
        .outerjoin(
            AUDIT_LOG,
            and_(AUDIT_LOG.c.kind == kind.name, AUDIT_LOG.c.event_id == history.c.event_id),
        )
        .where(AUDIT_LOG.c.seq.is_(None))
        .order_by(history.c.event_id)
    )
    for row in _streamed(conn, query):
        report.history_rows += 1
        report.add(AuditProblem(None, kind.name, row.event_id, "history row has no audit entry"))


def _streamed(conn: Connection, query: Select[Any]) -> Iterator[Row[Any]]:
    yield from conn.execute(query.execution_options(yield_per=STREAM_ROWS))
