"""A real single-node Apache Kafka (KRaft) for development, booted from Maven Central jars."""

from lienthong.devkafka.broker import broker_status, start_broker, stop_broker
from lienthong.devkafka.config import render_server_properties
from lienthong.devkafka.jars import MANIFEST_NAME, JarManifest, read_manifest, resolve_jars
from lienthong.devkafka.layout import BrokerLayout
from lienthong.devkafka.models import BrokerInfo, BrokerStatus
from lienthong.devkafka.ports import ensure_ports_free, find_free_port

__all__ = [
    "MANIFEST_NAME",
    "BrokerInfo",
    "BrokerLayout",
    "BrokerStatus",
    "JarManifest",
    "broker_status",
    "ensure_ports_free",
    "find_free_port",
    "read_manifest",
    "render_server_properties",
    "resolve_jars",
    "start_broker",
    "stop_broker",
]
