"""The land register simulator makes believable activity: reproducible with a seed, splits and
merges that keep areas and record where parcels came from, soft deletes, Vietnamese text,
a share of parcels under the 2004 commune codes, and rows the polling kind reads as valid
land parcel changes."""

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.pool import StaticPool

from connectors.building import EventBuilder
from connectors.contract import Change, Domain
from connectors.land import (
    PARCELS_QUERY,
    LandAction,
    LandSimulator,
    ParcelRecord,
    StaleParcelError,
    change_parcels,
    ensure_land_schema,
    latest_parcels,
    parcels_options,
    parcels_table,
)
from connectors.polling.dialects import dialect_for
from connectors.polling.entity import entity_shape
from connectors.polling.options import PollingOptions
from connectors.polling.rows import RowMapper
from connectors.spec import ConnectorSpec
from lienthong.events import AdminCodeList, LandHolderKind, LandParcelChange, Operation
from lienthong.settings import TopicSettings
from tests.unit.json_encoder import JsonEncoder


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = memory_engine()
    yield engine
    engine.dispose()


def memory_engine() -> Engine:
    engine = create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    ensure_land_schema(engine)
    return engine


class Clock:
    """Five minutes per change from a Monday morning, so runs are reproducible."""

    def __init__(self) -> None:
        self.now = datetime(2025, 8, 11, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=5)
        return self.now


def all_rows(engine: Engine) -> list[ParcelRecord]:
    with engine.connect() as conn:
        rows = conn.execute(select(parcels_table).order_by(parcels_table.c.id)).mappings()
        return [ParcelRecord.from_row(row) for row in rows]


@pytest.fixture(scope="module")
def busy_register() -> Iterator[tuple[Engine, list[Any]]]:
    engine = memory_engine()
    activities = LandSimulator(engine, 5, clock=Clock()).steps(600)
    yield engine, activities
    engine.dispose()


def test_the_same_seed_gives_the_same_register() -> None:
    first, second = memory_engine(), memory_engine()
    try:
        one = LandSimulator(first, 11, clock=Clock()).steps(120)
        two = LandSimulator(second, 11, clock=Clock()).steps(120)
        assert [a.action for a in one] == [a.action for a in two]
        assert all_rows(first) == all_rows(second)
    finally:
        first.dispose()
        second.dispose()


def test_every_kind_of_change_happens(busy_register: tuple[Engine, list[Any]]) -> None:
    _, activities = busy_register
    counts = Counter(activity.action for activity in activities)
    assert set(counts) == set(LandAction), counts
    assert counts[LandAction.REGISTER] > counts[LandAction.DELETE]


def test_splits_and_merges_keep_the_area_and_name_the_old_parcels(
    busy_register: tuple[Engine, list[Any]],
) -> None:
    _, activities = busy_register
    for activity in activities:
        if activity.action not in (LandAction.SPLIT, LandAction.MERGE):
            continue
        closed = [r for r in activity.written if not r.is_latest]
        new = [r for r in activity.written if r.is_latest]
        assert closed and new
        assert sum(r.area_m2 for r in closed) == sum(r.area_m2 for r in new)
        for record in new:
            assert {p.parcel_no for p in record.previous_parcels} == {r.parcel_no for r in closed}
            assert record.map_sheet_no == closed[0].map_sheet_no
            assert record.parcel_no not in {r.parcel_no for r in closed}
        if activity.action is LandAction.MERGE:
            assert len(closed) == 2 and len(new) == 1
        else:
            assert len(closed) == 1 and len(new) in (2, 3)


def test_parcels_in_force_have_unique_numbers_and_uses_that_add_up(
    busy_register: tuple[Engine, list[Any]],
) -> None:
    engine, _ = busy_register
    parcels = latest_parcels(engine)
    places = Counter((p.code_list, p.commune_code, p.map_sheet_no, p.parcel_no) for p in parcels)
    assert places.most_common(1)[0][1] == 1, "one parcel in force per sheet and number"
    for parcel in parcels:
        assert sum(use.area_m2 for use in parcel.land_uses) == parcel.area_m2
        assert parcel.holders and not parcel.deleted


def test_soft_deletes_keep_the_row_with_its_version_raised(
    busy_register: tuple[Engine, list[Any]],
) -> None:
    engine, activities = busy_register
    deleted = [a.written[0] for a in activities if a.action is LandAction.DELETE]
    stored = {r.parcel_id: r for r in all_rows(engine)}
    for record in deleted:
        assert stored[record.parcel_id].deleted
        assert stored[record.parcel_id].row_version >= 2
    assert not {r.parcel_id for r in deleted} & {p.parcel_id for p in latest_parcels(engine)}


