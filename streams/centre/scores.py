"""What the province is scored on, per procedure, receiving agency and applicant commune:
dossiers received and resolved per day (resolved on time or late), and dossiers overdue now.

Daily counts are kept by the dossier processor in the batch's own transaction: the
dossiers a batch touches are read before and after it is applied, and the difference of
what they count for is added (`DailyScores`). So the counts follow the current rows
exactly, through replays, out-of-order versions and deletes, and move with the offsets.
"Overdue now" depends on the clock, not on events: `refresh_overdue` recounts it from the
current rows, and the worker calls it on a timer.

Days are calendar days in Vietnam (UTC+7, no daylight saving). A dossier is resolved on
time when it finished no later than its extended due date, or its due date when it was
not extended, or when it had no due date.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Final, NamedTuple

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    Engine,
    String,
    Table,
    case,
    delete,
    func,
    select,
    text,
)

from streams.centre.bulk import write_rows
from streams.centre.dialect import chunks, key_in
from streams.centre.kinds import EntityKey, KindChanges
from streams.centre.schema import DOSSIERS, METADATA, UtcDateTime

__all__ = [
    "DAILY_SCORES",
    "MEASURES",
    "OVERDUE_NOW",
    "DailyScore",
    "DailyScores",
    "OverdueCount",
    "ScoreKey",
    "dossier_scores",
    "read_daily_scores",
    "read_overdue",
    "refresh_overdue",
    "score_changes",
]

VIETNAM: Final = timezone(timedelta(hours=7), "ICT")

MEASURES: Final = ("received", "resolved", "resolved_on_time", "resolved_late")

_GROUP: Final = ("procedure_code", "receiving_agency", "commune_code")

DAILY_SCORES = Table(
    "dossier_daily_scores",
    METADATA,
    Column("procedure_code", String, primary_key=True),
    Column("receiving_agency", String, primary_key=True),
    Column("commune_code", String, primary_key=True, comment="the applicant's; '' when unknown"),
    Column("day", Date, primary_key=True, comment="calendar day in Vietnam"),
    *(Column(measure, BigInteger, nullable=False) for measure in MEASURES),
    Column("updated_at", UtcDateTime, nullable=False),
)

OVERDUE_NOW = Table(
    "dossiers_overdue_now",
    METADATA,
    Column("procedure_code", String, primary_key=True),
    Column("receiving_agency", String, primary_key=True),
    Column("commune_code", String, primary_key=True),
    Column("open", BigInteger, nullable=False, comment="dossiers received and not finished"),
    Column("overdue", BigInteger, nullable=False, comment="open dossiers past their due date"),
    Column("counted_at", UtcDateTime, nullable=False),
)

_FACTS: Final = (
    DOSSIERS.c.dossier_no,
    DOSSIERS.c.procedure_code,
    DOSSIERS.c.receiving_agency,
    DOSSIERS.c.applicant_commune_code,
    DOSSIERS.c.received_at,
    DOSSIERS.c.finished_at,
    DOSSIERS.c.due_at,
    DOSSIERS.c.extended_due_at,
)


class ScoreKey(NamedTuple):
    procedure_code: str
    receiving_agency: str
    commune_code: str
    day: date


def dossier_scores(facts: Mapping[str, Any]) -> Counter[tuple[ScoreKey, str]]:
    """What one dossier (a `dossiers` row) counts for in the daily scores."""
    counts: Counter[tuple[ScoreKey, str]] = Counter()
    group = (
        facts["procedure_code"],
        facts["receiving_agency"],
        facts["applicant_commune_code"] or "",
    )
    if (received := facts["received_at"]) is not None:
        counts[ScoreKey(*group, _day(received)), "received"] += 1
    if (finished := facts["finished_at"]) is not None:
        key = ScoreKey(*group, _day(finished))
        counts[key, "resolved"] += 1
        due = facts["extended_due_at"] or facts["due_at"]
        counts[key, "resolved_on_time" if due is None or finished <= due else "resolved_late"] += 1
    return counts


def score_changes(
    before: Iterable[Mapping[str, Any]], after: Iterable[Mapping[str, Any]]
) -> dict[ScoreKey, dict[str, int]]:
    """The counts to add when the rows `before` became the rows `after` (each a dossier's
    facts, with its `dossier_no`); zeros left out."""
    held = {facts["dossier_no"]: facts for facts in before}
    delta: Counter[tuple[ScoreKey, str]] = Counter()
    for facts in after:
        was = held.pop(facts["dossier_no"], None)
        if was == facts:
            continue  # most changes move no date and no group: nothing to count
        delta.update(dossier_scores(facts))
        if was is not None:
            delta.subtract(dossier_scores(was))
    for facts in held.values():  # deleted by the batch
        delta.subtract(dossier_scores(facts))
    changes: dict[ScoreKey, dict[str, int]] = {}
    for (key, measure), count in sorted(delta.items()):
        if count:
            changes.setdefault(key, dict.fromkeys(MEASURES, 0))[measure] = count
    return changes


class DailyScores:
    """The dossier kind's derivation of `dossier_daily_scores`."""

    def capture(self, conn: Connection, keys: Sequence[EntityKey]) -> list[dict[str, Any]]:
        return _read_facts(conn, keys)

    def apply(
        self,
        conn: Connection,
        changes: KindChanges,
        captured: list[dict[str, Any]],
        synced_at: datetime,
    ) -> None:
        delta = score_changes(captured, _facts_after(conn, changes, captured))
        rows = [
            {**key._asdict(), **counts, "updated_at": synced_at} for key, counts in delta.items()
        ]
        write_rows(conn, DAILY_SCORES, rows, [*_GROUP, "day"], "add", MEASURES)


