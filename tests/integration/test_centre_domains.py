"""The centre keeps dossiers, land parcels, e-documents and their statuses, each from its own
topic, as an operator runs it: the session's broker, `lienthong streams worker` in a
subprocess, SQLite or PostgreSQL.

What the centre holds is compared with what the produced events say it must hold: per
entity the newest version (absent when that is a delete), per kind one history row for
each event accepted, the links between the kinds, and the dossiers' daily scores. Every
wait ends once the centre's own offsets reach the ends of what was produced, within 60 s.
"""

import random
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine, select

from lienthong.codec import SCHEMA_HEADER
from lienthong.events import (
    ChangeEvent,
    DocumentChange,
    DocumentStatusChange,
    DocumentStatusCode,
    Dossier,
    DossierChange,
    LandParcelChange,
    Operation,
    Organization,
)
from lienthong.ids import TopicName
from lienthong.settings import CentreSettings, Settings, TopicSettings
from lienthong.topics import bus_topics, ensure_topics
from streams.centre import (
    CENTRE_KINDS,
    DOCUMENT_KIND,
    DOSSIER_KIND,
    LAND_KIND,
    STATUS_KIND,
    EntityKind,
    ParcelChangeLink,
    documents_of_dossier,
    dossiers_of_parcel,
    parcels_of_dossier,
    read_daily_scores,
    read_document,
    read_dossier,
    read_history,
    read_kind_counts,
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
from tests.factories import AT, BUSINESS, CITIZEN, dossier_change
from tests.integration.test_streams_worker import Worker, centre_engine, running_worker
from tests.integration.worker_support import (
    Outgoing,
    Placed,
    end_offsets,
    offsets_reached,
    produce_records,
    read_to_end,
    sent,
    tombstone,
)

pytestmark = pytest.mark.integration

CREATE, UPDATE, DELETE = Operation.CREATE, Operation.UPDATE, Operation.DELETE
FINANCE_OFFICE = Organization(organ_id="000.00.20.H41", name="Sở Tài chính")

E = TypeVar("E", bound=ChangeEvent)
K = TypeVar("K", bound=Hashable)


# --- the events ---------------------------------------------------------------------------


def dossier(no: str, version: int, operation: Operation = UPDATE) -> DossierChange:
    applicant = BUSINESS if int(no[-1]) % 2 else CITIZEN
    return dossier_change(no, version, operation, applicant=applicant)


def finished(change: DossierChange, days: int) -> DossierChange:
    """`change` with its dossier finished `days` after submission (due after 15 days)."""
    assert change.after is not None
    done = change.after.model_copy(
        update={"status": "finished", "finished_at": AT + timedelta(days=days)}
    )
    return change.model_copy(update={"after": done})


def status(
    number: int, version: int, code: DocumentStatusCode, organ: Organization = LAND_OFFICE
) -> DocumentStatusChange:
    return status_change(number, version, code, organ=organ)


def dossier_events(i: int) -> list[DossierChange]:
    """Deleted (i % 4 == 0), deleted then created again (1), finished on time (2) or late (3)."""
    no = f"HS-{i:02}"
    opened = [dossier(no, 1, CREATE), dossier(no, 2)]
    match i % 4:
        case 0:
            return [*opened, dossier(no, 3), dossier(no, 4, DELETE)]
        case 1:
            return [*opened, dossier(no, 3, DELETE), dossier(no, 4, CREATE)]
        case 2:
            return [*opened, finished(dossier(no, 3), days=3)]
        case _:
            return [*opened, finished(dossier(no, 3), days=20)]


def parcel_events(k: int) -> list[LandParcelChange]:
    """Changed by dossier HS-k, then deleted (k % 3 == 0), changed by the next dossier (1),
    or changed by no dossier (2)."""
    parcel_id = f"04570-12-{100 + k}"
    cause = f"HS-{k:02}"
    opened = [parcel_change(parcel_id, 1, CREATE), parcel_change(parcel_id, 2, dossier_no=cause)]
    match k % 3:
        case 0:
            return [*opened, parcel_change(parcel_id, 3, DELETE, dossier_no=cause)]
        case 1:
            return [*opened, parcel_change(parcel_id, 3, dossier_no=f"HS-{k + 1:02}")]
        case _:
            return [*opened, parcel_change(parcel_id, 3)]


def document_events(n: int) -> list[DocumentChange]:
    """Answering HS-n, then HS-n and the next; then deleted (n % 3 == 0), answering only the
    next (1), or left as it was (2)."""
    first, second = f"HS-{n:02}", f"HS-{n + 1:02}"
    events = [
        document_change(n, 1, CREATE, dossier_nos=(first,)),
        document_change(n, 2, dossier_nos=(first, second)),
    ]
    match n % 3:
        case 0:
            events.append(document_change(n, 3, DELETE, dossier_nos=(first, second)))
        case 1:
            events.append(document_change(n, 3, dossier_nos=(second,)))
    return events


def status_events(n: int) -> list[list[DocumentStatusChange]]:
    """Two agencies answering document n, each its statuses in order."""
    land = [
        status(n, 1, DocumentStatusCode.ARRIVED_01),
        status(n, 2, DocumentStatusCode.PROCESSING_05),
        status(n, 3, DocumentStatusCode.DONE_06),
    ]
    finance = [
        status(n, 1, DocumentStatusCode.ARRIVED_01, FINANCE_OFFICE),
        status(n, 2, DocumentStatusCode.REJECTED_02, FINANCE_OFFICE),
    ]
    return [land[: 2 + n % 2], finance]


def on_the_wire(topics: TopicSettings, events: Sequence[ChangeEvent]) -> list[Outgoing]:
    """One entity's events as its source sends them: in order, a tombstone after a delete."""
    records = []
    for event in events:
        records.append(sent(topics, event))
        if event.envelope.operation == DELETE:
            records.append(tombstone(topics, event))
    return records


def interleave(streams: Iterable[list[Outgoing]], seed: int) -> list[Outgoing]:
    """The streams mixed at random, each stream's own order kept."""
    rng = random.Random(seed)
    queues = [list(stream) for stream in streams if stream]
    mixed = []
    while queues:
        queue = rng.choice(queues)
        mixed.append(queue.pop(0))
        if not queue:
            queues.remove(queue)
    return mixed


@dataclass(frozen=True)
class Workload:
    records: list[Outgoing]
    events: list[ChangeEvent]
    """The events the centre accepts, each once."""

    def waves(self, count: int) -> list[list[Outgoing]]:
        """The records in `count` consecutive slices: produced one after the other, each
        once the centre applied the one before, they put an entity's changes in different
        batches (a delete applied to a row written earlier, not only collapsed with it)."""
        size = -(-len(self.records) // count)
        return [self.records[at : at + size] for at in range(0, len(self.records), size)]


def mixed_workload(topics: TopicSettings) -> Workload:
    """12 dossiers, 9 parcels, 8 documents and their statuses: about 150 records."""
    entities: list[Sequence[ChangeEvent]] = [
        *(dossier_events(i) for i in range(12)),
        *(parcel_events(k) for k in range(9)),
        *(document_events(n) for n in range(1, 9)),
        *(by_agency for n in range(1, 9) for by_agency in status_events(n)),
    ]
    records = interleave((on_the_wire(topics, events) for events in entities), seed=20250812)
    return Workload(records, [event for events in entities for event in events])


# --- what the centre must hold --------------------------------------------------------------


def newest(events: Iterable[E], key: Callable[[E], K]) -> dict[K, E]:
    """Per key, the event with the highest entity_version (the later one on a tie)."""
    latest: dict[K, E] = {}
    for event in events:
        held = latest.get(key(event))
        if held is None or event.envelope.entity_version >= held.envelope.entity_version:
            latest[key(event)] = event
    return latest


def entity_key(event: ChangeEvent) -> tuple[str, ...]:
    if isinstance(event, DocumentStatusChange):
        return (event.status.response_for.document_id, event.status.from_organization.organ_id)
    return (event.envelope.entity_key,)


@dataclass(frozen=True)
class Expected:
    """What the centre must hold once it accepted `events`, in whatever order."""

    events: Sequence[ChangeEvent]

    def of(self, model: type[E]) -> list[E]:
        return [event for event in self.events if isinstance(event, model)]

    def latest(self, model: type[E]) -> dict[tuple[str, ...], E]:
        return newest(self.of(model), entity_key)

    def live(self, model: type[E]) -> dict[tuple[str, ...], E]:
        return {k: e for k, e in self.latest(model).items() if e.envelope.operation != DELETE}

    def live_and_history(self, kind: EntityKind[Any]) -> tuple[int, int]:
        """How many entities of `kind` are held, and how many events it accepted."""
        events = self.of(kind.model)
        return len(self.live(kind.model)), len({e.envelope.event_id for e in events})

    def deletions(self, kind: EntityKind[Any]) -> set[tuple[tuple[str, ...], int, str]]:
        """(key, version, event id) of every DELETE of `kind`."""
        return {
            (entity_key(e), e.envelope.entity_version, str(e.envelope.event_id))
            for e in self.of(kind.model)
            if e.envelope.operation == DELETE
        }

    def deleted_now(self, kind: EntityKind[Any]) -> set[tuple[tuple[str, ...], int, str]]:
        """(key, version, event id) of the entities of `kind` whose newest event is a DELETE."""
        return {
            (key, e.envelope.entity_version, str(e.envelope.event_id))
            for key, e in self.latest(kind.model).items()
            if e.envelope.operation == DELETE
        }

    def links(self) -> list[ParcelChangeLink]:
        """Every accepted land change naming a dossier, by parcel then version."""
        links = [
            ParcelChangeLink(
                e.envelope.entity_key,
                e.after.dossier_no,
                e.envelope.entity_version,
                e.envelope.operation,
                e.envelope.occurred_at,
            )
            for e in self.of(LandParcelChange)
            if e.after is not None and e.after.dossier_no
        ]
        return sorted(links, key=lambda link: (link.parcel_id, link.entity_version))

    def documents_of(self, dossier_no: str) -> list[str]:
        return sorted(
            e.envelope.entity_key
            for e in self.live(DocumentChange).values()
            if e.after is not None and dossier_no in e.after.dossier_nos
        )

    def dossier_nos(self) -> set[str]:
        """Every dossier number the events name, whether or not the dossier is held."""
        named = {e.envelope.entity_key for e in self.of(DossierChange)}
        named |= {link.dossier_no for link in self.links()}
        for document in self.of(DocumentChange):
            held = document.after or document.before
            named |= set(held.dossier_nos if held else ())
        return named


def after_or_none(event: DossierChange | LandParcelChange | DocumentChange) -> Any:
    return None if event.envelope.operation == DELETE else event.after


def current_event_ids(engine: Engine, kind: EntityKind[Any]) -> dict[tuple[str, ...], str]:
    """The event behind each current row of `kind`, by the row's key."""
    table = kind.current
    query = select(*(table.c[c] for c in kind.key_columns), table.c.event_id)
    with engine.connect() as conn:
        return {tuple(row[:-1]): row[-1] for row in conn.execute(query)}


def assert_centre_holds(engine: Engine, expected: Expected) -> None:
    """Each entity as its newest event left it, nothing else, and the per-kind counts."""
    for (no,), last in expected.latest(DossierChange).items():
        assert read_dossier(engine, no) == after_or_none(last), no
    for (parcel_id,), parcel in expected.latest(LandParcelChange).items():
        assert read_parcel(engine, parcel_id) == after_or_none(parcel), parcel_id
    for (document,), last_document in expected.latest(DocumentChange).items():
        assert read_document(engine, document) == after_or_none(last_document), document
    statuses = expected.live(DocumentStatusChange)
    for document in {document for document, _ in statuses}:
        held = {organ: e.status for (d, organ), e in statuses.items() if d == document}
        assert read_statuses(engine, document) == held, document
    for kind in CENTRE_KINDS:
        live = expected.live(kind.model)
        assert current_event_ids(engine, kind) == {
            key: str(e.envelope.event_id) for key, e in live.items()
        }, kind.name
    counts = read_kind_counts(engine)
    assert {name: (c.live, c.history) for name, c in counts.items()} == {
        kind.name: expected.live_and_history(kind) for kind in CENTRE_KINDS
    }
    for kind in (DOSSIER_KIND, LAND_KIND, DOCUMENT_KIND):
        markers = deletion_markers(engine, kind)
        # An entity deleted now keeps the marker of that delete (an older create replayed
        # later cannot bring it back). Whether a delete followed by a newer create in the
        # same batch leaves a marker depends on the batch boundaries: only bounds hold.
        assert expected.deleted_now(kind) <= markers <= expected.deletions(kind), kind.name


def deletion_markers(
    engine: Engine, kind: EntityKind[Any]
) -> set[tuple[tuple[str, ...], int, str]]:
    table = kind.deleted
    assert table is not None
    query = select(
        *(table.c[c] for c in kind.key_columns), table.c.entity_version, table.c.event_id
    )
    with engine.connect() as conn:
        return {(tuple(row[:-2]), row[-2], row[-1]) for row in conn.execute(query)}


def assert_links(engine: Engine, expected: Expected) -> None:
    """Which dossiers changed each parcel, which parcels each dossier changed, which
    documents answer each dossier now."""
    links = expected.links()
    assert links, "the events name no dossier: the links would prove nothing"
    for parcel_id in {e.envelope.entity_key for e in expected.of(LandParcelChange)}:
        wanted = [link for link in links if link.parcel_id == parcel_id]
        assert dossiers_of_parcel(engine, parcel_id) == wanted, parcel_id
    answered = 0
    for no in sorted(expected.dossier_nos()):
        assert parcels_of_dossier(engine, no) == [link for link in links if link.dossier_no == no]
        assert documents_of_dossier(engine, no) == expected.documents_of(no), no
        answered += bool(expected.documents_of(no))
    assert answered, "no document answers a dossier: the links would prove nothing"


def is_late(dossier: Dossier) -> bool:
    due, finished = dossier.extended_due_at or dossier.due_at, dossier.finished_at
    return finished is not None and due is not None and finished > due


def assert_daily_totals(engine: Engine, expected: Expected) -> None:
    """Over all days and groups: the held dossiers received, resolved, on time and late."""
    held = [e.after for e in expected.live(DossierChange).values() if e.after is not None]
    resolved = [d for d in held if d.finished_at is not None]
    late = [d for d in resolved if is_late(d)]
    scores = read_daily_scores(engine)
    assert (
        sum(s.received for s in scores),
        sum(s.resolved for s in scores),
        sum(s.resolved_on_time for s in scores),
        sum(s.resolved_late for s in scores),
    ) == (
        sum(d.received_at is not None for d in held),
        len(resolved),
        len(resolved) - len(late),
        len(late),
    )
    assert late and len(late) < len(resolved), "the workload finishes some late, some on time"


# --- the worker -----------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def settings(request: pytest.FixtureRequest, bus_settings: Settings) -> Settings:
    chosen = bus_settings
    if request.param == "postgresql":
        dsn = request.getfixturevalue("postgres_dsn")
        chosen = bus_settings.model_copy(update={"centre": CentreSettings(dsn=dsn)})
    await ensure_topics(chosen, bus_topics(chosen))
    return chosen


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "worker.log"


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
