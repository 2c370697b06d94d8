"""Shared by the registry's REST API tests: a registry on a topic of its own, spoken to over
loopback HTTP, and a reader of that topic's committed records."""

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiokafka import AIOKafkaConsumer, TopicPartition

from lienthong.ids import TopicName
from lienthong.registry import running_registry
from lienthong.settings import RegistrySettings, Settings
from tests.conftest import free_port

WAIT_S = 30.0
JSON = "application/vnd.schemaregistry.v1+json"


def record_schema(*fields: Mapping[str, object], name: str = "Dossier") -> str:
    return json.dumps({"type": "record", "name": name, "namespace": "vn", "fields": list(fields)})


NO = {"name": "no", "type": "string"}
STATUS = {"name": "status", "type": "string", "default": "new"}
OWNER = {"name": "owner", "type": "string"}
V1, V2 = record_schema(NO), record_schema(NO, STATUS)


class Api:
    def __init__(self, http: aiohttp.ClientSession) -> None:
        self.http = http

    async def call(self, method: str, path: str, body: object = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body)
        headers = {"Content-Type": JSON} if data is not None else {}
        async with self.http.request(method, path, data=data, headers=headers) as response:
            if response.status < 300:
                assert response.content_type == JSON
            return response.status, await response.json(content_type=None)

    async def register(self, subject: str, schema: str) -> tuple[int, Any]:
        return await self.call("POST", f"/subjects/{subject}/versions", {"schema": schema})


def registry_settings(bus_settings: Settings) -> Settings:
    topic = TopicName(f"_schemas_{uuid.uuid4().hex[:10]}")
    registry = RegistrySettings(port=free_port(), topic=topic, request_timeout_s=WAIT_S)
    return bus_settings.model_copy(update={"registry": registry})


@asynccontextmanager
async def serving_api(settings: Settings) -> AsyncIterator[Api]:
    """The registry of `settings`, running in this event loop, and an API client for it."""
    timeout = aiohttp.ClientTimeout(total=WAIT_S)
    async with (
        running_registry(settings) as url,
        aiohttp.ClientSession(base_url=url, timeout=timeout) as http,
    ):
        yield Api(http)


async def read_topic(settings: Settings) -> list[tuple[bytes | None, bytes | None]]:
    """Every committed record of the registry's topic, in order."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        isolation_level="read_committed",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        tp = TopicPartition(settings.registry.topic, 0)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        end = (await consumer.end_offsets([tp]))[tp]
        found: list[tuple[bytes | None, bytes | None]] = []
        deadline = time.monotonic() + WAIT_S
        while await consumer.position(tp) < end:
            assert time.monotonic() < deadline, f"topic not read to {end} within {WAIT_S}s"
            batches = await consumer.getmany(tp, timeout_ms=500)
            found += [(m.key, m.value) for m in batches.get(tp, [])]
        return found
    finally:
        await consumer.stop()


async def body_once_status_is(http: aiohttp.ClientSession, path: str, status: int) -> Any:
    """The JSON body of `path` once it answers `status`; a port not listening yet is waited out."""
    deadline = time.monotonic() + WAIT_S
    while True:
        try:
            async with http.get(path) as response:
                if response.status == status:
                    return await response.json(content_type=None)
        except aiohttp.ClientConnectionError:
            pass
        assert time.monotonic() < deadline, f"{path} never answered {status}"
        await asyncio.sleep(0.05)
