"""The suite every connector kind passes, against a real broker and its real source.

A kind's test module subclasses `ConnectorContract` (a class named `Test...`) and provides a
`harness` fixture: an object following `Harness`, that makes the department system produce
changes. The suite then checks what users rely on: every change arrives, in order per key;
a connector killed mid-stream and restarted loses nothing and duplicates nothing; an invalid
input becomes one dead letter with its reason and the stream goes on.
"""

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from connectors.contract import Domain, Source
from connectors.dead_letter import ERRORS_EXCEPTION_MESSAGE, ERRORS_TOPIC
from connectors.runner import ConnectorRunner
from connectors.spec import ConnectorSpec
from lienthong.events import ChangeEvent
from lienthong.ids import TopicName
from lienthong.serde import AvroDeserializer, RegistryClient, repo_schema
from lienthong.settings import Settings

__all__ = [
    "ConnectorContract",
    "Harness",
    "Published",
    "key_of",
    "published_events",
    "running_connector",
]

WAIT_S = 90.0


class Harness(Protocol):
    spec: ConnectorSpec
    coalesces: bool
    """True when updates of one key between two reads may arrive as one event (polling)."""

    def make_source(self) -> Source:
        """A new source instance, as a restarted process would build it."""
        ...

    async def write(self, changes: Sequence[tuple[str, int]]) -> None:
        """Make the department system produce one change per (key, seq), in this order."""
        ...

    def seq_of(self, event: ChangeEvent) -> int:
        """The seq written into the entity that `event` carries."""
        ...

    async def write_invalid(self) -> str:
        """Make the system produce one input that must be dead-lettered; a piece of its reason."""
        ...


@dataclass(frozen=True, slots=True)
class Published:
    partition: int
    offset: int
    event: ChangeEvent


@asynccontextmanager
async def running_connector(
    source: Source, settings: Settings
) -> AsyncIterator[tuple[ConnectorRunner, asyncio.Task[None]]]:
    """A runner on its own task; stopped gracefully on exit unless the test cancelled it."""
    runner = ConnectorRunner(source, settings)
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        yield runner, task
    finally:
        stop.set()
        if not task.done():
            await asyncio.wait_for(task, 60)


async def kill(task: asyncio.Task[None]) -> None:
    """End a runner as a crash would: its open transaction is left to be aborted."""
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def read_committed(
    settings: Settings, topic: TopicName
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every committed record of `topic`, in partition then offset order."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        enable_auto_commit=False,
        isolation_level="read_committed",
    )
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, 0)])
        deadline = time.monotonic() + 30
        while not (partitions := consumer.partitions_for_topic(topic)):
            assert time.monotonic() < deadline, f"topic {topic} never appeared"
            await asyncio.sleep(0.1)
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        found: list[ConsumerRecord[bytes, bytes]] = []
        while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
            assert time.monotonic() < deadline + 30, f"{topic} not read to its end"
            for records in (await consumer.getmany(*tps, timeout_ms=300)).values():
                found.extend(records)
        return sorted(found, key=lambda r: (r.partition, r.offset))
    finally:
        await consumer.stop()


async def published_events(settings: Settings, domain: Domain) -> list[Published]:
    """The domain topic's committed change events (tombstones left out), decoded."""
    records = await read_committed(settings, domain.topic(settings.topics))
    async with RegistryClient.from_settings(settings.registry) as client:
        reader = AvroDeserializer(client, reader=repo_schema(domain.record_name))
        return [
            Published(
                r.partition, r.offset, domain.model.from_avro(await reader.decode_async(r.value))
            )
            for r in records
            if r.value is not None
        ]


async def wait_for(
    settings: Settings,
    domain: Domain,
    task: asyncio.Task[None],
    done: Callable[[list[Published]], bool],
) -> list[Published]:
    deadline = time.monotonic() + WAIT_S
    while True:
        if task.done():
            task.result()
            pytest.fail("the connector stopped by itself")
        events = await published_events(settings, domain)
        if done(events):
            return events
        assert time.monotonic() < deadline, f"not published within {WAIT_S} s: {len(events)} events"
        await asyncio.sleep(0.5)


def key_of(harness: Harness, event: ChangeEvent) -> str:
    """The key `harness.write` was given for the entity `event` carries: the entity key,
    unless the system derives its own (edXML document ids) and the harness maps it back."""
    mapped: Callable[[ChangeEvent], str] | None = getattr(harness, "key_of", None)
    return mapped(event) if mapped is not None else event.envelope.entity_key


