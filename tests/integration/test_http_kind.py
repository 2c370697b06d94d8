"""The `http` push API on a real port in front of a real runner and broker, called over HTTP as a
department system would: 202 means the event is on Kafka, a keyed retry publishes nothing
more, and every bad request gets its status without ending the process."""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from connectors.contract import Domain
from connectors.http import HttpPushSource
from connectors.runner import ConnectorRunner
from lienthong.events import AdminCodeList, DossierChange
from lienthong.settings import Settings
from tests.conftest import REPO_ROOT, free_port
from tests.integration.connector_contract import (
    Published,
    published_events,
    read_committed,
    running_connector,
)
from tests.integration.http_support import (
    COMMUNE,
    COMMUNE_TOKEN,
    MAX_BODY,
    OFFICE,
    OFFICE_TOKEN,
    bearer,
    change_json,
    http_spec,
    wait_until_accepting,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


@dataclass
class Api:
    url: str
    session: aiohttp.ClientSession
    runner: ConnectorRunner
    settings: Settings

    async def post(
        self, path: str, body: Any = None, *, token: str | None = COMMUNE_TOKEN, **kw: Any
    ) -> tuple[int, Any, Mapping[str, str]]:
        headers = kw.pop("headers", {})
        if token is not None:
            headers |= bearer(token)
        if body is not None:
            kw["json"] = body
        async with self.session.post(f"{self.url}{path}", headers=headers, **kw) as answer:
            text = await answer.text()
            return answer.status, json.loads(text) if text else None, answer.headers

    async def dossiers(self) -> list[Published]:
        return await published_events(self.settings, Domain.DOSSIERS)


@pytest.fixture
async def api(bus_settings: Settings) -> AsyncIterator[Api]:
    port = free_port()
    source = HttpPushSource(http_spec(bus_settings, port), bus_settings)
    async with running_connector(source, bus_settings) as (runner, task):
        url = f"http://127.0.0.1:{port}"
        await wait_until_accepting(url, task)
        async with aiohttp.ClientSession() as session:
            yield Api(url, session, runner, bus_settings)


async def committed(api: Api, event_ids: Sequence[str]) -> list[Published]:
    """The dossier events with these ids. A 202 follows the commit; the commit markers reach the
    partition a moment later, so a read_committed consumer may need a second look."""
    deadline = time.monotonic() + 15
    while True:
        found = [p for p in await api.dossiers() if str(p.event.envelope.event_id) in event_ids]
        if len(found) >= len(event_ids) or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.2)


async def test_202_is_answered_once_the_event_is_committed_to_kafka(api: Api) -> None:
    document = change_json("H41-A-1", 1, admin_unit_code="17683", admin_code_list="2004")
    status, body, _ = await api.post("/v1/dossiers/changes", document)
    assert status == 202, body
    [published] = await committed(api, [body["event_id"]])
    event = published.event
    assert isinstance(event, DossierChange)
    assert event.envelope.source_agency == COMMUNE  # the caller's agency, not the connector's
    assert event.envelope.source_system == "push-api"
    assert event.after is not None and event.after.status == "seq-1"
    assert (event.envelope.admin_unit_code, event.envelope.admin_code_list) == (
        "17683",
        AdminCodeList.VN2004,
    )
    assert (body["key"], body["version"]) == ("H41-A-1", 1)


async def test_a_keyed_retry_gets_the_same_event_id_and_adds_no_event(api: Api) -> None:
    keyed = {"Idempotency-Key": "h41-a-2/v1"}
    document = change_json("H41-A-2", 1)
    first = await api.post("/v1/dossiers/changes", document, headers=keyed)
    retried = await api.post("/v1/dossiers/changes", document, headers=keyed)
    assert first[0] == retried[0] == 202
    assert first[1] == retried[1]
    assert retried[2]["Idempotent-Replayed"] == "true"
    other = await api.post("/v1/dossiers/changes", change_json("H41-A-2", 2), headers=keyed)
    assert other[0] == 409
    published = await committed(api, [first[1]["event_id"]])
    assert [p.event.envelope.entity_key for p in await api.dossiers()] == ["H41-A-2"]
    assert len(published) == 1


