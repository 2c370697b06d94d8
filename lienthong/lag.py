"""Consumer lag: how far a consumer group is behind the end of a topic, per partition."""

from dataclasses import dataclass
from types import TracebackType
from typing import Self

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from lienthong.ids import TopicName
from lienthong.settings import Settings

__all__ = ["LagProbe", "PartitionLag"]


@dataclass(frozen=True)
class PartitionLag:
    topic: TopicName
    partition: int
    end_offset: int
    committed: int | None
    """Next offset the group will read; None when the group has committed nothing yet."""

    @property
    def lag(self) -> int:
        return self.end_offset - (self.committed or 0)


class LagProbe:
    """Keeps one admin client and one group-less consumer open for repeated lag reads."""

    def __init__(self, settings: Settings) -> None:
        servers = settings.kafka.bootstrap_servers
        self._admin = AIOKafkaAdminClient(bootstrap_servers=servers)
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=servers, enable_auto_commit=False, isolation_level="read_committed"
        )

    async def __aenter__(self) -> Self:
        await self._admin.start()
        await self._consumer.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._consumer.stop()
        await self._admin.close()

    async def read(self, group: str, topic: TopicName) -> list[PartitionLag]:
        partitions = sorted(self._consumer.partitions_for_topic(topic) or ())
        if not partitions:
            await self._consumer.topics()  # refreshes the metadata
            partitions = sorted(self._consumer.partitions_for_topic(topic) or ())
        tps = [TopicPartition(topic, p) for p in partitions]
        ends = await self._consumer.end_offsets(tps) if tps else {}
        committed = await self._admin.list_consumer_group_offsets(group, partitions=tps)
        return [
            PartitionLag(
                topic=topic,
                partition=tp.partition,
                end_offset=ends[tp],
                committed=committed[tp].offset
                if tp in committed and committed[tp].offset >= 0
                else None,
            )
            for tp in tps
        ]
