"""The centre keeps dossiers, land parcels, e-documents and their statuses, each from its own
topic, as an operator runs it: the session's broker, `lienthong streams worker` in a
subprocess, SQLite or PostgreSQL.

What the centre holds is compared with what the produced events say it must hold: per
entity the newest version (absent when that is a delete), per kind one history row for
each event accepted, the links between the kinds, and the dossiers' daily scores. Every
wait ends once the centre's own offsets reach the ends of what was produced, within 60 s.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from lienthong.codec import SCHEMA_HEADER
from lienthong.events import (
    ChangeEvent,
    DocumentStatusChange,
    DocumentStatusCode,
)
from lienthong.ids import TopicName
from lienthong.settings import Settings, TopicSettings
from streams.centre import (
    CENTRE_KINDS,
    DOCUMENT_KIND,
    DOSSIER_KIND,
    LAND_KIND,
    STATUS_KIND,
    EntityKind,
    documents_of_dossier,
    dossiers_of_parcel,
    read_daily_scores,
    read_document,
    read_dossier,
    read_history,
    read_parcel,
    read_statuses,
)
from streams.centre.document_kind import DOCUMENT_DOSSIERS
from streams.centre.land_kind import PARCEL_DOSSIERS
from streams.centre.scores import DAILY_SCORES
from tests.conftest import free_port
from tests.domain_factories import (
    LAND_OFFICE,
    document_change,
    document_id,
    parcel_change,
    status_change,
)
from tests.integration.centre_workload import (
    CREATE,
    DELETE,
    UPDATE,
    Expected,
    assert_centre_holds,
    assert_daily_totals,
    assert_links,
    dossier,
    mixed_workload,
    on_the_wire,
    status,
)
from tests.integration.test_streams_worker import Worker, centre_engine, running_worker
from tests.integration.worker_support import (
    Outgoing,
    Placed,
    end_offsets,
    offsets_reached,
    produce_records,
    read_to_end,
    sent,
)

pytestmark = pytest.mark.integration

# --- the worker -----------------------------------------------------------------------------


@pytest.fixture
def settings(centre_bus: Settings) -> Settings:
    return centre_bus


async def produce_and_apply(
    worker: Worker, engine: Engine, settings: Settings, records: Sequence[Outgoing]
) -> list[Placed]:
    """Produce `records` and wait until the centre's offsets cover every one of them."""
    placed = await produce_records(settings, records)
    ends = end_offsets(placed)
    applied = offsets_reached(engine, settings.streams.app_id, ends)
    await worker.wait_for(f"the centre's offsets to reach {ends}", applied)
    return placed


def topics_on_several_partitions(placed: Sequence[Placed]) -> set[TopicName]:
    spread: dict[TopicName, set[int]] = {}
    for p in placed:
        spread.setdefault(p.outgoing.topic, set()).add(p.partition)
    return {topic for topic, partitions in spread.items() if len(partitions) > 1}


# --- the tests ------------------------------------------------------------------------------


async def test_a_mixed_workload_leaves_the_newest_version_of_every_entity(
    settings: Settings, log_path: Path
) -> None:
    workload = mixed_workload(settings.topics)
    expected = Expected(workload.events)
    with running_worker(settings, log_path) as worker:
        async with centre_engine(settings) as engine:
            placed = []
            for wave in workload.waves(3):
                placed += await produce_and_apply(worker, engine, settings, wave)
            assert topics_on_several_partitions(placed) == set(settings.topics.centre_sources)

            assert_centre_holds(engine, expected)
            assert_links(engine, expected)
            assert_daily_totals(engine, expected)


