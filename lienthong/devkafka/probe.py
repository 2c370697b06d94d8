"""Does the broker answer Kafka requests? Asked with a metadata request, as a client would."""

import asyncio

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from lienthong.devkafka.ports import port_accepts
from lienthong.kafka_clients import kafka_client_options
from lienthong.settings import KafkaSettings

__all__ = ["broker_answers"]

_PROBE_CLIENT_ID = "lienthong-dev-probe"


async def broker_answers(kafka: KafkaSettings, timeout_s: float = 3.0) -> bool:
    """True when the broker at `kafka.bootstrap_servers` (one host:port) returns cluster
    metadata listing at least one broker, to a client with `kafka`'s credentials.

    A plain TCP check comes first so an absent broker costs no client set-up and no
    connection-error log lines from aiokafka.
    """
    host, _, port = kafka.bootstrap_servers.rpartition(":")
    if not await asyncio.to_thread(port_accepts, host.strip("[]"), int(port)):
        return False
    admin = AIOKafkaAdminClient(
        **kafka_client_options(kafka),
        client_id=_PROBE_CLIENT_ID,
        request_timeout_ms=int(timeout_s * 1000),
    )
    try:
        async with asyncio.timeout(timeout_s):
            await admin.start()
            cluster = await admin.describe_cluster()
        return bool(cluster.get("brokers"))
    except (KafkaError, OSError, TimeoutError):
        return False
    finally:
        await admin.close()
