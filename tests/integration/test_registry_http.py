"""The registry's REST API against a real broker: the registry runs in the test's event loop
(as `lienthong demo` runs it) on a topic of its own, and is spoken to over loopback HTTP."""

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiokafka import AIOKafkaConsumer, TopicPartition

from lienthong.ids import TopicName
from lienthong.registry import CompatibilityLevel, running_registry, serve_registry
from lienthong.registry.errors import RegistryStoreError
from lienthong.registry.http_app import create_app
from lienthong.registry.http_io import RegistryContext
from lienthong.registry.reader import SchemaLogReader
from lienthong.registry.store import SchemaStore
from lienthong.settings import RegistrySettings, Settings
from tests.conftest import free_port

pytestmark = pytest.mark.integration

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


@pytest.fixture
def settings(bus_settings: Settings) -> Settings:
    return registry_settings(bus_settings)


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[Api]:
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


async def test_register_lookup_and_read_back(api: Api) -> None:
    assert await api.call("GET", "/") == (200, {})
    assert await api.call("GET", "/_ready") == (200, {"ready": True})
    assert await api.register("s-value", V1) == (200, {"id": 1})
    assert await api.register("s-value", V1) == (200, {"id": 1})
    assert await api.register("s-value", V2) == (200, {"id": 2})

    status, found = await api.call("POST", "/subjects/s-value", {"schema": V1})
    assert status == 200
    assert (found["subject"], found["version"], found["id"]) == ("s-value", 1, 1)
    assert json.loads(found["schema"]) == json.loads(V1)
    assert set(found) == {"subject", "version", "id", "schema"}

    assert await api.call("GET", "/subjects/s-value/versions") == (200, [1, 2])
    status, latest = await api.call("GET", "/subjects/s-value/versions/latest")
    assert (latest["version"], latest["id"]) == (2, 2)
    assert (await api.call("GET", "/subjects/s-value/versions/-1"))[1] == latest
    status, raw = await api.call("GET", "/subjects/s-value/versions/1/schema")
    assert raw == json.loads(V1)

    # The same schema under another subject keeps its global id.
    assert await api.register("t-value", V2) == (200, {"id": 2})
    assert await api.call("GET", "/subjects") == (200, ["s-value", "t-value"])
    assert await api.call("GET", "/subjects?subjectPrefix=t") == (200, ["t-value"])
    status, by_id = await api.call("GET", "/schemas/ids/2")
    assert status == 200 and json.loads(by_id["schema"]) == json.loads(V2)
    assert await api.call("GET", "/schemas/ids/2/subjects") == (200, ["s-value", "t-value"])
    assert await api.call("GET", "/schemas/ids/2/versions") == (
        200,
        [{"subject": "s-value", "version": 2}, {"subject": "t-value", "version": 1}],
    )
    assert await api.call("GET", "/schemas/types") == (200, ["AVRO"])
    assert await api.call("GET", "/schemas/ids/2/schema") == (200, json.loads(V2))
    assert await api.call("GET", "/mode") == (200, {"mode": "READWRITE"})


async def test_an_incompatible_schema_is_409_and_nothing_is_written(
    api: Api, settings: Settings
) -> None:
    assert await api.register("s-value", V1) == (200, {"id": 1})
    before = await read_topic(settings)
    status, body = await api.register("s-value", record_schema(NO, OWNER))
    assert status == 409 and body["error_code"] == 409
    assert "READER_FIELD_MISSING_DEFAULT_VALUE" in body["message"]
    assert await read_topic(settings) == before

    check = "/compatibility/subjects/s-value/versions/latest"
    assert await api.call("POST", check, {"schema": record_schema(NO, OWNER)}) == (
        200,
        {"is_compatible": False},
    )
    status, verbose = await api.call(
        "POST", check + "?verbose=true", {"schema": record_schema(NO, OWNER)}
    )
    assert verbose["is_compatible"] is False and verbose["messages"]
    assert await api.call("POST", check, {"schema": V2}) == (200, {"is_compatible": True})
    assert await api.call("POST", "/compatibility/subjects/s-value/versions", {"schema": V2}) == (
        200,
        {"is_compatible": True},
    )
    assert await api.call(
        "POST", "/compatibility/subjects/new-value/versions/latest", {"schema": V1}
    ) == (200, {"is_compatible": True})

    assert await api.call("PUT", "/config/s-value", {"compatibility": "none"}) == (
        200,
        {"compatibility": "NONE"},
    )
    assert await api.register("s-value", record_schema(NO, OWNER)) == (200, {"id": 2})


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("POST", "/subjects/s-value/versions", {"schema": '{"type":"recrd"}'}, 422, 42201),
        ("POST", "/subjects/s-value/versions", {"schema": "{"}, 422, 42201),
        ("POST", "/subjects/s-value/versions", {}, 422, 42201),
        ("POST", "/subjects/nobody", {"schema": '"int"'}, 404, 40401),
        ("POST", "/subjects/s-value", {"schema": '"int"'}, 404, 40403),
        ("GET", "/subjects/nobody/versions", None, 404, 40401),
        ("GET", "/subjects/s-value/versions/9", None, 404, 40402),
        ("GET", "/subjects/s-value/versions/0", None, 422, 42202),
        ("GET", "/subjects/s-value/versions/one", None, 422, 42202),
        ("GET", "/schemas/ids/999", None, 404, 40403),
        ("GET", "/config/s-value", None, 404, 40408),
        ("PUT", "/config", {"compatibility": "SOMETIMES"}, 422, 42203),
        ("DELETE", "/config/s-value", None, 404, 40401),
        ("GET", "/no/such/path", None, 404, 404),
    ],
)
async def test_errors_come_back_in_confluents_shape(
    api: Api, method: str, path: str, body: object, status: int, code: int
) -> None:
    assert await api.register("s-value", V1) == (200, {"id": 1})
    got_status, got = await api.call(method, path, body)
    assert (got_status, got["error_code"]) == (status, code), got
    assert isinstance(got["message"], str) and got["message"]