async def test_an_older_version_arriving_late_is_history_not_state(
    settings: Settings, log_path: Path
) -> None:
    topics = settings.topics
    held = dossier("HS-01", 3)
    done = status(1, 3, DocumentStatusCode.DONE_06)
    newer: list[ChangeEvent] = [
        held,
        dossier("HS-02", 2, DELETE),
        parcel_change("04570-12-101", 3, dossier_no="HS-NEW"),
        parcel_change("04570-12-102", 2, DELETE),
        document_change(1, 3, dossier_nos=("HS-NEW",)),
        document_change(2, 2, DELETE, dossier_nos=("HS-NEW",)),
        done,
    ]
    older: list[ChangeEvent] = [
        dossier("HS-01", 2),
        dossier("HS-02", 1, CREATE),
        parcel_change("04570-12-101", 2, dossier_no="HS-OLD"),
        parcel_change("04570-12-102", 1, CREATE),
        document_change(1, 2, dossier_nos=("HS-OLD",)),
        document_change(2, 1, CREATE, dossier_nos=("HS-OLD",)),
        status(1, 2, DocumentStatusCode.PROCESSING_05),
    ]
    expected = Expected([*newer, *older])
    with running_worker(settings, log_path) as worker:
        async with centre_engine(settings) as engine:
            # The older versions come in a later batch: the store, not the batch, ignores them.
            await produce_and_apply(worker, engine, settings, on_the_wire(topics, newer))
            await produce_and_apply(worker, engine, settings, on_the_wire(topics, older))

            assert read_dossier(engine, "HS-01") == held.after
            assert read_dossier(engine, "HS-02") is None
            assert read_parcel(engine, "04570-12-102") is None
            assert read_document(engine, document_id(2)) is None
            assert read_statuses(engine, document_id(1)) == {LAND_OFFICE.organ_id: done.status}
            assert_centre_holds(engine, expected)

            assert [e.entity_version for e in read_history(engine, "HS-01")] == [2, 3]
            for kind in (DOSSIER_KIND, LAND_KIND, DOCUMENT_KIND, STATUS_KIND):
                assert history_event_ids(engine, kind) == {
                    str(e.envelope.event_id) for e in expected.of(kind.model)
                }, kind.name
            # Both changes of the parcel happened: each keeps the dossier behind it.
            links = dossiers_of_parcel(engine, "04570-12-101")
            assert [(link.entity_version, link.dossier_no) for link in links] == [
                (2, "HS-OLD"),
                (3, "HS-NEW"),
            ]
            # Only what a document holds now links it to a dossier.
            assert documents_of_dossier(engine, "HS-OLD") == []
            assert documents_of_dossier(engine, "HS-NEW") == [document_id(1)]


def history_event_ids(engine: Engine, kind: EntityKind[Any]) -> set[str]:
    with engine.connect() as conn:
        return set(conn.scalars(select(kind.history.c.event_id)))


def centre_snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the current, history, link and daily-score tables, and the deletion
    markers of the entities deleted now.

    The current rows leave out `synced_at`: re-applying the version a row already holds
    writes the row again, and synced_at says when the centre last wrote it. The markers of
    entities created again after their delete are left out: whether they exist depends on
    the batch boundaries (see assert_centre_holds), and the newer row makes them inert.
    """
    snapshot = {}
    with engine.connect() as conn:
        for kind in CENTRE_KINDS:
            current = kind.current
            columns = [c for c in current.columns if c.name != "synced_at"]
            snapshot[current.name] = sorted(tuple(r) for r in conn.execute(select(*columns)))
            if (deleted := kind.deleted) is not None:
                same_key = [current.c[k] == deleted.c[k] for k in kind.key_columns]
                held = select(current).where(*same_key).exists()
                markers = conn.execute(select(deleted).where(~held))
                snapshot[deleted.name] = sorted(tuple(r) for r in markers)
        derived = (PARCEL_DOSSIERS, DOCUMENT_DOSSIERS, DAILY_SCORES)
        for table in (*(kind.history for kind in CENTRE_KINDS), *derived):
            snapshot[table.name] = sorted(tuple(r) for r in conn.execute(select(table)))
    return snapshot


async def test_replaying_every_topic_from_the_start_changes_nothing(
    settings: Settings, log_path: Path
) -> None:
    workload = mixed_workload(settings.topics)
    async with centre_engine(settings) as engine:
        with running_worker(settings, log_path) as worker:
            placed = []
            for wave in workload.waves(3):
                placed += await produce_and_apply(worker, engine, settings, wave)
        before = centre_snapshot(engine)
        scores = read_daily_scores(engine)
        assert scores and all(before.values()), "an empty table would prove nothing"

        # A new consumer group: no offsets in Kafka nor in the centre, so every partition
        # of every topic is read again from its first record into the same store.
        replay = settings.streams.model_copy(
            update={"app_id": f"{settings.streams.app_id}-replay", "web_port": free_port()}
        )
        replaying = settings.model_copy(update={"streams": replay})
        with running_worker(replaying, log_path) as worker:
            applied = offsets_reached(engine, replay.app_id, end_offsets(placed))
            await worker.wait_for("the replay to reach the end of every topic", applied)

        assert centre_snapshot(engine) == before
        assert read_daily_scores(engine) == scores
        expected = Expected(workload.events)
        assert_centre_holds(engine, expected)
        assert_links(engine, expected)


@dataclass(frozen=True)
class Poison:
    record: Outgoing
    stage: str
    exception_class: str
    reason: str
    """A part of the message the dead letter must carry."""


GARBAGE = b"\x02not an event"
WIRE_FORMAT_ERROR = "lienthong.serde.errors.WireFormatError"
DEAD_LETTER_ERROR = "lienthong.errors.DeadLetterError"


def garbage(topics: TopicSettings, like: ChangeEvent) -> Poison:
    """Bytes in no wire format, under the key and schema header of `like`'s entity."""
    record = sent(topics, like, value=GARBAGE)
    return Poison(record, "VALUE_CONVERTER", WIRE_FORMAT_ERROR, "magic byte")


