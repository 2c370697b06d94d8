"""The workload of the centre-domain tests: changes of every kind, interleaved on their
topics, and what the centre must hold once it applied them."""

import random
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine, select

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
from lienthong.settings import TopicSettings
from streams.centre import (
    CENTRE_KINDS,
    DOCUMENT_KIND,
    DOSSIER_KIND,
    LAND_KIND,
    EntityKind,
    ParcelChangeLink,
    documents_of_dossier,
    dossiers_of_parcel,
    parcels_of_dossier,
    read_daily_scores,
    read_document,
    read_dossier,
    read_kind_counts,
    read_parcel,
    read_statuses,
)
from tests.domain_factories import (
    LAND_OFFICE,
    document_change,
    parcel_change,
    status_change,
)
from tests.factories import AT, BUSINESS, CITIZEN, dossier_change
from tests.integration.worker_support import (
    Outgoing,
    sent,
    tombstone,
)

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
