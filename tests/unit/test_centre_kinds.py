"""Land parcels, e-documents and their statuses in the centre: the same guarantees as
dossiers (never backwards, deletes stick, history once per event) and the links between
kinds. Runs on SQLite, and on PostgreSQL when LIENTHONG_TEST_PG_DSN is set."""

from decimal import Decimal

from sqlalchemy import select

from lienthong.events import ChangeEvent, DocumentStatusCode, Operation
from lienthong.ids import TopicName
from streams.centre import (
    CentreSink,
    documents_of_dossier,
    dossiers_of_parcel,
    parcels_of_dossier,
    read_document,
    read_kind_counts,
    read_parcel,
    read_statuses,
)
from streams.centre.land_kind import LAND_PARCELS
from tests.domain_factories import (
    PROVINCE_OFFICE,
    document_change,
    document_id,
    parcel_change,
    status_change,
)

LAND = TopicName("land.parcels")
DOCUMENTS = TopicName("edoc.documents")
STATUSES = TopicName("edoc.statuses")


async def write(sink: CentreSink, topic: TopicName, *changes: ChangeEvent) -> None:
    """Add the changes as the next records of partition 0 of `topic`, then flush."""
    start = (await sink.stored_offsets(topic)).get(0, 0)
    for offset, one in enumerate(changes, start):
        sink.add(one, topic, 0, offset)
    await sink.flush()


async def test_a_parcel_is_kept_exactly_and_never_goes_backwards(sink: CentreSink) -> None:
    created, updated = parcel_change("TD-1", 1, Operation.CREATE), parcel_change("TD-1", 3)
    await write(sink, LAND, created, updated, parcel_change("TD-1", 2))
    held = read_parcel(sink.engine, "TD-1")
    assert held == updated.after
    assert held is not None and held.area_m2 == Decimal("353.50")  # exact, not a float
    assert read_kind_counts(sink.engine)["land_parcels"].history == 3


async def test_a_deleted_parcel_stays_deleted_when_an_older_version_is_replayed(
    sink: CentreSink,
) -> None:
    await write(sink, LAND, parcel_change("TD-1", 1, Operation.CREATE))
    await write(sink, LAND, parcel_change("TD-1", 2, Operation.DELETE))
    await write(sink, LAND, parcel_change("TD-1", 1, Operation.CREATE))
    assert read_parcel(sink.engine, "TD-1") is None
    counts = read_kind_counts(sink.engine)["land_parcels"]
    assert (counts.live, counts.deleted, counts.history) == (0, 1, 3)


async def test_which_dossier_changed_a_parcel_is_kept_for_every_change(sink: CentreSink) -> None:
    first = parcel_change("TD-1", 1, Operation.CREATE, dossier_no="HS-A")
    second = parcel_change("TD-1", 2, dossier_no="HS-B")
    unlinked = parcel_change("TD-1", 3)
    await write(sink, LAND, first, second, unlinked, parcel_change("TD-2", 1, dossier_no="HS-B"))
    await write(sink, LAND, first, second)  # delivered again: no second link
    links = dossiers_of_parcel(sink.engine, "TD-1")
    assert [(link.dossier_no, link.entity_version) for link in links] == [("HS-A", 1), ("HS-B", 2)]
    by_b = parcels_of_dossier(sink.engine, "HS-B")
    assert [(link.parcel_id, link.entity_version) for link in by_b] == [("TD-1", 2), ("TD-2", 1)]


async def test_documents_of_a_dossier_follow_the_current_documents(sink: CentreSink) -> None:
    await write(
        sink,
        DOCUMENTS,
        document_change(1, 1, Operation.CREATE, dossier_nos=("HS-A", "HS-B")),
        document_change(2, 1, Operation.CREATE, dossier_nos=("HS-A",)),
    )
    assert documents_of_dossier(sink.engine, "HS-A") == [document_id(1), document_id(2)]
    await write(sink, DOCUMENTS, document_change(1, 2, dossier_nos=("HS-B",)))
    assert documents_of_dossier(sink.engine, "HS-A") == [document_id(2)]
    assert documents_of_dossier(sink.engine, "HS-B") == [document_id(1)]
    # an older version arriving late neither changes the document nor brings the link back
    await write(sink, DOCUMENTS, document_change(1, 1, dossier_nos=("HS-A", "HS-B")))
    assert documents_of_dossier(sink.engine, "HS-A") == [document_id(2)]
    await write(sink, DOCUMENTS, document_change(2, 2, Operation.DELETE, dossier_nos=("HS-A",)))
    assert documents_of_dossier(sink.engine, "HS-A") == []
    assert read_document(sink.engine, document_id(2)) is None
    kept = read_document(sink.engine, document_id(1))
    assert kept is not None and kept.dossier_nos == ("HS-B",)


async def test_the_latest_status_of_each_agency_is_current_and_all_are_history(
    sink: CentreSink,
) -> None:
    arrived = status_change(7, 1, DocumentStatusCode.ARRIVED_01)
    done = status_change(7, 3, DocumentStatusCode.DONE_06)
    processing = status_change(7, 2, DocumentStatusCode.PROCESSING_05)  # late: older
    other = status_change(7, 4, DocumentStatusCode.ACCEPTED_03, organ=PROVINCE_OFFICE)
    await write(sink, STATUSES, arrived, done)
    await write(sink, STATUSES, processing, other)
    statuses = read_statuses(sink.engine, document_id(7))
    assert statuses == {
        done.status.from_organization.organ_id: done.status,
        PROVINCE_OFFICE.organ_id: other.status,
    }
    assert read_kind_counts(sink.engine)["document_statuses"].history == 4


async def test_one_batch_of_every_kind_is_one_transaction(sink: CentreSink) -> None:
    sink.add(parcel_change("TD-1", 1, Operation.CREATE), LAND, 0, 0)
    sink.add(document_change(1, 1, Operation.CREATE), DOCUMENTS, 1, 5)
    sink.add(status_change(1, 1), STATUSES, 2, 9)
    assert await sink.flush() == 3
    assert await sink.stored_offsets(LAND) == {0: 1}
    assert await sink.stored_offsets(DOCUMENTS) == {1: 6}
    assert await sink.stored_offsets(STATUSES) == {2: 10}
    counts = read_kind_counts(sink.engine)
    assert [counts[name].live for name in ("land_parcels", "documents", "document_statuses")] == [
        1,
        1,
        1,
    ]


async def test_the_same_events_delivered_again_change_no_row(sink: CentreSink) -> None:
    created = parcel_change("TD-1", 1, Operation.CREATE)
    deleted = parcel_change("TD-1", 2, Operation.DELETE)
    again = parcel_change("TD-1", 3, Operation.CREATE)
    await write(sink, LAND, created, deleted, again)  # one batch
    with sink.engine.connect() as conn:
        before = conn.execute(select(LAND_PARCELS)).all()
    await write(sink, LAND, created)
    await write(sink, LAND, deleted)
    await write(sink, LAND, again)  # the same events in other batches
    with sink.engine.connect() as conn:
        assert conn.execute(select(LAND_PARCELS)).all() == before  # synced_at included
    counts = read_kind_counts(sink.engine)["land_parcels"]
    assert (counts.live, counts.deleted, counts.history) == (1, 1, 3)
