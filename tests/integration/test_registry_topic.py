"""The registry's life cycle and its topic: nothing is served before the topic is read, a
failed reader is reported and ends serving, and the records it writes are Confluent's."""

import asyncio
import json
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiokafka import AIOKafkaConsumer, TopicPartition

from lienthong.registry import CompatibilityLevel, serve_registry
from lienthong.registry.errors import RegistryStoreError
from lienthong.registry.http_app import create_app
from lienthong.registry.http_io import RegistryContext
from lienthong.registry.reader import SchemaLogReader
from lienthong.registry.store import SchemaStore
from lienthong.settings import Settings
from tests.integration.registry_api import (
    V1,
    V2,
    WAIT_S,
    Api,
    body_once_status_is,
    read_topic,
    registry_settings,
    serving_api,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(bus_settings: Settings) -> Settings:
    return registry_settings(bus_settings)


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[Api]:
    async with serving_api(settings) as api:
        yield api


async def test_nothing_is_answered_before_the_topic_is_read(settings: Settings) -> None:
    store = SchemaStore(settings)  # never started: still "loading"
    app = create_app(RegistryContext(store, CompatibilityLevel.BACKWARD))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        for path in ("/", "/subjects", "/schemas/ids/1"):
            response = await client.get(path)
            assert response.status == 503
            assert (await response.json(content_type=None))["error_code"] == 503
        assert (await client.get("/_ready")).status == 503
        assert (await client.get("/_health")).status == 200


async def reader_fails(self: SchemaLogReader) -> None:
    raise RuntimeError("the schemas topic went away")


async def test_health_is_503_with_the_reason_once_the_reader_has_failed(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert await api.call("GET", "/_health") == (200, {"alive": True})
    monkeypatch.setattr(SchemaLogReader, "_read_once", reader_fails)
    assert await body_once_status_is(api.http, "/_health", 503) == {
        "alive": False,
        "reason": "reading the schemas topic failed: RuntimeError('the schemas topic went away')",
    }
    assert await api.call("GET", "/_ready") == (503, {"ready": False})
    status, body = await api.call("GET", "/subjects")
    assert (status, body["error_code"]) == (503, 503)
    assert "cannot serve: reading the schemas topic failed" in body["message"]


async def test_serving_ends_in_a_retriable_error_once_the_reader_has_failed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`lienthong registry serve` exits non-zero then, so its supervisor restarts it."""
    serving = asyncio.create_task(serve_registry(settings, asyncio.Event()))
    url = f"http://127.0.0.1:{settings.registry.port}"
    async with aiohttp.ClientSession(base_url=url) as http:
        assert await body_once_status_is(http, "/_ready", 200) == {"ready": True}
    monkeypatch.setattr(SchemaLogReader, "_read_once", reader_fails)
    with pytest.raises(RegistryStoreError, match="the schemas topic went away") as stopped:
        await asyncio.wait_for(serving, WAIT_S)
    assert stopped.value.retriable and stopped.value.exit_code != 0


async def test_the_topic_holds_confluents_records(api: Api, settings: Settings) -> None:
    await api.register("s-value", V1)
    await api.call("PUT", "/config", {"compatibility": "FULL"})
    await api.call("PUT", "/config/s-value", {"compatibility": "NONE"})
    await api.call("DELETE", "/subjects/s-value/versions/1")
    await api.call("DELETE", "/subjects/s-value/versions/1?permanent=true")
    await api.register("s-value", V2)
    await api.call("DELETE", "/subjects/s-value")

    v1 = json.dumps(json.loads(V1), separators=(",", ":"))
    v2 = (await api.call("GET", "/schemas/ids/2"))[1]["schema"]
    key = b'{"keytype":"SCHEMA","subject":"s-value","version":1,"magic":1}'
    config_key = b'{"keytype":"CONFIG","subject":"s-value","magic":0}'

    def value(schema_id: int, schema: str, deleted: str) -> bytes:
        text = json.dumps(schema)
        return (
            f'{{"subject":"s-value","version":1,"id":{schema_id},"schema":{text},'
            f'"deleted":{deleted}}}'
        ).encode()

    noop = (b'{"keytype":"NOOP","magic":0}', None)  # closes each transaction, see below
    assert await read_topic(settings) == [
        (key, value(1, v1, "false")),
        noop,
        (b'{"keytype":"CONFIG","subject":null,"magic":0}', b'{"compatibilityLevel":"FULL"}'),
        noop,
        (config_key, b'{"compatibilityLevel":"NONE"}'),
        noop,
        (key, value(1, v1, "true")),
        noop,
        # The last version's tombstone takes the subject's config with it, as in Confluent.
        (key, None),
        (config_key, None),
        noop,
        # With no version left, numbering starts again; the id does not.
        (key, value(2, v2, "false")),
        noop,
        (
            b'{"keytype":"DELETE_SUBJECT","subject":"s-value","magic":0}',
            b'{"subject":"s-value","version":1}',
        ),
        noop,
    ]


async def test_the_topic_ends_with_a_record_karapace_can_consume(
    api: Api, settings: Settings
) -> None:
    """Karapace counts itself loaded once it consumed the record at end offset - 1; a commit
    marker there is never consumed, so each transaction is followed by a plain NOOP."""
    await api.register("s-value", V1)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers, isolation_level="read_committed"
    )
    await consumer.start()
    try:
        tp = TopicPartition(settings.registry.topic, 0)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        end = (await consumer.end_offsets([tp]))[tp]
        last = -1
        deadline = time.monotonic() + WAIT_S
        while await consumer.position(tp) < end and time.monotonic() < deadline:
            batches = await consumer.getmany(tp, timeout_ms=500)
            last = max([last, *(m.offset for m in batches.get(tp, []))])
        assert last == end - 1
    finally:
        await consumer.stop()
