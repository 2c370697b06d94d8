"""The daily scores and the overdue count follow the centre's dossiers exactly: received
and resolved per Vietnamese calendar day, on time or late, through replays, late versions
and deletes. Runs on SQLite, and on PostgreSQL when LIENTHONG_TEST_PG_DSN is set."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from lienthong.events import DossierChange, Operation
from lienthong.ids import TopicName
from streams.centre import (
    CentreSink,
    ScoreKey,
    read_daily_scores,
    read_overdue,
    refresh_overdue,
)
from streams.centre.scores import dossier_scores
from tests.factories import AT, dossier_change

TOPIC = TopicName("motcua.dossiers")
RECEIVED_DAY = date(2025, 7, 1)  # AT + 1 h = 09:30 in Vietnam
GROUP = ("1.004227", "000.00.00.H41", "00070")


def finished(no: str, version: int, at: datetime, **changes: Any) -> DossierChange:
    """Version `version` of dossier `no`, finished at `at`."""
    change = dossier_change(no, version)
    assert change.after is not None
    after = change.after.model_copy(update={"finished_at": at, **changes})
    return change.model_copy(update={"after": after})


async def write(sink: CentreSink, *changes: DossierChange) -> None:
    start = (await sink.stored_offsets(TOPIC)).get(0, 0)
    for offset, one in enumerate(changes, start):
        sink.add(one, TOPIC, 0, offset)
    await sink.flush()


def scores(sink: CentreSink) -> dict[date, tuple[int, int, int, int]]:
    read = read_daily_scores(sink.engine)
    assert {_group(score.key) for score in read} <= {GROUP}
    return {s.key.day: (s.received, s.resolved, s.resolved_on_time, s.resolved_late) for s in read}


def _group(key: ScoreKey) -> tuple[str, str, str]:
    return (key.procedure_code, key.receiving_agency, key.commune_code)


def test_the_day_is_the_calendar_day_in_vietnam() -> None:
    late_evening_utc = datetime(2025, 7, 1, 18, 30, tzinfo=UTC)  # 01:30 on 2 July in Vietnam
    counted = dossier_scores(
        {
            "procedure_code": "p",
            "receiving_agency": "a",
            "applicant_commune_code": None,
            "received_at": late_evening_utc,
            "finished_at": late_evening_utc,
            "due_at": None,
            "extended_due_at": None,
        }
    )
    key = ScoreKey("p", "a", "", date(2025, 7, 2))
    assert counted == {(key, "received"): 1, (key, "resolved"): 1, (key, "resolved_on_time"): 1}


async def test_received_and_resolved_on_time_or_late_per_day(sink: CentreSink) -> None:
    on_time = AT + timedelta(days=3)
    late = AT + timedelta(days=20)  # due after 15 days
    extended = AT + timedelta(days=25)
    await write(
        sink,
        dossier_change("HS-1", 1, Operation.CREATE),
        dossier_change("HS-2", 1, Operation.CREATE),
        dossier_change("HS-3", 1, Operation.CREATE),
        finished("HS-1", 2, on_time),
        finished("HS-2", 2, late),
        finished("HS-3", 2, late, extended_due_at=extended),
    )
    assert scores(sink) == {
        RECEIVED_DAY: (3, 0, 0, 0),
        on_time.date(): (0, 1, 1, 0),
        late.date(): (0, 2, 1, 1),
    }


async def test_replays_late_versions_and_deletes_keep_the_scores_exact(sink: CentreSink) -> None:
    created = dossier_change("HS-1", 1, Operation.CREATE)
    done = finished("HS-1", 2, AT + timedelta(days=3))
    await write(sink, created, done)
    expected = {RECEIVED_DAY: (1, 0, 0, 0), date(2025, 7, 4): (0, 1, 1, 0)}
    assert scores(sink) == expected
    await write(sink, created, done)  # the same events again: nothing counted twice
    await write(sink, created)  # an older version after the newer: ignored
    assert scores(sink) == expected
    await write(sink, finished("HS-1", 3, AT + timedelta(days=30)))  # reopened, finished late
    assert scores(sink) == {RECEIVED_DAY: (1, 0, 0, 0), date(2025, 7, 31): (0, 1, 0, 1)}
    await write(sink, dossier_change("HS-1", 4, Operation.DELETE))
    assert scores(sink) == {}


async def test_overdue_now_counts_the_open_dossiers_past_their_due_date(sink: CentreSink) -> None:
    await write(
        sink,
        dossier_change("HS-1", 1, Operation.CREATE),  # due AT + 15 days
        dossier_change("HS-2", 1, Operation.CREATE),
        finished("HS-3", 1, AT + timedelta(days=1)),
    )
    assert refresh_overdue(sink.engine, AT + timedelta(days=2)) == 0
    assert refresh_overdue(sink.engine, AT + timedelta(days=16)) == 2
    (counted,) = read_overdue(sink.engine)
    assert (counted.procedure_code, counted.receiving_agency, counted.commune_code) == GROUP
    assert (counted.open, counted.overdue) == (2, 2)
    assert counted.counted_at == AT + timedelta(days=16)
