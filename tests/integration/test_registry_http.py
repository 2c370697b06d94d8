"""The registry's REST API against a real broker: the registry runs in the test's event loop
(as `lienthong demo` runs it) on a topic of its own, and is spoken to over loopback HTTP."""

import json
from collections.abc import AsyncIterator

import pytest

from lienthong.settings import Settings
from tests.integration.registry_api import (
    NO,
    OWNER,
    V1,
    V2,
    Api,
    read_topic,
    record_schema,
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
