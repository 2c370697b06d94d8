"""Operating connectors on Kafka itself: their reported states, and operators' requests.

Like Kafka Connect, every process running connectors reports each one's state on a compacted
status topic and follows a compacted control topic where operators ask a connector to pause,
resume, stop or restart (`lienthong connectors …`). The latest request per connector holds,
so a process starting a connector last asked to pause starts it paused.
"""

import uuid
from datetime import UTC, datetime

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from connectors.control_records import (
    ConnectorAction,
    ConnectorState,
    ControlRequest,
    MalformedRecordError,
    request_to_json,
    state_from_json,
)
from connectors.control_topic import (
    bus_unavailable,
    control_client_timeout_ms,
    latest_values,
    read_to_end,
    started_consumer,
)
from lienthong.kafka_clients import kafka_client_options
from lienthong.settings import Settings
from lienthong.topics import bus_topics, ensure_topics

__all__ = [
    "ConnectorAction",
    "ConnectorState",
    "ControlRequest",
    "read_connector_states",
    "request_action",
    "send_request",
]

log = structlog.get_logger(__name__)


async def read_connector_states(settings: Settings) -> list[ConnectorState]:
    """Every connector's last report, by name; reads the status topic to its end.

    Raises BusUnavailableError (a RetriableError) when Kafka does not answer.
    """
    topic = settings.topics.connector_status
    consumer = await started_consumer(settings, "connector-states")
    try:
        records = await read_to_end(consumer, topic)
    except KafkaError as exc:
        raise bus_unavailable(settings, exc) from exc
    finally:
        await consumer.stop()
    states: list[ConnectorState] = []
    for name, raw in sorted(latest_values(records).items()):
        try:
            states.append(state_from_json(raw))
        except MalformedRecordError as exc:
            log.warning("unreadable connector state", topic=topic, key=name, error=str(exc))
    return states


async def request_action(settings: Settings, name: str, action: ConnectorAction) -> None:
    """Ask connector `name` to pause, resume, stop or restart; whichever process runs it
    (now or later) applies it."""
    await send_request(settings, name, action)


async def send_request(settings: Settings, name: str, action: ConnectorAction) -> ControlRequest:
    """Write the request (acks=all) and return it as recorded."""
    request = ControlRequest(name, action, datetime.now(UTC), uuid.uuid4().hex)
    topic = settings.topics.connector_control
    [control_spec] = [spec for spec in bus_topics(settings) if spec.name == topic]
    await ensure_topics(settings, [control_spec])
    timeout_ms = control_client_timeout_ms(settings)
    producer = AIOKafkaProducer(
        **kafka_client_options(settings.kafka),
        client_id=f"{settings.kafka.client_id}-connector-requests",
        acks="all",
        request_timeout_ms=timeout_ms,
    )
    try:
        await producer.start()
        await producer.send_and_wait(topic, request_to_json(request), key=name.encode("utf-8"))
    except KafkaError as exc:
        raise bus_unavailable(settings, exc) from exc
    finally:
        await producer.stop()
    log.info("connector request recorded", connector=name, action=action.value)
    return request