def test_text_is_vietnamese_and_identifiers_look_real(
    busy_register: tuple[Engine, list[Any]],
) -> None:
    engine, _ = busy_register
    rows = all_rows(engine)
    legacy = [r for r in rows if r.code_list is AdminCodeList.VN2004]
    assert 0.04 < len(legacy) / len(rows) < 0.18, "about one parcel in ten keeps 2004 codes"
    assert all("thành phố Vinh" in (r.address or "") for r in legacy)
    assert any("ư" in h.name or "ễ" in h.name for r in rows for h in r.holders)
    certificates = [r.certificate for r in rows if r.certificate is not None]
    assert all(re.fullmatch(r"[A-Z]{2} \d{6}", c.serial_no) for c in certificates)
    individuals = [h for r in rows for h in r.holders if h.kind is LandHolderKind.INDIVIDUAL]
    assert all(re.fullmatch(r"0\d{11}", h.id_number or "") for h in individuals)
    assert all(re.fullmatch(r"H41\.05-\d{6}-\d{6}", r.dossier_no or "") for r in rows)


def test_every_row_reads_as_a_valid_land_parcel_change(
    busy_register: tuple[Engine, list[Any]],
) -> None:
    engine, _ = busy_register
    options = PollingOptions.model_validate(parcels_options("sqlite://"))
    sqlite = dialect_for("sqlite")
    mapper = RowMapper(
        Domain.LAND_PARCELS, options, entity_shape(Domain.LAND_PARCELS), sqlite.timestamp_of
    )
    spec = ConnectorSpec(
        name="land",
        kind="polling",
        agency="000.00.15.H41",
        system="vbdlis",
        domains=("land_parcels",),
    )
    builder = EventBuilder(spec, TopicSettings(), {Domain.LAND_PARCELS: JsonEncoder()})
    with engine.connect() as conn:
        result = conn.execute(text(PARCELS_QUERY))
        mapper.check_columns(result.keys())
        changes = [mapper.item(row._mapping) for row in result]
    operations: Counter[Operation] = Counter()
    for change in changes:
        assert isinstance(change, Change)
        event = builder.event(change, datetime.now(UTC))
        assert isinstance(event, LandParcelChange)
        state = event.before if change.operation is Operation.DELETE else event.after
        assert state is not None and state.version == event.envelope.entity_version
        operations[change.operation] += 1
    assert operations[Operation.DELETE] > 0 and operations[Operation.UPDATE] > 0


def test_a_change_to_a_parcel_changed_meanwhile_is_refused(engine: Engine) -> None:
    LandSimulator(engine, 3, clock=Clock()).steps(5)
    parcel = latest_parcels(engine)[0]
    newer = parcel.next_version(area_m2=Decimal("99.00"))
    stale = replace(parcel.next_version(), address="Xóm 9")
    with engine.begin() as conn:
        change_parcels(conn, [newer])
    with pytest.raises(StaleParcelError), engine.begin() as conn:
        change_parcels(conn, [stale])
    assert latest_parcels(engine)[0].area_m2 == Decimal("99.00")


async def test_a_run_stops_after_the_number_of_changes_asked(engine: Engine) -> None:
    simulator = LandSimulator(engine, 4)
    assert await simulator.run(None, max_events=30) == 30
    assert sum(simulator.counts.values()) == 30


def test_a_simulator_continues_a_register_it_did_not_start(engine: Engine) -> None:
    LandSimulator(engine, 1, clock=Clock()).steps(80)
    LandSimulator(engine, 2, clock=Clock()).steps(80)
    places = Counter(
        (p.code_list, p.commune_code, p.map_sheet_no, p.parcel_no) for p in all_rows(engine)
    )
    assert places.most_common(1)[0][1] == 1, "new parcels never reuse a number"


def test_a_second_run_with_the_same_seed_adds_parcels_of_its_own(engine: Engine) -> None:
    first = LandSimulator(engine, 7, clock=Clock()).steps(40)
    again = LandSimulator(engine, 7, clock=Clock()).steps(40)

    ids_first = {r.parcel_id for a in first for r in a.written}
    ids_again = {r.parcel_id for a in again for r in a.written if r.row_version == 1}
    assert ids_again and not ids_again & ids_first, "a rerun of the demo must not reuse ids"
