"""The centre's backlog counts records, not offsets: the connectors publish in transactions,
and the commit marker ending each one takes an offset the centre never applies."""

from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from lienthong.codec import SCHEMA_HEADER
from lienthong.events import DossierChange, Operation
from lienthong.ids import TopicName
from lienthong.observe import BusView, collect_status
from lienthong.observe.unread import count_unread
from lienthong.settings import Settings
from lienthong.topics import bus_topics, ensure_topics
from schemas import DOSSIER_CHANGE
from streams.centre import open_centre
from tests.factories import dossier_change
from tests.integration.test_streams_worker import running_worker
from tests.integration.worker_support import offsets_reached
from tests.wire import encode_changes

pytestmark = pytest.mark.integration

Place = tuple[TopicName, int]


@pytest.fixture
async def bus(bus_settings: Settings) -> Settings:
    await ensure_topics(bus_settings, bus_topics(bus_settings))
    return bus_settings


def changes(*numbers: int) -> list[DossierChange]:
    return [dossier_change(f"HS-{n:03}", 1, Operation.CREATE) for n in numbers]


async def in_transaction(
    settings: Settings,
    batch: list[DossierChange],
    *,
    commit: bool = True,
    partition: int | None = None,
) -> dict[Place, int]:
    """Send `batch` in one transaction, committed or aborted, as a connector does; the offset
    after each partition's last record."""
    values = await encode_changes(settings, batch)
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        transactional_id=f"{settings.connector.name}-behind",
    )
    await producer.start()
    try:
        ends: dict[Place, int] = {}
        await producer.begin_transaction()
        for change, value in zip(batch, values, strict=True):
            meta = await producer.send_and_wait(
                settings.topics.dossiers,
                key=change.envelope.entity_key.encode(),
                value=value,
                headers=[(SCHEMA_HEADER, DOSSIER_CHANGE.encode())],
                partition=partition,
            )
            place = (settings.topics.dossiers, meta.partition)
            ends[place] = max(ends.get(place, 0), meta.offset + 1)
        if commit:
            await producer.commit_transaction()
        else:
            await producer.abort_transaction()
        return ends
    finally:
        await producer.stop()


async def test_markers_and_aborted_records_are_not_counted(bus: Settings) -> None:
    dossiers = bus.topics.dossiers
    await in_transaction(bus, changes(0, 1, 2), partition=0)  # offsets 0-2, marker 3
    await in_transaction(bus, changes(3, 4), commit=False, partition=0)  # 4-5, marker 6
    await in_transaction(bus, changes(5), partition=0)  # offset 7, marker 8

    async with BusView(bus) as view:
        (topic,) = [t for t in await view.topics() if t.name == dossiers]
        unread = {
            position: await view.unread_records({(dossiers, 0): position})
            for position in (0, 3, 7, 8, 9)
        }
        untouched = await view.unread_records({(dossiers, 1): 0})

    assert topic.end_offsets[0] == 9
    assert {position: counts[(dossiers, 0)] for position, counts in unread.items()} == {
        0: 4,
        3: 1,
        7: 1,
        8: 0,  # only the last commit marker is left
        9: 0,
    }
    assert untouched == {(dossiers, 1): 0}


async def test_a_range_longer_than_the_cap_counts_its_offsets(bus: Settings) -> None:
    dossiers = bus.topics.dossiers
    await in_transaction(bus, changes(*range(4)), partition=0)  # offsets 0-3, marker 4
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bus.kafka.bootstrap_servers, isolation_level="read_committed"
    )
    await consumer.start()
    try:
        capped = await count_unread(consumer, {(dossiers, 0): 0}, within_s=10.0, cap=4)
        read = await count_unread(consumer, {(dossiers, 0): 0}, within_s=10.0, cap=5)
    finally:
        await consumer.stop()

    assert (capped, read) == ({(dossiers, 0): 5}, {(dossiers, 0): 4})


async def test_a_caught_up_centre_is_zero_behind_and_one_record_later_one(
    bus: Settings, tmp_path: Path
) -> None:
    ends = await in_transaction(bus, changes(*range(6)))

    with running_worker(bus, tmp_path / "worker.log") as worker:
        engine = open_centre(bus)
        try:
            await worker.wait_for(
                "every record applied", offsets_reached(engine, bus.streams.app_id, ends)
            )
        finally:
            engine.dispose()
        async with BusView(bus) as view:
            caught_up = await collect_status(bus, view)
    await in_transaction(bus, changes(6))
    async with BusView(bus) as view:
        one_later = await collect_status(bus, view)

    assert len(caught_up.centre) == 4
    assert [kind.behind for kind in caught_up.centre] == [0, 0, 0, 0]
    behind = {kind.topic: kind.behind for kind in one_later.centre}
    assert behind == {topic: int(topic == bus.topics.dossiers) for topic in behind}