def final_seqs(harness: Harness, events: list[Published]) -> dict[str, int]:
    newest: dict[str, int] = {}
    for published in events:
        newest[key_of(harness, published.event)] = harness.seq_of(published.event)
    return newest


def interleaved(keys: Sequence[str], rounds: range) -> list[tuple[str, int]]:
    return [(key, seq) for seq in rounds for key in keys]


class ConnectorContract:
    """Subclass as `class TestMyKindContract(ConnectorContract)` beside a `harness` fixture."""

    async def test_every_change_arrives_in_order_per_key(
        self, harness: Harness, bus_settings: Settings
    ) -> None:
        domain = Domain(harness.spec.domains[0])
        keys = [f"{harness.spec.name}-k{i}" for i in range(4)]
        written = interleaved(keys, range(1, 6))
        async with running_connector(harness.make_source(), bus_settings) as (_, task):
            await harness.write(written)
            events = await wait_for(
                bus_settings,
                domain,
                task,
                lambda found: final_seqs(harness, found) == dict.fromkeys(keys, 5),
            )
        self._assert_ordered_and_unique(harness, events)
        if not harness.coalesces:
            seen = {(key_of(harness, p.event), harness.seq_of(p.event)) for p in events}
            assert seen == set(written), "every change is published, none invented"

    async def test_a_killed_connector_restarts_without_loss_or_duplicates(
        self, harness: Harness, bus_settings: Settings
    ) -> None:
        domain = Domain(harness.spec.domains[0])
        keys = [f"{harness.spec.name}-r{i}" for i in range(5)]
        first, second = interleaved(keys, range(1, 5)), interleaved(keys, range(5, 9))
        async with running_connector(harness.make_source(), bus_settings) as (_, task):
            await harness.write(first)
            await wait_for(bus_settings, domain, task, lambda found: len(found) >= 3)
            await kill(task)
        async with running_connector(harness.make_source(), bus_settings) as (_, task):
            await harness.write(second)
            events = await wait_for(
                bus_settings,
                domain,
                task,
                lambda found: final_seqs(harness, found) == dict.fromkeys(keys, 8),
            )
        self._assert_ordered_and_unique(harness, events)
        if not harness.coalesces:
            seen = {(key_of(harness, p.event), harness.seq_of(p.event)) for p in events}
            assert seen == set(first + second)

    async def test_an_invalid_input_is_dead_lettered_and_the_stream_goes_on(
        self, harness: Harness, bus_settings: Settings
    ) -> None:
        domain = Domain(harness.spec.domains[0])
        topic = domain.topic(bus_settings.topics)
        before, after = f"{harness.spec.name}-before", f"{harness.spec.name}-after"
        async with running_connector(harness.make_source(), bus_settings) as (runner, task):
            await harness.write([(before, 1)])
            reason = await harness.write_invalid()
            await harness.write([(after, 1)])
            events = await wait_for(
                bus_settings,
                domain,
                task,
                lambda found: {before, after} <= set(final_seqs(harness, found)),
            )
            assert runner.stats.dead_lettered >= 1
        dead = await read_committed(bus_settings, bus_settings.topics.dead_letter(topic))
        assert len(dead) == 1, "one invalid input, one dead letter"
        headers = {name: value.decode("utf-8") for name, value in dead[0].headers}
        assert headers[ERRORS_TOPIC] == topic
        assert reason in headers[ERRORS_EXCEPTION_MESSAGE]
        assert dead[0].value, "the dead letter keeps the input so it can be fixed"
        self._assert_ordered_and_unique(harness, events)

    @staticmethod
    def _assert_ordered_and_unique(harness: Harness, events: list[Published]) -> None:
        ids = [p.event.envelope.event_id for p in events]
        assert len(ids) == len(set(ids)), "no event is published twice"
        per_key: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for published in events:
            envelope = published.event.envelope
            per_key[key_of(harness, published.event)].append(
                (harness.seq_of(published.event), envelope.entity_version)
            )
        partitions: dict[str, set[int]] = defaultdict(set)
        for published in events:
            partitions[key_of(harness, published.event)].add(published.partition)
        for key, seqs in per_key.items():
            assert len(partitions[key]) == 1, f"{key} is spread over partitions"
            assert [s for s, _ in seqs] == sorted({s for s, _ in seqs}), f"{key} out of order"
            versions = [v for _, v in seqs]
            assert versions == sorted(versions), f"{key}'s versions go backwards"
