"""The registry client over a scripted transport: requests sent, answers cached, errors typed."""

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from lienthong.errors import ConfigurationError, RetriableError, SchemaError
from lienthong.ids import SchemaId, Subject
from lienthong.serde import (
    CompatibilityLevel,
    IncompatibleSchemaError,
    RegistryClient,
    RegistryRequestError,
    RegistryUnavailableError,
    SchemaNotFoundError,
    SubjectNotFoundError,
    VersionNotFoundError,
    repo_schema,
)
from lienthong.serde.registry_errors import InvalidSchemaError, error_from_response
from schemas import DOSSIER_CHANGE

SUBJECT = Subject("motcua.dossiers-value")
SCHEMA = repo_schema(DOSSIER_CHANGE)

Answer = Callable[[str, str, Any, dict[str, str] | None], Any]


class ScriptedTransport:
    """Answers each request with `answer(...)`, after yielding once so calls can overlap."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[tuple[str, str, Any, dict[str, str] | None]] = []
        self.closed = False

    async def request(
        self, method: str, path: str, *, body: Any = None, params: dict[str, str] | None = None
    ) -> Any:
        self.requests.append((method, path, body, params))
        await asyncio.sleep(0)
        return self.answer(method, path, body, params)

    async def close(self) -> None:
        self.closed = True


def _registry(method: str, path: str, body: Any, params: dict[str, str] | None) -> Any:
    if path == "/subjects/motcua.dossiers-value/versions" and method == "POST":
        return {"id": 7}
    if path == "/subjects/motcua.dossiers-value" and method == "POST":
        return {"subject": SUBJECT, "version": 2, "id": 7, "schema": body["schema"]}
    if path == "/schemas/ids/7":
        return {"schema": SCHEMA.text}
    if path == "/subjects/motcua.dossiers-value/versions/latest":
        return {"subject": SUBJECT, "version": 2, "id": 7, "schema": SCHEMA.text}
    raise error_from_response(404, {"error_code": 40403, "message": "Schema not found"}, what=path)


async def test_register_posts_the_schema_text_once_and_caches_the_id() -> None:
    transport = ScriptedTransport(_registry)
    async with RegistryClient(transport) as client:
        ids = [await client.register(SUBJECT, SCHEMA) for _ in range(5)]
        assert await client.lookup(SUBJECT, SCHEMA) == 7
        assert await client.schema_by_id(SchemaId(7)) is SCHEMA
    assert ids == [7] * 5
    assert transport.requests == [
        ("POST", "/subjects/motcua.dossiers-value/versions", {"schema": SCHEMA.text}, None)
    ]
    assert transport.closed


async def test_concurrent_askers_of_one_unknown_id_share_one_request() -> None:
    transport = ScriptedTransport(_registry)
    client = RegistryClient(transport)
    schemas = await asyncio.gather(*(client.schema_by_id(SchemaId(7)) for _ in range(10)))
    assert {s.text for s in schemas} == {SCHEMA.text}
    assert await client.schema_by_id(SchemaId(7)) is schemas[0]
    assert [path for _, path, _, _ in transport.requests] == ["/schemas/ids/7"]


async def test_an_unknown_id_fails_every_time_and_is_not_cached() -> None:
    transport = ScriptedTransport(_registry)
    client = RegistryClient(transport)
    for _ in range(2):
        with pytest.raises(SchemaNotFoundError) as caught:
            await client.schema_by_id(SchemaId(99))
        assert caught.value.error_code == 40403
    assert len(transport.requests) == 2


async def test_lookup_and_latest_read_version_id_and_schema() -> None:
    client = RegistryClient(ScriptedTransport(_registry))
    found = await client.find(SUBJECT, SCHEMA)
    assert (found.subject, found.version, found.schema_id) == (SUBJECT, 2, 7)
    latest = await client.latest(SUBJECT)
    assert latest.schema == SCHEMA


async def test_subjects_with_reserved_characters_are_quoted_in_the_path() -> None:
    transport = ScriptedTransport(lambda *_: [1, 2])
    assert await RegistryClient(transport).versions(Subject("a/b c")) == [1, 2]
    assert transport.requests[0][1] == "/subjects/a%2Fb%20c/versions"


async def test_config_reads_the_subjects_level_or_the_global_one() -> None:
    transport = ScriptedTransport(
        lambda m, p, b, q: (
            {"compatibility": b["compatibility"]}
            if m == "PUT"
            else {"compatibilityLevel": "FULL_TRANSITIVE"}
        )
    )
    client = RegistryClient(transport)
    assert await client.get_config(SUBJECT) is CompatibilityLevel.FULL_TRANSITIVE
    level = await client.set_config(CompatibilityLevel.BACKWARD, SUBJECT)
    assert level is CompatibilityLevel.BACKWARD
    assert transport.requests[0][1:] == (
        "/config/motcua.dossiers-value",
        None,
        {"defaultToGlobal": "true"},
    )
    assert transport.requests[1][:3] == (
        "PUT",
        "/config/motcua.dossiers-value",
        {"compatibility": "BACKWARD"},
    )


async def test_a_compatibility_check_asks_for_the_verbose_answer() -> None:
    transport = ScriptedTransport(
        lambda *_: {"is_compatible": False, "messages": ["READER_FIELD_MISSING_DEFAULT_VALUE"]}
    )
    verdict = await RegistryClient(transport).check_compatibility(SUBJECT, SCHEMA)
    assert not verdict.is_compatible
    assert verdict.messages == ("READER_FIELD_MISSING_DEFAULT_VALUE",)
    path = "/compatibility/subjects/motcua.dossiers-value/versions/latest"
    assert transport.requests[0][1] == path
    assert transport.requests[0][3] == {"verbose": "true"}


async def test_an_answer_that_is_not_the_api_is_a_request_error() -> None:
    client = RegistryClient(ScriptedTransport(lambda *_: "<html>proxy</html>"))
    with pytest.raises(RegistryRequestError, match="expected a number in 'id'"):
        await client.register(SUBJECT, SCHEMA)


async def test_a_protobuf_schema_is_refused_by_name() -> None:
    answer = {"schema": "syntax = 'proto3';", "schemaType": "PROTOBUF"}
    client = RegistryClient(ScriptedTransport(lambda *_: answer))
    with pytest.raises(SchemaError, match="PROTOBUF"):
        await client.schema_by_id(SchemaId(3))


@pytest.mark.parametrize(
    ("status", "code", "kind", "group"),
    [
        (404, 40401, SubjectNotFoundError, ConfigurationError),
        (404, 40402, VersionNotFoundError, ConfigurationError),
        (404, 40403, SchemaNotFoundError, SchemaError),
        (409, 409, IncompatibleSchemaError, SchemaError),
        (422, 42201, InvalidSchemaError, SchemaError),
        (422, 42203, RegistryRequestError, ConfigurationError),
        (500, 50001, RegistryUnavailableError, RetriableError),
        (503, 50003, RegistryUnavailableError, RetriableError),
    ],
)
def test_confluent_error_bodies_become_typed_errors_carrying_the_code(
    status: int, code: int, kind: type[Exception], group: type[Exception]
) -> None:
    error = error_from_response(status, {"error_code": code, "message": "nope"}, what="GET /x")
    assert type(error) is kind
    assert isinstance(error, group)
    assert (error.error_code, error.http_status) == (code, status)
    assert str(error) == f"schema registry refused GET /x: nope (error {code})"
    assert error.retriable is (group is RetriableError)


def test_an_error_without_a_body_keeps_the_http_status() -> None:
    error = error_from_response(502, "<html>Bad Gateway</html>", what="GET /subjects")
    assert isinstance(error, RegistryUnavailableError)
    assert error.retriable
    assert "Bad Gateway" in str(error)
    assert error.error_code == 502