def wrong_key(topics: TopicSettings, event: ChangeEvent) -> Poison:
    """A well-formed event under a record key that is not its entity's."""
    key = f"{event.envelope.entity_key}-WRONG"
    reason = f"entity_key {event.envelope.entity_key!r} differs from record key {key!r}"
    return Poison(sent(topics, event, key=key), "TRANSFORMATION", DEAD_LETTER_ERROR, reason)


def amended_status(topics: TopicSettings, event: DocumentStatusChange) -> Poison:
    """A status DELETE or UPDATE: a status is a fact, never changed once reported."""
    reason = f"{event.envelope.operation.value} cannot be applied, only CREATE"
    return Poison(sent(topics, event), "TRANSFORMATION", DEAD_LETTER_ERROR, reason)


async def test_poison_on_each_topic_goes_to_its_dead_letters_and_the_rest_applies(
    settings: Settings, log_path: Path
) -> None:
    topics = settings.topics
    good: list[ChangeEvent] = []
    records: list[Outgoing] = []
    poisons: list[Poison] = []

    def then(*items: ChangeEvent | Poison) -> None:
        for item in items:
            if isinstance(item, Poison):
                poisons.append(item)
                records.append(item.record)
            else:
                good.append(item)
                records.extend(on_the_wire(topics, [item]))

    # Each poison sits between good events of the same entity (same partition), and would
    # show in the centre if it were applied: a wrong-key event carries the highest version.
    then(dossier("HS-01", 1, CREATE), garbage(topics, dossier("HS-01", 2)), dossier("HS-01", 2))
    then(wrong_key(topics, dossier("HS-01", 9)), dossier("HS-01", 3))
    parcel = "04570-12-101"
    then(parcel_change(parcel, 1, CREATE), garbage(topics, parcel_change(parcel, 2)))
    then(parcel_change(parcel, 2, dossier_no="HS-01"), wrong_key(topics, parcel_change(parcel, 9)))
    then(parcel_change(parcel, 3, DELETE, dossier_no="HS-01"))
    then(
        document_change(1, 1, CREATE, dossier_nos=("HS-01",)),
        garbage(topics, document_change(1, 2)),
    )
    then(document_change(1, 2, dossier_nos=("HS-01",)), wrong_key(topics, document_change(1, 9)))
    then(document_change(1, 3, dossier_nos=("HS-01", "HS-02")))
    reported = status(1, 1, DocumentStatusCode.ARRIVED_01)
    then(reported, garbage(topics, reported), status(1, 2, DocumentStatusCode.PROCESSING_05))
    deleting = status_change(1, 8, operation=DELETE)
    updating = status_change(1, 9, DocumentStatusCode.DONE_06, operation=UPDATE)
    then(amended_status(topics, deleting), amended_status(topics, updating))
    then(wrong_key(topics, status(1, 9, DocumentStatusCode.REJECTED_02)))
    then(status(1, 3, DocumentStatusCode.DONE_06))

    with running_worker(settings, log_path) as worker:
        async with centre_engine(settings) as engine:
            placed = await produce_and_apply(worker, engine, settings, records)

            expected = Expected(good)
            assert_centre_holds(engine, expected)
            assert documents_of_dossier(engine, "HS-02") == [document_id(1)]

        sent_poison = [
            (poison, p) for p in placed for poison in poisons if p.outgoing is poison.record
        ]
        for topic in topics.centre_sources:
            on_topic = [(poison, p) for poison, p in sent_poison if p.outgoing.topic == topic]
            await assert_dead_lettered(settings, topic, on_topic)


async def assert_dead_lettered(
    settings: Settings, topic: TopicName, poisons: Sequence[tuple[Poison, Placed]]
) -> None:
    """`topic`'s dead-letter topic holds exactly the poison sent to it, each as sent, with
    where it came from and why it was refused."""
    letters = await read_to_end(settings, settings.topics.dead_letter(topic))
    found = {}
    for letter in letters:
        headers = {name: value.decode() for name, value in letter.headers}
        origin = (
            headers["__connect.errors.topic"],
            int(headers["__connect.errors.partition"]),
            int(headers["__connect.errors.offset"]),
        )
        found[origin] = (letter.key, letter.value, headers)
    wanted = {(topic, p.partition, p.offset): (poison, p) for poison, p in poisons}
    assert len(letters) == len(wanted) and found.keys() == wanted.keys(), topic
    for origin, (poison, placed) in wanted.items():
        key, value, headers = found[origin]
        assert (key, value) == (poison.record.key, placed.value), origin
        assert headers["__connect.errors.connector.name"] == settings.streams.app_id
        assert headers["__connect.errors.stage"] == poison.stage, origin
        assert headers["__connect.errors.exception.class.name"] == poison.exception_class
        assert poison.reason in headers["__connect.errors.exception.message"], origin
        assert headers[SCHEMA_HEADER] == poison.record.record_name
