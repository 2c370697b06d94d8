"""Batches large enough to be staged and copied (PostgreSQL's bulk path) keep every
guarantee of small ones: never backwards, history once per event, deletes stick, scores
exact. Runs on SQLite, and on PostgreSQL when LIENTHONG_TEST_PG_DSN is set."""

from lienthong.events import DossierChange, Operation
from lienthong.ids import TopicName
from streams.centre import CentreSink, read_daily_scores, read_dossier, read_kind_counts
from streams.centre.bulk import COPY_FROM_ROWS
from tests.factories import dossier_change

TOPIC = TopicName("motcua.dossiers")
MANY = COPY_FROM_ROWS * 3


async def write(sink: CentreSink, changes: list[DossierChange]) -> None:
    start = (await sink.stored_offsets(TOPIC)).get(0, 0)
    for offset, one in enumerate(changes, start):
        sink.add(one, TOPIC, 0, offset)
    await sink.flush()


async def test_a_large_batch_is_applied_like_a_small_one(sink: CentreSink) -> None:
    numbers = [f"HS-{i:03d}" for i in range(MANY)]
    created = [dossier_change(no, 2, Operation.CREATE) for no in numbers]
    await write(sink, created)
    newer = [dossier_change(no, 3) for no in numbers[: MANY // 2]]
    older = [dossier_change(no, 1) for no in numbers[MANY // 2 :]]
    deleted = [dossier_change(no, 4, Operation.DELETE) for no in numbers[:COPY_FROM_ROWS]]
    await write(sink, newer + older + deleted)
    await write(sink, created + newer)  # delivered again

    for no, event in zip(numbers[COPY_FROM_ROWS : MANY // 2], newer[COPY_FROM_ROWS:], strict=True):
        assert read_dossier(sink.engine, no) == event.after
    for no, event in zip(numbers[MANY // 2 :], created[MANY // 2 :], strict=True):
        assert read_dossier(sink.engine, no) == event.after  # the older version changed nothing
    assert all(read_dossier(sink.engine, no) is None for no in numbers[:COPY_FROM_ROWS])
    counts = read_kind_counts(sink.engine)["dossiers"]
    distinct_events = len(created) + len(newer) + len(older) + len(deleted)
    assert (counts.live, counts.deleted, counts.history) == (
        MANY - COPY_FROM_ROWS,
        COPY_FROM_ROWS,
        distinct_events,
    )
    (score,) = read_daily_scores(sink.engine)
    assert score.received == MANY - COPY_FROM_ROWS
