"""The centre sink on a real database: idempotent, never backwards, rows and offsets together.

Runs on SQLite, and on PostgreSQL too when LIENTHONG_TEST_PG_DSN is set (marked `postgres`).
"""

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select, text

from lienthong.events import (
    DossierChange,
    Operation,
)
from lienthong.ids import TopicName
from lienthong.settings import Settings
from streams.centre import CentreSink, open_centre, read_counts, read_dossier, read_offsets
from streams.centre.schema import DOSSIERS
from tests.factories import CENTRE_GROUP, dossier_change

TOPIC = TopicName("motcua.dossiers")
GROUP = CENTRE_GROUP


change = dossier_change


async def write(sink: CentreSink, *changes: DossierChange, partition: int = 0) -> None:
    """Add the changes as consecutive records of one partition, after what it already read."""
    start = (await sink.stored_offsets(TOPIC)).get(partition, 0)
    for offset, one in enumerate(changes, start):
        sink.add(one, TOPIC, partition, offset)
    await sink.flush()


def held(engine: Engine, no: str) -> int | None:
    with engine.connect() as conn:
        version = conn.execute(
            select(DOSSIERS.c.entity_version).where(DOSSIERS.c.dossier_no == no)
        ).scalar()
    return version


async def test_a_create_is_stored_field_by_field(sink: CentreSink) -> None:
    created = change("HS-1", 1, Operation.CREATE)
    await write(sink, created)
    assert read_dossier(sink.engine, "HS-1") == created.after
    with sink.engine.connect() as conn:
        row = conn.execute(select(DOSSIERS)).one()._mapping
    assert row["applicant_name"] == "Lê Thị Hoà"
    assert row["entity_version"] == 1
    assert row["event_id"] == str(created.envelope.event_id)
    assert (row["source_agency"], row["source_system"]) == ("000.00.00.H41", "motcua")
    assert row["occurred_at"] == created.envelope.occurred_at
    assert row["synced_at"].tzinfo is not None


async def test_an_update_replaces_the_row(sink: CentreSink) -> None:
    await write(sink, change("HS-1", 1, Operation.CREATE))
    updated = change("HS-1", 2)
    await write(sink, updated)
    assert read_dossier(sink.engine, "HS-1") == updated.after
    assert read_counts(sink.engine).dossiers == 1


async def test_an_older_version_changes_nothing(sink: CentreSink) -> None:
    newer = change("HS-1", 3)
    await write(sink, newer)
    await write(sink, change("HS-1", 2))
    assert read_dossier(sink.engine, "HS-1") == newer.after


async def test_the_same_version_again_is_a_harmless_reapply(sink: CentreSink) -> None:
    once = change("HS-1", 2)
    await write(sink, once)
    await write(sink, once)
    assert read_dossier(sink.engine, "HS-1") == once.after


async def test_a_delete_removes_the_row_and_remembers_it(sink: CentreSink) -> None:
    await write(sink, change("HS-1", 1, Operation.CREATE), change("HS-2", 1, Operation.CREATE))
    await write(sink, change("HS-1", 2, Operation.DELETE))
    assert read_dossier(sink.engine, "HS-1") is None
    counts = read_counts(sink.engine)
    assert (counts.dossiers, counts.deleted) == (1, 1)


async def test_an_older_delete_leaves_a_newer_row(sink: CentreSink) -> None:
    newer = change("HS-1", 5)
    await write(sink, newer)
    await write(sink, change("HS-1", 4, Operation.DELETE))
    assert read_dossier(sink.engine, "HS-1") == newer.after


async def test_a_create_replayed_after_the_delete_does_not_resurrect(sink: CentreSink) -> None:
    created = change("HS-1", 1, Operation.CREATE)
    await write(sink, created, change("HS-1", 2))
    await write(sink, change("HS-1", 3, Operation.DELETE))
    await write(sink, created)
    await write(sink, change("HS-1", 2))
    assert read_dossier(sink.engine, "HS-1") is None