async def test_bad_requests_get_their_status_and_nothing_is_published(api: Api) -> None:
    path = "/v1/dossiers/changes"
    valid = change_json("H41-A-3", 1)
    wrong_types = change_json("H41-A-3", 1, version="one", occurred_at="yesterday")
    wrong_types["after"]["applicant"].pop("name")
    big = change_json("H41-A-3", 1, correlation_id="x" * 100) | {"pad": "x" * MAX_BODY}
    answers = {
        "malformed": await api.post(path, data=b'{"key": ', headers=_json_type()),
        "wrong types": await api.post(path, wrong_types),
        "no token": await api.post(path, valid, token=None),
        "unknown token": await api.post(path, valid, token="guessed"),
        "not its domain": await api.post("/v1/documents/changes", valid),
        "unknown domain": await api.post("/v1/taxes/changes", valid),
        "oversized": await api.post(path, big),
        "oversized chunked": await api.post(path, data=_chunks(big), headers=_json_type()),
        "not json": await api.post(path, data=b"key=1", headers={"Content-Type": "text/plain"}),
        "bad key": await api.post(path, valid, headers={"Idempotency-Key": "a b"}),
        "batch too long": await api.post(f"{path}:batch", [valid] * 21),
        "unknown code list": await api.post(path, valid | {"admin_code_list": "VN1999"}),
    }
    statuses = {name: status for name, (status, _, _) in answers.items()}
    assert statuses == {
        "malformed": 400,
        "wrong types": 422,
        "no token": 401,
        "unknown token": 401,
        "not its domain": 403,
        "unknown domain": 404,
        "oversized": 413,
        "oversized chunked": 413,
        "not json": 415,
        "bad key": 400,
        "batch too long": 413,
        "unknown code list": 422,
    }
    for _, body, headers in answers.values():
        assert headers["Content-Type"].startswith("application/problem+json")
        assert body["status"] in statuses.values()
    paths = [error["loc"] for error in answers["wrong types"][1]["errors"]]
    assert sorted(paths) == ["occurred_at", "version"]  # the request's own fields come first
    code_list_paths = [error["loc"] for error in answers["unknown code list"][1]["errors"]]
    assert code_list_paths == ["admin_code_list"]
    entity = await api.post(path, valid | {"after": valid["after"] | {"fee_vnd": -1}})
    assert (entity[0], [e["loc"] for e in entity[1]["errors"]]) == (422, ["after.fee_vnd"])

    status, body, _ = await api.post(path, valid)  # the process is still serving
    assert status == 202
    assert [str(p.event.envelope.event_id) for p in await committed(api, [body["event_id"]])] == [
        body["event_id"]
    ]
    dossiers = Domain.DOSSIERS.topic(api.settings.topics)
    assert await read_committed(api.settings, api.settings.topics.dead_letter(dossiers)) == []
    assert api.runner.stats.dead_lettered == 0


async def test_a_batch_is_published_in_order_or_refused_whole(api: Api) -> None:
    batch = [change_json("H41-A-4", seq) for seq in range(1, 6)]
    broken = [*batch[:2], change_json("H41-A-5", 1, operation="MERGE"), *batch[3:]]
    status, body, _ = await api.post("/v1/dossiers/changes:batch", broken)
    assert status == 422
    assert [error["loc"] for error in body["errors"]] == ["[2].operation"]

    status, body, _ = await api.post("/v1/dossiers/changes:batch", batch)
    assert status == 202
    assert body["accepted"] == 5
    assert [result["version"] for result in body["results"]] == [1, 2, 3, 4, 5]
    ids = [result["event_id"] for result in body["results"]]
    published = await committed(api, ids)
    assert [str(p.event.envelope.event_id) for p in published] == ids
    assert {p.event.envelope.entity_key for p in await api.dossiers()} == {"H41-A-4"}


async def test_openapi_describes_every_route_and_health_answers(api: Api) -> None:
    async with api.session.get(f"{api.url}/openapi.json") as answer:
        assert answer.status == 200
        document = json.loads(await answer.read())
    assert document["openapi"].startswith("3.1")
    assert {
        "/v1/dossiers/changes",
        "/v1/dossiers/changes:batch",
        "/v1/documents/changes",
        "/v1/document_statuses/changes:batch",
        "/v1/edxml",
        "/health",
    } <= set(document["paths"])
    schemas = document["components"]["schemas"]
    assert {"Dossier", "Document", "DocumentStatus", "Problem"} <= set(schemas)
    for ref in _refs(document):
        assert ref.removeprefix("#/components/schemas/") in schemas, ref
    async with api.session.get(f"{api.url}/health") as answer:
        assert (answer.status, (await answer.json())["accepting"]) == (200, True)


async def test_an_edxml_package_is_published_as_the_callers_document(api: Api) -> None:
    package = (REPO_ROOT / "tests" / "data" / "edxml" / "document_new.edxml").read_bytes()
    xml = {"Content-Type": "application/xml"}
    status, body, _ = await api.post("/v1/edxml", data=package, headers=xml, token=OFFICE_TOKEN)
    assert status == 202, body
    [result] = body["results"]
    assert result["domain"] == "documents"
    documents = await published_events(api.settings, Domain.DOCUMENTS)
    assert [str(p.event.envelope.event_id) for p in documents] == [result["event_id"]]
    assert documents[0].event.envelope.source_agency == OFFICE

    broken = await api.post("/v1/edxml", data=b"<edXML><unclosed>", headers=xml, token=OFFICE_TOKEN)
    assert broken[0] == 422 and "broken" in broken[1]["detail"]
    refused = await api.post("/v1/edxml", data=package, headers=xml)
    assert refused[0] == 403  # the commune's token may send dossiers only


async def test_no_change_is_accepted_while_nothing_reads_them(bus_settings: Settings) -> None:
    port = free_port()
    source = HttpPushSource(http_spec(bus_settings, port), bus_settings)
    await source.prepare()  # listening, but no runner reads: as while starting or stopping
    try:
        async with aiohttp.ClientSession() as session:
            async with session.post(
                f"{source.url}/v1/dossiers/changes",
                json=change_json("H41-A-6", 1),
                headers=bearer(COMMUNE_TOKEN),
            ) as answer:
                assert answer.status == 503
                assert answer.headers["Retry-After"] == "1"
            async with session.get(f"{source.url}/health") as answer:
                assert answer.status == 503
    finally:
        await source.close()


def _json_type() -> dict[str, str]:
    return {"Content-Type": "application/json"}


async def _chunks(document: Any) -> AsyncIterator[bytes]:
    data = json.dumps(document).encode()
    for start in range(0, len(data), 8192):
        yield data[start : start + 8192]


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []
