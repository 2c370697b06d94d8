"""The simulator makes believable one-stop-shop activity: only valid transitions, reproducible
with a seed, Vietnamese text, and every change written with its outbox row in one transaction."""

import asyncio
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.pool import StaticPool

from connectors.motcua import Action, DeptDossier, OutboxEventType, Simulator, Status
from connectors.motcua.department import PROVINCE_TIME
from connectors.motcua.lifecycle import (
    ALLOWED_FROM,
    FINAL_STATUSES,
    InvalidTransitionError,
    add_working_days,
    advance,
)
from connectors.motcua.source_db import (
    StaleDossierError,
    dossiers_table,
    ensure_source_schema,
    outbox_table,
    write_change,
)


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = _memory_engine()
    yield engine
    engine.dispose()


def _memory_engine() -> Engine:
    engine = create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    ensure_source_schema(engine)
    return engine


class _Clock:
    """Two minutes per activity from a Monday morning, so runs are reproducible."""

    def __init__(self) -> None:
        self.now = datetime(2025, 7, 7, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=2)
        return self.now


def _outbox(engine: Engine) -> list[tuple[int, str, str, dict[str, object]]]:
    with engine.connect() as conn:
        rows = conn.execute(select(outbox_table).order_by(outbox_table.c.id)).mappings().all()
    return [(r["id"], r["event_type"], r["aggregate_id"], json.loads(r["payload"])) for r in rows]


def _simulated(seed: int, steps: int) -> list[tuple[int, str, str, dict[str, object]]]:
    engine = _memory_engine()
    try:
        Simulator(engine, seed, clock=_Clock()).steps(steps)
        return _outbox(engine)
    finally:
        engine.dispose()


def test_the_same_seed_gives_the_same_activity_and_another_seed_does_not() -> None:
    first, again, other = _simulated(11, 300), _simulated(11, 300), _simulated(12, 300)
    assert first == again
    assert [row[1:3] for row in first] != [row[1:3] for row in other]


def test_every_change_is_a_valid_transition_of_its_dossier(engine: Engine) -> None:
    activities = Simulator(engine, 5, clock=_Clock()).steps(3000)
    history: dict[str, list[tuple[str, dict[str, object]]]] = defaultdict(list)
    for _, event_type, dossier_no, payload in _outbox(engine):
        history[dossier_no].append((event_type, payload))

    for dossier_no, changes in history.items():
        first_type, first = changes[0]
        assert first_type == "created" and first["version"] == 1
        assert first["status"] in (Status.NEW, Status.RECEIVING)
        for (_, previous), (event_type, current) in pairwise(changes):
            assert previous["status"] not in FINAL_STATUSES, f"{dossier_no} changed after the end"
            if event_type == "deleted":
                assert current == previous, "a delete carries the last stored state"
                assert previous["status"] == Status.NEW
                continue
            assert event_type == "updated"
            assert current["version"] == previous["version"] + 1  # type: ignore[operator]
            action = Action(current["steps"][-1]["action"])  # type: ignore[index]
            assert previous["status"] in ALLOWED_FROM[action], (dossier_no, action)
        assert all(event_type != "deleted" for event_type, _ in changes[:-1])

    done = {activity.action for activity in activities}
    assert done == set(Action), f"never did {set(Action) - done}"


def test_dossiers_look_vietnamese(engine: Engine) -> None:
    Simulator(engine, 3, clock=_Clock()).steps(600)
    payloads = [payload for _, event_type, _, payload in _outbox(engine) if event_type == "created"]
    names = [unicodedata.normalize("NFC", str(p["applicant_name"])) for p in payloads]
    people = [n for p, n in zip(payloads, names, strict=True) if p["applicant_kind"] == "citizen"]
    firms = [n for p, n in zip(payloads, names, strict=True) if p["applicant_kind"] == "business"]

    assert all(re.search(r"[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]",
                         name.lower()) for name in people)  # fmt: skip
    assert {name.split()[0] for name in people} >= {"Nguyễn", "Trần", "Lê"}
    assert firms and all(name.startswith("Công ty") for name in firms)
    assert any(not unicodedata.is_normalized("NFC", str(p["applicant_name"])) for p in payloads), (
        "some records should arrive decomposed (NFD), as from older systems"
    )
    for payload in payloads:
        assert re.fullmatch(r"\d\.\d{6}", str(payload["procedure_code"]))
        assert re.fullmatch(r"\d{5}", str(payload["applicant_commune_code"]))
        assert "tỉnh Nghệ An" in unicodedata.normalize("NFC", str(payload["applicant_address"]))
        if payload["applicant_kind"] == "citizen":
            assert re.fullmatch(r"0\d{11}", str(payload["applicant_id_number"]))
        if payload["due_at"] is not None:
            due = datetime.fromisoformat(str(payload["due_at"]))
            received = datetime.fromisoformat(str(payload["received_at"]))
            assert due > received and due.astimezone(PROVINCE_TIME).weekday() < 5


