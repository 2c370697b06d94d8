"""Consumer lag: how far a consumer group is behind the end of a topic, per partition."""

from dataclasses import dataclass
from types import TracebackType
from typing import Self

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from lienthong.errors import RetriableError
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

    async def end_offsets(self, topic: TopicName) -> dict[int, int]:
        """Last stable offset per partition (what a read-committed consumer can reach)."""
        tps = await self._partitions(topic)
        ends = await self._consumer.end_offsets(tps) if tps else {}
        return {tp.partition: offset for tp, offset in ends.items()}

    async def read(self, group: str, topic: TopicName) -> list[PartitionLag]:
        """Lag of a consumer group that commits its offsets to Kafka."""
        tps = await self._partitions(topic)
        ends = await self._consumer.end_offsets(tps) if tps else {}
        try:
            committed = await self._admin.list_consumer_group_offsets(group, partitions=tps)
        except KafkaError as exc:
            if exc.retriable:
                raise RetriableError(f"offsets of group {group} not readable yet: {exc}") from exc
            raise
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

    async def _partitions(self, topic: TopicName) -> list[TopicPartition]:
        described = await self._admin.describe_topics([topic])
        return [
            TopicPartition(topic, p["partition"])
            for entry in described
            if not entry.get("error_code")
            for p in sorted(entry["partitions"], key=lambda p: int(p["partition"]))
        ]
