"""Re-publishes planned dead letters to their original topic, each once, in the order given."""

from dataclasses import dataclass

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from lienthong.dlq.replay_plan import ReplayPlan
from lienthong.errors import RetriableError
from lienthong.ids import TopicName
from lienthong.kafka_clients import kafka_client_options
from lienthong.settings import Settings

__all__ = ["Replayed", "replay"]


@dataclass(frozen=True)
class Replayed:
    plan: ReplayPlan
    topic: TopicName
    partition: int
    offset: int


async def replay(settings: Settings, plans: list[ReplayPlan]) -> list[Replayed]:
    """Send with an idempotent producer and acks=all; a broker retry never duplicates a record."""
    if not plans:
        return []
    producer = AIOKafkaProducer(
        **kafka_client_options(settings.kafka),
        client_id=f"{settings.kafka.client_id}-dlq-replay",
        request_timeout_ms=int(settings.kafka.request_timeout_s * 1000),
        enable_idempotence=True,
        acks="all",
    )
    try:
        await producer.start()
    except KafkaError as exc:
        await producer.stop()
        raise RetriableError(f"Kafka producer cannot start: {exc!r}") from exc
    try:
        done: list[Replayed] = []
        for plan in plans:
            meta = await producer.send_and_wait(
                plan.topic, key=plan.key, value=plan.value, headers=list(plan.headers)
            )
            done.append(Replayed(plan, plan.topic, meta.partition, meta.offset))
        return done
    except KafkaError as exc:
        raise RetriableError(f"replay to Kafka failed: {exc!r}") from exc
    finally:
        await producer.stop()