def refresh_overdue(engine: Engine, now: datetime) -> int:
    """Recount the open and overdue dossiers per group as of `now`; return the overdue."""
    due = func.coalesce(DOSSIERS.c.extended_due_at, DOSSIERS.c.due_at)
    commune = func.coalesce(DOSSIERS.c.applicant_commune_code, "")
    is_open = (
        DOSSIERS.c.received_at.is_not(None)
        & DOSSIERS.c.finished_at.is_(None)
        & DOSSIERS.c.cancelled_at.is_(None)
    )
    overdue = func.sum(case((due < now, 1), else_=0))
    query = (
        select(
            DOSSIERS.c.procedure_code, DOSSIERS.c.receiving_agency, commune, func.count(), overdue
        )
        .where(is_open)
        .group_by(DOSSIERS.c.procedure_code, DOSSIERS.c.receiving_agency, commune)
    )
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # workers recounting at once take turns
            conn.execute(text(f"LOCK TABLE {OVERDUE_NOW.name} IN SHARE ROW EXCLUSIVE MODE"))
        rows = [
            {
                "procedure_code": procedure,
                "receiving_agency": agency,
                "commune_code": commune_code,
                "open": open_count,
                "overdue": overdue_count or 0,
                "counted_at": now,
            }
            for procedure, agency, commune_code, open_count, overdue_count in conn.execute(query)
        ]
        conn.execute(delete(OVERDUE_NOW))
        if rows:
            conn.execute(OVERDUE_NOW.insert(), rows)
    return sum(row["overdue"] for row in rows)


def _facts_after(
    conn: Connection, changes: KindChanges, before: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The facts of the batch's dossiers after it was applied.

    Only the dossiers the batch may have moved are read again: new ones, deleted ones, and
    those whose newest change carries other facts than the row held. For the others the
    row holds the same facts whether the change applied or was older and ignored.
    """
    held = {facts["dossier_no"]: facts for facts in before}
    deleted = {change.envelope.entity_key for change in changes.deletes}
    moved = set(deleted)
    for change in changes.upserts:
        number = change.envelope.entity_key
        if (was := held.get(number)) is None or _facts_of(change) != was:
            moved.add(number)
    after = {number: facts for number, facts in held.items() if number not in moved}
    for facts in _read_facts(conn, [(number,) for number in sorted(moved)]):
        after[facts["dossier_no"]] = facts
    return list(after.values())


def _facts_of(change: Any) -> dict[str, Any]:
    """The facts the change's dossier would leave in its row (the columns of `_FACTS`)."""
    dossier = change.after
    return {
        "dossier_no": dossier.dossier_no,
        "procedure_code": dossier.procedure_code,
        "receiving_agency": dossier.receiving_agency,
        "applicant_commune_code": dossier.applicant.commune_code,
        "received_at": dossier.received_at,
        "finished_at": dossier.finished_at,
        "due_at": dossier.due_at,
        "extended_due_at": dossier.extended_due_at,
    }


def _read_facts(conn: Connection, keys: Sequence[EntityKey]) -> list[dict[str, Any]]:
    facts: list[dict[str, Any]] = []
    for some in chunks(keys):
        query = select(*_FACTS).where(key_in(conn, DOSSIERS, ("dossier_no",), some))
        facts.extend(dict(row._mapping) for row in conn.execute(query))
    return facts


def _day(moment: datetime) -> date:
    return moment.astimezone(VIETNAM).date()


@dataclass(frozen=True)
class DailyScore:
    key: ScoreKey
    received: int
    resolved: int
    resolved_on_time: int
    resolved_late: int


@dataclass(frozen=True)
class OverdueCount:
    procedure_code: str
    receiving_agency: str
    commune_code: str
    open: int
    overdue: int
    counted_at: datetime


def read_daily_scores(
    engine: Engine, since: date | None = None, until: date | None = None
) -> list[DailyScore]:
    """The daily scores from `since` to `until` (inclusive), groups with all zeros left out."""
    table = DAILY_SCORES
    query = select(table).where((table.c.received != 0) | (table.c.resolved != 0))
    if since is not None:
        query = query.where(table.c.day >= since)
    if until is not None:
        query = query.where(table.c.day <= until)
    query = query.order_by(table.c.day, *(table.c[name] for name in _GROUP))
    with engine.connect() as conn:
        return [
            DailyScore(
                ScoreKey(row.procedure_code, row.receiving_agency, row.commune_code, row.day),
                *(row._mapping[measure] for measure in MEASURES),
            )
            for row in conn.execute(query)
        ]


def read_overdue(engine: Engine) -> list[OverdueCount]:
    """The open and overdue dossiers per group as last counted by `refresh_overdue`."""
    table = OVERDUE_NOW
    query = select(table).order_by(table.c.overdue.desc(), *(table.c[name] for name in _GROUP))
    with engine.connect() as conn:
        return [OverdueCount(**row._mapping) for row in conn.execute(query)]
