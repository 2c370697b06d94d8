"""BusView against the session's real broker: topics, groups and lag as Kafka holds them."""

import re
import time
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from lienthong.events import ChangeEvent, Operation
from lienthong.observe import BusUnavailableError, BusView, UnknownGroupError, UnknownTopicError
from lienthong.settings import KafkaSettings, Settings
from lienthong.topics import bus_topics, ensure_topics
from tests.conftest import free_port
from tests.factories import dossier_change
from tests.integration.worker_support import Placed, produce_records, sent

pytestmark = pytest.mark.integration

WAIT_S = 30.0


@pytest.fixture
async def bus(bus_settings: Settings) -> Settings:
    await ensure_topics(bus_settings, bus_topics(bus_settings))
    return bus_settings


async def produce_dossiers(settings: Settings, count: int) -> list[Placed]:
    changes = [dossier_change(f"HS-{n:03}", n % 5 + 1, Operation.UPDATE) for n in range(count)]
    return await produce_records(settings, [sent(settings.topics, c) for c in changes])


async def commit(settings: Settings, group: str, offsets: dict[int, int]) -> None:
    """Commit `offsets` (partition -> next offset) of the dossier topic for `group`."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        tps = {p: TopicPartition(settings.topics.dossiers, p) for p in offsets}
        consumer.assign(list(tps.values()))
        await consumer.commit({tps[p]: offset for p, offset in offsets.items()})
    finally:
        await consumer.stop()


async def test_topics_show_partitions_offsets_and_config(bus: Settings) -> None:
    await produce_dossiers(bus, 7)
    async with BusView(bus) as view:
        topics = {t.name: t for t in await view.topics()}
        with_internal = {t.name for t in await view.topics(include_internal=True)}
        dossiers = await view.topic(bus.topics.dossiers)
        placements = await view.placements(bus.topics.dossiers)

    assert dossiers == topics[bus.topics.dossiers]
    assert (dossiers.partitions, dossiers.replication_factor) == (3, 1)
    assert dossiers.records == dossiers.end_total == 7
    assert set(dossiers.begin_offsets) == set(dossiers.end_offsets) == {0, 1, 2}
    assert dossiers.config["cleanup.policy"] == "delete"
    assert "retention.ms" in dossiers.config
    assert not dossiers.is_dead_letter
    status = topics[bus.topics.connector_status]
    assert status.config["cleanup.policy"] == "compact"
    dead_letters = topics[bus.topics.dead_letter(bus.topics.dossiers)]
    assert dead_letters.is_dead_letter and dead_letters.records == 0
    assert not any(name.startswith("_") for name in topics)
    assert bus.registry.topic in with_internal
    assert [p.partition for p in placements] == [0, 1, 2]
    assert all(p.leader in p.replicas and p.in_sync for p in placements)


async def test_an_unknown_topic_is_refused_by_name(bus: Settings) -> None:
    async with BusView(bus) as view:
        with pytest.raises(UnknownTopicError, match=r"no topic named nowhere\.at\.all"):
            await view.topic("nowhere.at.all")


async def test_group_lag_per_partition_with_the_last_applied_event(bus: Settings) -> None:
    placed = await produce_dossiers(bus, 12)
    by_partition: dict[int, list[Placed]] = {}
    for record in placed:
        by_partition.setdefault(record.partition, []).append(record)
    ends = {p: len(records) for p, records in by_partition.items()}
    partly = min(by_partition, key=lambda p: -ends[p])
    committed = {partly: ends[partly] - 1}
    group, other = (f"observe-{uuid.uuid4().hex[:8]}" for _ in range(2))
    await commit(bus, group, committed)
    await commit(bus, other, {0: 0})

    async with BusView(bus) as view:
        lags = await view.group_lag(group)
        state = await view.group(group)
        listed = {g.group_id for g in await view.groups()}

    assert [(lag.topic, lag.partition) for lag in lags] == [
        (bus.topics.dossiers, p) for p in range(3)
    ]
    for lag in lags:
        assert lag.end_offset == ends.get(lag.partition, 0)
        assert lag.committed == committed.get(lag.partition)
    (read,) = [lag for lag in lags if lag.partition == partly]
    assert read.lag == 1
    event = by_partition[partly][committed[partly] - 1].outgoing.value
    assert isinstance(event, ChangeEvent)
    assert read.last_applied_at == event.envelope.occurred_at
    assert read.event_time_lag_s(event.envelope.occurred_at) == 0.0
    assert all(lag.last_applied_at is None for lag in lags if lag.partition != partly)
    assert (state.group_id, state.state, state.members) == (group, "Empty", ())
    assert {group, other} <= listed


async def test_a_running_group_shows_its_members_and_their_partitions(bus: Settings) -> None:
    group = f"observe-{uuid.uuid4().hex[:8]}"
    consumer = AIOKafkaConsumer(
        bus.topics.dossiers,
        bootstrap_servers=bus.kafka.bootstrap_servers,
        group_id=group,
        client_id="observed-member",
    )
    await consumer.start()
    try:
        deadline = time.monotonic() + WAIT_S
        while not consumer.assignment():
            assert time.monotonic() < deadline, "the consumer was never assigned partitions"
            await consumer.getmany(timeout_ms=200)
        async with BusView(bus) as view:
            state = await view.group(group)
    finally:
        await consumer.stop()
    assert state.state == "Stable"
    (member,) = state.members
    assert member.client_id == "observed-member"
    assert member.assignment == tuple((bus.topics.dossiers, p) for p in range(3))


async def test_a_group_that_committed_nothing_is_unknown(bus: Settings) -> None:
    async with BusView(bus) as view:
        with pytest.raises(UnknownGroupError, match="never-committed"):
            await view.group_lag("never-committed")


async def test_kafka_down_is_one_error_naming_the_address() -> None:
    address = f"127.0.0.1:{free_port()}"
    settings = Settings(kafka=KafkaSettings(bootstrap_servers=address))
    with pytest.raises(BusUnavailableError, match=re.escape(f"Kafka at {address} does not answer")):
        async with BusView(settings, request_timeout_s=5):
            pass
