"""Explicit topic creation: every topic exists with its partition count before anyone uses it.

A topic auto-created with the wrong partition count breaks keyed ordering and faust's
co-partitioned tables, so the broker runs with auto-creation off and the bus creates
what it needs here.
"""

from dataclasses import dataclass, field

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError, for_code

from lienthong.errors import ConfigurationError, RetriableError
from lienthong.ids import TopicName
from lienthong.kafka_clients import kafka_client_options
from lienthong.settings import Settings

__all__ = ["TopicSpec", "bus_topics", "ensure_topics"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class TopicSpec:
    name: TopicName
    partitions: int
    replication_factor: int
    config: dict[str, str] = field(default_factory=dict)


def bus_topics(settings: Settings) -> list[TopicSpec]:
    """The topics the bus needs: per kind of entity its change topic and dead-letter topic,
    and the connectors' offsets, reported states and operators' requests, and the agencies'
    signing keys."""
    topics = settings.topics
    rf = topics.replication_factor
    specs = []
    for source in topics.centre_sources:
        specs.append(TopicSpec(source, topics.partitions, rf))
        specs.append(TopicSpec(topics.dead_letter(source), 1, rf))
    compacted = {"cleanup.policy": "compact"}
    internals = (
        topics.connector_offsets,
        topics.connector_status,
        topics.connector_control,
        topics.keys,
    )
    for internal in internals:
        specs.append(TopicSpec(internal, 1, rf, compacted))
    return specs


async def ensure_topics(settings: Settings, specs: list[TopicSpec]) -> list[TopicName]:
    """Create the missing topics; return the names created. Existing ones must match."""
    admin = AIOKafkaAdminClient(
        **kafka_client_options(settings.kafka),
        client_id=f"{settings.kafka.client_id}-admin",
        request_timeout_ms=int(settings.kafka.request_timeout_s * 1000),
    )
    try:
        await admin.start()
    except KafkaError as exc:
        raise RetriableError(
            f"Kafka at {settings.kafka.bootstrap_servers} does not answer: {exc!r}"
        ) from exc
    try:
        existing = await _partition_counts(admin)
        created: list[TopicName] = []
        for spec in specs:
            if spec.name in existing:
                if existing[spec.name] != spec.partitions:
                    raise ConfigurationError(
                        f"topic {spec.name} has {existing[spec.name]} partitions, "
                        f"the bus expects {spec.partitions}"
                    )
                continue
            response = await admin.create_topics(
                [NewTopic(spec.name, spec.partitions, spec.replication_factor, None, spec.config)]
            )
            if not _created(spec, response.topic_errors):
                continue
            created.append(spec.name)
            log.info("topic created", topic=spec.name, partitions=spec.partitions)
        return created
    finally:
        await admin.close()


async def _partition_counts(admin: AIOKafkaAdminClient) -> dict[str, int]:
    described = await admin.describe_topics(await admin.list_topics())
    return {
        entry["topic"]: len(entry["partitions"])
        for entry in described
        if not entry.get("error_code")
    }


def _created(spec: TopicSpec, topic_errors: list[tuple[str, int, str | None]]) -> bool:
    """True when the broker created the topic, False when it already existed (a concurrent
    creator won the race). Per-topic failures come back as error codes, not exceptions."""
    for name, code, message in topic_errors:
        if name != spec.name or code == 0:
            continue
        error = for_code(code)
        if error is TopicAlreadyExistsError:
            return False
        detail = message or error.description
        reason = f"cannot create topic {spec.name}: {error.__name__}: {detail}"
        if error.retriable:
            raise RetriableError(reason)
        raise ConfigurationError(reason)
    return True
