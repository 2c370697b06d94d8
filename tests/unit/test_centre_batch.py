"""Collapsing a batch per dossier, and the offsets it reaches (pure, no database)."""

import uuid
from datetime import UTC, datetime

from lienthong.events import Applicant, ApplicantKind, Dossier, DossierChange, Envelope, Operation
from lienthong.ids import TopicName
from streams.centre import DOSSIER_KIND, CentreBatch, PartitionOffset, ReceivedChange

TOPIC = TopicName("motcua.dossiers")
AT = datetime(2025, 7, 1, 8, 30, tzinfo=UTC)


def change(no: str, version: int, operation: Operation = Operation.UPDATE) -> DossierChange:
    after = None
    if operation != Operation.DELETE:
        after = Dossier(
            dossier_no=no,
            procedure_code="1.004227",
            receiving_agency="000.00.00.H41",
            applicant=Applicant(kind=ApplicantKind.CITIZEN, name="Nguyễn Văn An"),
            status=f"status-v{version}",
            submitted_at=AT,
        )
    envelope = Envelope(
        event_id=uuid.uuid4(),
        source_agency="000.00.00.H41",
        source_system="motcua",
        operation=operation,
        occurred_at=AT,
        ingested_at=AT,
        entity_key=no,
        entity_version=version,
    )
    return DossierChange(envelope=envelope, after=after)


def test_events_for_one_dossier_collapse_to_the_highest_version() -> None:
    batch = CentreBatch()
    for offset, version in enumerate([1, 2, 3]):
        batch.add(change("HS-1", version), TOPIC, 0, offset)
    assert [c.envelope.entity_version for c in batch.of(DOSSIER_KIND).upserts] == [3]
    assert batch.records == 3


def test_an_older_version_arriving_last_does_not_win_the_collapse() -> None:
    batch = CentreBatch()
    batch.add(change("HS-1", 5), TOPIC, 0, 10)
    batch.add(change("HS-1", 4), TOPIC, 0, 11)
    assert [c.envelope.entity_version for c in batch.of(DOSSIER_KIND).upserts] == [5]


def test_the_later_event_wins_a_tie() -> None:
    first, again = change("HS-1", 2), change("HS-1", 2)
    batch = CentreBatch()
    batch.add(first, TOPIC, 0, 1)
    batch.add(again, TOPIC, 0, 2)
    assert batch.of(DOSSIER_KIND).upserts == [again]


def test_a_delete_after_updates_leaves_only_the_delete() -> None:
    batch = CentreBatch()
    batch.add(change("HS-1", 1, Operation.CREATE), TOPIC, 0, 0)
    batch.add(change("HS-1", 2, Operation.DELETE), TOPIC, 0, 1)
    batch.add(change("HS-2", 1, Operation.CREATE), TOPIC, 1, 0)
    assert [c.envelope.entity_key for c in batch.of(DOSSIER_KIND).deletes] == ["HS-1"]
    assert [c.envelope.entity_key for c in batch.of(DOSSIER_KIND).upserts] == ["HS-2"]
    assert sorted(batch.of(DOSSIER_KIND).keys) == [("HS-1",), ("HS-2",)]


def test_offsets_are_the_next_offset_per_partition_including_records_without_rows() -> None:
    batch = CentreBatch()
    batch.add(change("HS-1", 1), TOPIC, 0, 7)
    batch.advance(TOPIC, 0, 8)  # a tombstone
    batch.add(change("HS-2", 1), TOPIC, 2, 3)
    assert batch.offsets == [PartitionOffset(TOPIC, 0, 9), PartitionOffset(TOPIC, 2, 4)]
    assert batch.records == 3


def test_every_event_is_received_once_for_the_history_collapsed_or_not() -> None:
    newest, older, other = change("HS-1", 3), change("HS-1", 2), change("HS-2", 1)
    batch = CentreBatch()
    batch.add(newest, TOPIC, 0, 0)
    batch.add(older, TOPIC, 0, 1)
    batch.advance(TOPIC, 0, 2)  # a dead letter: not received as a change
    batch.add(newest, TOPIC, 0, 3)  # the same event delivered twice: its first record counts
    batch.add(other, TOPIC, 1, 0)
    assert batch.of(DOSSIER_KIND).received == [
        ReceivedChange(newest, TOPIC, 0, 0),
        ReceivedChange(older, TOPIC, 0, 1),
        ReceivedChange(other, TOPIC, 1, 0),
    ]
    assert batch.records == 5


def test_a_delete_followed_by_a_newer_create_keeps_both() -> None:
    batch = CentreBatch()
    batch.add(change("HS-1", 1, Operation.CREATE), TOPIC, 0, 0)
    deleted = change("HS-1", 2, Operation.DELETE)
    batch.add(deleted, TOPIC, 0, 1)
    created_again = change("HS-1", 3, Operation.CREATE)
    batch.add(created_again, TOPIC, 0, 2)
    assert batch.of(DOSSIER_KIND).deletes == [deleted]  # its marker, wherever batches end
    assert batch.of(DOSSIER_KIND).upserts == [created_again]