async def test_invalid_schema_message_is_the_parsers(api: Api) -> None:
    status, body = await api.register("s-value", '{"type":"record","name":"A"}')
    assert (status, body["error_code"]) == (422, 42201)
    assert "fields" in body["message"]


async def test_soft_then_hard_delete_of_versions_and_subjects(api: Api) -> None:
    await api.register("s-value", V1)
    await api.register("s-value", V2)

    assert await api.call("DELETE", "/subjects/s-value/versions/1?permanent=true") == (
        404,
        {
            "error_code": 40407,
            "message": "Subject 's-value' Version 1 was not deleted first "
            "before being permanently deleted",
        },
    )
    assert await api.call("DELETE", "/subjects/s-value/versions/1") == (200, 1)
    assert (await api.call("DELETE", "/subjects/s-value/versions/1"))[1]["error_code"] == 40406
    assert await api.call("GET", "/subjects/s-value/versions") == (200, [2])
    assert await api.call("GET", "/subjects/s-value/versions?deleted=true") == (200, [1, 2])
    status, old = await api.call("GET", "/subjects/s-value/versions/1?deleted=true")
    assert (status, old["id"]) == (200, 1)
    assert (await api.call("GET", "/schemas/ids/1"))[0] == 200  # old data stays readable
    assert await api.call("DELETE", "/subjects/s-value/versions/1?permanent=true") == (200, 1)
    assert await api.call("GET", "/subjects/s-value/versions?deleted=true") == (200, [2])
    assert (await api.call("GET", "/schemas/ids/1"))[1]["error_code"] == 40403

    assert (await api.call("DELETE", "/subjects/s-value?permanent=true"))[1]["error_code"] == 40405
    assert await api.call("DELETE", "/subjects/s-value") == (200, [2])
    assert (await api.call("DELETE", "/subjects/s-value"))[1]["error_code"] == 40404
    assert await api.call("GET", "/subjects") == (200, [])
    assert await api.call("GET", "/subjects?deleted=true") == (200, ["s-value"])
    assert (await api.call("GET", "/subjects/s-value/versions"))[1]["error_code"] == 40401
    assert await api.call("DELETE", "/subjects/s-value?permanent=true") == (200, [2])
    assert await api.call("GET", "/subjects?deleted=true") == (200, [])

    # A re-registered subject starts again at version 1; ids keep counting.
    assert await api.register("s-value", record_schema(OWNER)) == (200, {"id": 3})
    assert await api.call("GET", "/subjects/s-value/versions") == (200, [1])


async def test_config_at_every_level(api: Api) -> None:
    assert await api.call("GET", "/config") == (200, {"compatibilityLevel": "BACKWARD"})
    for level in (
        "BACKWARD",
        "BACKWARD_TRANSITIVE",
        "FORWARD",
        "FORWARD_TRANSITIVE",
        "FULL",
        "FULL_TRANSITIVE",
        "NONE",
    ):
        assert await api.call("PUT", "/config/s-value", {"compatibility": level}) == (
            200,
            {"compatibility": level},
        )
        assert await api.call("GET", "/config/s-value") == (200, {"compatibilityLevel": level})
    assert await api.call("PUT", "/config", {"compatibility": "FULL"}) == (
        200,
        {"compatibility": "FULL"},
    )
    assert await api.call("GET", "/config") == (200, {"compatibilityLevel": "FULL"})
    assert await api.call("DELETE", "/config/s-value") == (200, {"compatibilityLevel": "NONE"})
    assert (await api.call("GET", "/config/s-value"))[1]["error_code"] == 40408
    assert await api.call("GET", "/config/s-value?defaultToGlobal=true") == (
        200,
        {"compatibilityLevel": "FULL"},
    )
    # The global level now decides: FULL refuses a field added without a default.
    await api.register("s-value", V1)
    assert (await api.register("s-value", record_schema(NO, OWNER)))[0] == 409
    assert await api.call("DELETE", "/config") == (200, {"compatibilityLevel": "FULL"})
    assert await api.call("GET", "/config") == (200, {"compatibilityLevel": "BACKWARD"})


async def test_plain_json_is_accepted_and_other_media_types_are_not(api: Api) -> None:
    body = json.dumps({"schema": V1})
    async with api.http.post(
        "/subjects/s-value/versions", data=body, headers={"Content-Type": "application/json"}
    ) as response:
        assert (response.status, await response.json(content_type=None)) == (200, {"id": 1})
    async with api.http.post(
        "/subjects/s-value/versions", data=body, headers={"Content-Type": "text/plain"}
    ) as response:
        assert response.status == 415
    # a client that sends no Content-Type at all, as Confluent's registry allows
    async with api.http.post("/subjects/s-value/versions", data=body.encode()) as response:
        assert (response.status, await response.json(content_type=None)) == (200, {"id": 1})


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