async def test_a_newer_version_after_a_delete_is_stored(sink: CentreSink) -> None:
    await write(sink, change("HS-1", 3, Operation.DELETE))
    again = change("HS-1", 4, Operation.CREATE)
    await write(sink, again)
    assert read_dossier(sink.engine, "HS-1") == again.after


async def test_a_batch_collapses_to_the_newest_event_per_dossier(sink: CentreSink) -> None:
    last = change("HS-1", 3)
    await write(
        sink, change("HS-1", 1, Operation.CREATE), change("HS-1", 2), last, change("HS-1", 2)
    )
    assert read_dossier(sink.engine, "HS-1") == last.after
    await write(sink, change("HS-2", 1, Operation.CREATE), change("HS-2", 2, Operation.DELETE))
    await write(sink, change("HS-2", 1, Operation.CREATE))
    assert read_dossier(sink.engine, "HS-2") is None
    assert read_offsets(sink.engine, GROUP, TOPIC) == {0: 7}


async def test_offsets_are_stored_per_partition_with_the_rows(sink: CentreSink) -> None:
    sink.add(change("HS-1", 1), TOPIC, 0, 10)
    sink.advance(TOPIC, 0, 11)  # the tombstone of a delete: no row, but read
    sink.add(change("HS-2", 1), TOPIC, 2, 4)
    assert await sink.flush() == 3
    assert sink.pending == 0
    assert read_offsets(sink.engine, GROUP, TOPIC) == {0: 12, 2: 5}
    assert read_offsets(sink.engine, "another-group", TOPIC) == {}


async def test_a_failed_flush_changes_neither_rows_nor_offsets(sink: CentreSink) -> None:
    first = change("HS-1", 1, Operation.CREATE)
    await write(sink, first)
    refuse_offset_writes(sink.engine)
    sink.add(change("HS-1", 2), TOPIC, 0, 1)
    sink.add(change("HS-2", 1, Operation.CREATE), TOPIC, 0, 2)
    sink.add(change("HS-1", 3, Operation.DELETE), TOPIC, 1, 0)
    with pytest.raises(Exception, match="injected failure"):
        await sink.flush()
    # the rows were written before the offsets in the same transaction: all rolled back
    assert read_dossier(sink.engine, "HS-1") == first.after
    assert read_dossier(sink.engine, "HS-2") is None
    assert read_counts(sink.engine).deleted == 0
    assert read_offsets(sink.engine, GROUP, TOPIC) == {0: 1}
    assert sink.pending == 3

    allow_offset_writes(sink.engine)
    assert await sink.flush() == 3
    assert read_dossier(sink.engine, "HS-1") is None
    assert read_dossier(sink.engine, "HS-2") is not None
    assert read_offsets(sink.engine, GROUP, TOPIC) == {0: 3, 1: 1}


async def test_an_empty_flush_writes_nothing(sink: CentreSink) -> None:
    assert await sink.flush() == 0
    assert read_offsets(sink.engine, GROUP, TOPIC) == {}


def test_opening_the_centre_twice_keeps_its_data(centre_settings: Settings) -> None:
    engine = open_centre(centre_settings)
    with engine.begin() as conn:
        conn.execute(DOSSIERS.insert(), [_row()])
    engine.dispose()
    engine = open_centre(centre_settings)
    assert read_counts(engine).dossiers == 1
    engine.dispose()


def _row() -> dict[str, object]:
    from streams.centre.rows import dossier_row

    return dossier_row(change("HS-9", 1, Operation.CREATE), datetime.now(UTC))


def refuse_offset_writes(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for event in ("INSERT", "UPDATE"):
                conn.execute(
                    text(
                        f"CREATE TRIGGER refuse_{event.lower()} BEFORE {event} ON stream_offsets "
                        "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
                    )
                )
        else:
            conn.execute(
                text(
                    "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'injected failure'; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON stream_offsets "
                    "FOR EACH ROW EXECUTE FUNCTION refuse()"
                )
            )


def allow_offset_writes(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER refuse_insert"))
            conn.execute(text("DROP TRIGGER refuse_update"))
        else:
            conn.execute(text("DROP TRIGGER refuse ON stream_offsets"))
