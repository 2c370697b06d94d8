"""The centre's history on a real database: every accepted event once, written with the rows.

Runs on SQLite, and on PostgreSQL too when LIENTHONG_TEST_PG_DSN is set (marked `postgres`).
"""

import pytest
from sqlalchemy import func, select

from lienthong.events import DossierChange, Operation
from streams.centre import CentreSink, read_dossier, read_history, read_offsets
from streams.centre.schema import DOSSIER_HISTORY
from tests.factories import dossier_change
from tests.unit.test_centre_sink import (
    GROUP,
    TOPIC,
    allow_offset_writes,
    refuse_offset_writes,
    write,
)

change = dossier_change


def history_rows(sink: CentreSink) -> int:
    with sink.engine.connect() as conn:
        count: int = conn.execute(select(func.count()).select_from(DOSSIER_HISTORY)).scalar_one()
    return count


def traced(event: DossierChange, n: int) -> DossierChange:
    """The event with the envelope's optional tracing fields filled in."""
    envelope = event.envelope.model_copy(
        update={
            "correlation_id": f"corr-{n}",
            "causation_id": f"cause-{n}",
            "payload_sha256": "ab" * 32,
        }
    )
    return event.model_copy(update={"envelope": envelope})


async def test_create_update_delete_each_leave_a_history_row(sink: CentreSink) -> None:
    created = traced(change("HS-1", 1, Operation.CREATE), 1)
    updated = change("HS-1", 2)
    deleted = change("HS-1", 3, Operation.DELETE)
    await write(sink, created)
    await write(sink, updated, partition=1)
    await write(sink, deleted)

    history = read_history(sink.engine, "HS-1")
    assert [(h.entity_version, h.operation) for h in history] == [
        (1, Operation.CREATE),
        (2, Operation.UPDATE),
        (3, Operation.DELETE),
    ]
    assert [h.event_id for h in history] == [
        e.envelope.event_id for e in (created, updated, deleted)
    ]
    # the state after the change; before it for a delete, which keeps its history
    assert [h.dossier for h in history] == [created.after, updated.after, deleted.before]
    assert read_dossier(sink.engine, "HS-1") is None

    first = history[0]
    envelope = created.envelope
    assert (first.source_agency, first.source_system) == ("000.00.00.H41", "motcua")
    assert (first.occurred_at, first.ingested_at) == (envelope.occurred_at, envelope.ingested_at)
    assert (first.correlation_id, first.causation_id) == ("corr-1", "cause-1")
    assert first.payload_sha256 == "ab" * 32
    assert [(h.topic, h.partition, h.offset) for h in history] == [
        (TOPIC, 0, 0),
        (TOPIC, 1, 0),
        (TOPIC, 0, 1),
    ]
    assert first.applied_at.tzinfo is not None
    assert read_history(sink.engine, "HS-2") == []


async def test_collapsed_and_late_older_events_are_kept_in_the_history(sink: CentreSink) -> None:
    events = [change("HS-1", 1, Operation.CREATE), change("HS-1", 2), change("HS-1", 3)]
    await write(sink, *events)
    late = change("HS-1", 2)  # another event at an older version: the row stays at 3
    await write(sink, late)
    assert read_dossier(sink.engine, "HS-1") == events[2].after
    history = read_history(sink.engine, "HS-1")
    assert [h.entity_version for h in history] == [1, 2, 2, 3]
    assert {h.event_id for h in history} == {e.envelope.event_id for e in [*events, late]}


async def test_a_replayed_batch_adds_no_history_row(sink: CentreSink) -> None:
    events = [change("HS-1", 1, Operation.CREATE), change("HS-2", 1), change("HS-1", 2)]
    for offset, one in enumerate(events):
        sink.add(one, TOPIC, 0, offset)
    await sink.flush()
    assert history_rows(sink) == 3

    for offset, one in enumerate(events):  # the same records read again
        sink.add(one, TOPIC, 0, offset)
    await sink.flush()
    await write(sink, *events)  # the same events sent again, at later offsets
    await write(sink, events[0], events[0])  # twice within one batch
    assert history_rows(sink) == 3
    assert [h.offset for h in read_history(sink.engine, "HS-1")] == [0, 2]


async def test_a_failed_flush_writes_no_history_row(sink: CentreSink) -> None:
    await write(sink, change("HS-1", 1, Operation.CREATE))
    refuse_offset_writes(sink.engine)
    sink.add(change("HS-1", 2), TOPIC, 0, 1)
    sink.add(change("HS-2", 1, Operation.CREATE), TOPIC, 0, 2)
    with pytest.raises(Exception, match="injected failure"):
        await sink.flush()
    assert history_rows(sink) == 1
    assert read_offsets(sink.engine, GROUP, TOPIC) == {0: 1}

    allow_offset_writes(sink.engine)
    assert await sink.flush() == 2
    assert history_rows(sink) == 3
    assert [h.entity_version for h in read_history(sink.engine, "HS-1")] == [1, 2]