def test_due_dates_skip_weekends() -> None:
    friday_morning = datetime(2025, 7, 4, 2, 0, tzinfo=UTC)  # 09:00 in Vinh
    due = add_working_days(friday_morning, 1).astimezone(PROVINCE_TIME)
    assert (due.date(), due.hour) == (date(2025, 7, 7), 17)
    assert add_working_days(friday_morning, 5).astimezone(PROVINCE_TIME).date() == date(2025, 7, 11)


def test_a_cancelled_dossier_cannot_be_processed(engine: Engine) -> None:
    Simulator(engine, 1, clock=_Clock()).steps(200)
    with engine.connect() as conn:
        cancelled_rows = select(dossiers_table).where(dossiers_table.c.status == Status.CANCELLED)
        row = conn.execute(cancelled_rows.limit(1)).mappings().one()
    cancelled = DeptDossier.from_row(row)
    step = replace(cancelled.steps[-1], action="process")
    for action in (Action.PROCESS, Action.RESOLVE, Action.RETURN, Action.CANCEL):
        with pytest.raises(InvalidTransitionError):
            advance(cancelled, action, step, working_days=3)


def test_a_stale_update_writes_neither_the_dossier_nor_its_outbox_row(engine: Engine) -> None:
    Simulator(engine, 2, clock=_Clock()).steps(50)
    with engine.connect() as conn:
        row = conn.execute(select(dossiers_table).limit(1)).mappings().one()
        before = conn.execute(select(func.count()).select_from(outbox_table)).scalar_one()
    stored = DeptDossier.from_row(row)
    stale = replace(stored, status="processing", version=stored.version + 2)
    with pytest.raises(StaleDossierError):
        write_change(engine, OutboxEventType.UPDATED, stale, occurred_at=datetime.now(UTC))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(outbox_table)).scalar_one() == before
        same_dossier = dossiers_table.c.dossier_no == stored.dossier_no
        again = conn.execute(select(dossiers_table).where(same_dossier)).mappings().one()
    assert DeptDossier.from_row(again) == stored


def test_a_restarted_simulator_continues_the_open_dossiers(engine: Engine) -> None:
    clock = _Clock()
    first = Simulator(engine, 8, clock=clock).steps(300)
    second = Simulator(engine, 9, clock=clock).steps(300)
    outbox = _outbox(engine)
    created = [no for _, event_type, no, _ in outbox if event_type == "created"]
    assert len(created) == len(set(created)), "dossier numbers must not clash across runs"
    earlier = {activity.dossier_no for activity in first}
    assert any(a.dossier_no in earlier and a.action is not Action.RECEIVE for a in second)
    with engine.connect() as conn:
        open_count = conn.execute(
            select(func.count()).select_from(dossiers_table)
            .where(dossiers_table.c.status.not_in([s.value for s in FINAL_STATUSES]))
        ).scalar_one()  # fmt: skip
    assert open_count > 0


async def test_run_stops_after_max_events_or_when_asked(engine: Engine) -> None:
    simulator = Simulator(engine, 4)
    assert await simulator.run(None, max_events=300) == 300
    assert len(_outbox(engine)) == 300 == simulator.counts.total()

    stop = asyncio.Event()
    paced = asyncio.create_task(simulator.run(40.0, stop=stop))
    await asyncio.sleep(0.5)
    stop.set()
    done = await asyncio.wait_for(paced, 5)
    assert 5 <= done <= 60, f"40 per second for half a second, not {done}"
    assert len(_outbox(engine)) == 300 + done
