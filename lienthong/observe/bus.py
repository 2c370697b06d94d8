"""One read-only view of the bus for operators: topics, consumer groups and their lag.

`async with BusView(settings) as view:` keeps one admin client and two group-less consumers
open, so a dashboard sampling every few seconds does not reconnect each time. Nothing here
joins a group or commits: looking never moves anyone's offsets.
"""

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaConnectionError, KafkaError

from lienthong.ids import TopicName
from lienthong.kafka_clients import kafka_client_options
from lienthong.observe.errors import (
    BusRequestError,
    BusUnavailableError,
    UnknownGroupError,
    UnknownTopicError,
)
from lienthong.observe.last_event import newest_occurred_at, read_values_before
from lienthong.observe.records import GroupState, PartitionLag, PartitionPlacement, TopicState
from lienthong.observe.responses import (
    group_states,
    is_internal,
    placements_by_topic,
    topic_configs,
)
from lienthong.observe.unread import count_unread
from lienthong.serde import RegistryClient
from lienthong.settings import Settings

__all__ = ["BusView"]


class BusView:
    """Read-only view of the bus; every Kafka failure comes out as BusUnavailableError."""

    def __init__(self, settings: Settings, *, request_timeout_s: float | None = None) -> None:
        self._settings = settings
        self._servers = settings.kafka.bootstrap_servers
        self._timeout_s = request_timeout_s or settings.kafka.request_timeout_s
        self._timeout_ms = int(self._timeout_s * 1000)
        self._client_id = f"{settings.kafka.client_id}-observe"
        self._admin = AIOKafkaAdminClient(
            **kafka_client_options(settings.kafka),
            client_id=self._client_id,
            request_timeout_ms=self._timeout_ms,
        )
        self._offsets: AIOKafkaConsumer | None = None
        self._records: AIOKafkaConsumer | None = None
        self._offsets_lock = asyncio.Lock()
        self._records_lock = asyncio.Lock()
        self._registry: RegistryClient | None = None
        self._opened: list[Any] = [self._admin]

    async def _started_consumer(self, isolation: str) -> AIOKafkaConsumer:
        """A group-less consumer, created only when started: an unstarted one warns when freed."""
        consumer = AIOKafkaConsumer(
            **kafka_client_options(self._settings.kafka),
            client_id=self._client_id,
            group_id=None,
            enable_auto_commit=False,
            request_timeout_ms=self._timeout_ms,
            isolation_level=isolation,
        )
        self._opened.append(consumer)
        await consumer.start()
        return consumer

    async def __aenter__(self) -> Self:
        try:
            async with self._answer("connect"):
                await self._admin.start()
                # Kafka's own tools measure lag against the high watermark, so this view does.
                self._offsets = await self._started_consumer("read_uncommitted")
        except BaseException:
            await self._close()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._close()

    async def _close(self) -> None:
        opened, self._opened = self._opened, []
        for client in reversed(opened):
            if client is self._admin:
                await client.close()
            else:
                await client.stop()
        self._offsets = self._records = None
        if self._registry is not None:
            await self._registry.close()
            self._registry = None

    @asynccontextmanager
    async def _answer(self, what: str) -> AsyncIterator[None]:
        """Bounds a request by the timeout; Kafka's failures become the bus's own errors."""
        try:
            async with asyncio.timeout(self._timeout_s):
                yield
        except TimeoutError as exc:
            raise BusUnavailableError(
                f"Kafka at {self._servers} does not answer ({what}: no answer within "
                f"{self._timeout_s:g} s)"
            ) from exc
        except KafkaError as exc:
            if exc.retriable or isinstance(exc, OSError):
                raise BusUnavailableError(
                    f"Kafka at {self._servers} does not answer ({what}: {_reason(exc)})"
                    f"{_security_hint(self._settings, exc)}"
                ) from exc
            raise BusRequestError(f"Kafka at {self._servers} refused to {what}: {exc}") from exc
        except OSError as exc:
            raise BusUnavailableError(
                f"Kafka at {self._servers} does not answer ({what}: {exc})"
            ) from exc

    async def topics(self, *, include_internal: bool = False) -> list[TopicState]:
        """Every topic (the internal `_`/`__` ones only when asked), sorted by name."""
        placements = await self._placements()
        names = sorted(n for n in placements if include_internal or not is_internal(n))
        return await self._states({name: placements[name] for name in names})

    async def topic(self, name: str) -> TopicState:
        placements = await self._placements()
        if name not in placements:
            raise UnknownTopicError(f"no topic named {name}")
        (state,) = await self._states({name: placements[name]})
        return state

    async def placements(self, name: str) -> list[PartitionPlacement]:
        """Leader, replicas and in-sync replicas of each partition of one topic."""
        placements = await self._placements()
        if name not in placements:
            raise UnknownTopicError(f"no topic named {name}")
        return placements[name]

    async def brokers(self) -> int:
        """How many brokers the cluster has."""
        async with self._answer("describe the cluster"):
            cluster = await self._admin.describe_cluster()
        return len(cluster["brokers"])

    async def groups(self) -> list[GroupState]:
        async with self._answer("list consumer groups"):
            listed = await self._admin.list_consumer_groups()
            ids = sorted({str(entry[0]) for entry in listed})
            # One group per request: aiokafka 0.14 reads DescribeGroups v3 answers with the v2
            # layout, which only holds for a single group (the extra trailing field is ignored).
            answers = await asyncio.gather(
                *(self._admin.describe_consumer_groups([group_id]) for group_id in ids)
            )
        return group_states([response for answer in answers for response in answer])

    async def group(self, group_id: str) -> GroupState:
        """The group as its coordinator sees it; one Kafka never heard of comes back Dead.

        Always one group per DescribeGroups request (see `groups`).
        """
        async with self._answer(f"describe group {group_id}"):
            found = group_states(await self._admin.describe_consumer_groups([group_id]))
        return found[0] if found else GroupState(group_id=group_id, state="Dead")

    async def group_lag(self, group_id: str, *, event_time: bool = True) -> list[PartitionLag]:
        """Lag per partition of every topic the group has committed offsets for.

        Raises UnknownGroupError when the group has committed nothing at all.
        """
        async with self._answer(f"read the offsets of group {group_id}"):
            offsets = await self._admin.list_consumer_group_offsets(group_id)
        committed = {
            (TopicName(tp.topic), tp.partition): meta.offset
            for tp, meta in offsets.items()
            if meta.offset >= 0
        }
        if not committed:
            raise UnknownGroupError(f"consumer group {group_id} has no committed offsets")
        placements = await self._placements()
        topics = sorted({topic for topic, _ in committed if topic in placements})
        states = await self._states({topic: placements[topic] for topic in topics})
        last_applied = await self._last_applied(states, committed) if event_time else {}
        return [
            PartitionLag(
                topic=state.name,
                partition=partition,
                end_offset=end,
                committed=committed.get((state.name, partition)),
                last_applied_at=last_applied.get((state.name, partition)),
            )
            for state in states
            for partition, end in sorted(state.end_offsets.items())
        ]

    async def unread_records(
        self, positions: Mapping[tuple[TopicName, int], int]
    ) -> dict[tuple[TopicName, int], int]:
        """(topic, partition) -> the records a read_committed consumer at `position` still
        has to read: transaction markers and aborted records do not count, unlike in offsets.

        Long ranges are not read: lienthong.observe.unread says how they are counted.
        """
        if not positions:
            return {}
        async with self._records_lock, self._answer("count the records not read yet"):
            records = await self._records_consumer()
            return await count_unread(records, positions, within_s=self._timeout_s / 2)

    async def _records_consumer(self) -> AIOKafkaConsumer:
        """The read_committed consumer that reads records back; hold `_records_lock`."""
        if self._records is None:
            self._records = await self._started_consumer("read_committed")
        return self._records

    def _opened_offsets(self) -> AIOKafkaConsumer:
        if self._offsets is None:
            raise RuntimeError("BusView used outside `async with`")
        return self._offsets

    async def _placements(self) -> dict[str, list[PartitionPlacement]]:
        # All topics, never a named list: a metadata request naming a missing topic may create
        # it on a broker that auto-creates topics.
        async with self._answer("describe topics"):
            return placements_by_topic(await self._admin.describe_topics())

    async def _states(self, placements: dict[str, list[PartitionPlacement]]) -> list[TopicState]:
        if not placements:
            return []
        tps = [TopicPartition(t, p.partition) for t, parts in placements.items() for p in parts]
        resources = [ConfigResource(ConfigResourceType.TOPIC, name) for name in placements]
        offsets = self._opened_offsets()
        async with self._offsets_lock, self._answer("read topic offsets"):
            # Assigned (and paused: nothing is fetched), the partitions' leaders come in one
            # metadata request; unassigned, the client would learn them one topic at a time.
            offsets.assign(tps)
            offsets.pause(*tps)
            begins = await offsets.beginning_offsets(tps)
            ends = await offsets.end_offsets(tps)
            configs = topic_configs(await self._admin.describe_configs(resources))
        return [
            TopicState(
                name=TopicName(name),
                partitions=len(parts),
                replication_factor=max((len(p.replicas) for p in parts), default=0),
                config=configs.get(name, {}),
                begin_offsets={tp.partition: o for tp, o in begins.items() if tp.topic == name},
                end_offsets={tp.partition: o for tp, o in ends.items() if tp.topic == name},
            )
            for name, parts in placements.items()
        ]

    async def _last_applied(
        self, states: list[TopicState], committed: dict[tuple[TopicName, int], int]
    ) -> dict[tuple[TopicName, int], datetime]:
        wanted = {
            (state.name, partition): (begin, offset)
            for state in states
            for partition, end in state.end_offsets.items()
            if (begin := state.begin_offsets.get(partition, 0))
            < (offset := committed.get((state.name, partition), 0))
            <= end
        }
        if not wanted:
            return {}
        if self._registry is None:
            self._registry = RegistryClient.from_settings(self._settings.registry)
        async with self._records_lock:
            async with self._answer("read the last applied events"):
                records = await self._records_consumer()
                values = await read_values_before(records, wanted, within_s=self._timeout_s / 2)
            # Outside Kafka's time bound: the registry has its own, and never fails the read.
            return await newest_occurred_at(self._registry, values)


def _reason(exc: KafkaError) -> str:
    """The client's error in a few words: its bootstrap failure lists raw socket tuples."""
    if isinstance(exc, KafkaConnectionError) and "bootstrap" in str(exc):
        return "no broker accepted a connection"
    return str(exc) or type(exc).__name__


def _security_hint(settings: Settings, exc: KafkaError) -> str:
    """aiokafka reports a refused login or certificate as a failed bootstrap and only logs
    why; with security on, that is the likelier cause, so the operator is told where to look."""
    protocol = settings.kafka.security_protocol
    if protocol == "PLAINTEXT" or not isinstance(exc, KafkaConnectionError):
        return ""
    return (
        f"; with {protocol}, a wrong password, an unknown user or an untrusted certificate "
        "looks the same: check LIENTHONG_KAFKA__SASL_* and LIENTHONG_KAFKA__SSL_CAFILE"
    )
