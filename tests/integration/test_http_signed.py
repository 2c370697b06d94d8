"""Signed requests and rate limits on the `http` push API, on a real port in front of a real
runner and broker: a signature is good once, for its own body and path, and a credential
sending faster than its rate is answered 429; nothing refused reaches Kafka."""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from connectors.contract import Domain
from connectors.http import HttpPushSource
from connectors.http.signing import signed_headers
from connectors.spec import ConnectorSpec
from lienthong.settings import Settings
from tests.conftest import free_port
from tests.integration.connector_contract import published_events, running_connector
from tests.integration.http_support import (
    COMMUNE,
    COMMUNE_TOKEN,
    bearer,
    change_json,
    http_spec,
    wait_until_accepting,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

SECRET = "commune-12-hmac-secret"
BUSY, BUSY_TOKEN = "000.00.14.H41", "busy-14-secret"
BUSY_BURST = 2
JSON = {"Content-Type": "application/json"}


def signed_spec(settings: Settings, port: int) -> ConnectorSpec:
    spec = http_spec(settings, port)
    credentials = [
        {
            "agency": COMMUNE,
            "token": COMMUNE_TOKEN,
            "domains": ["dossiers"],
            "hmac_secret": SECRET,
            "require_signature": True,
        },
        # a rate so low that no request after the burst can be admitted during the test
        {
            "agency": BUSY,
            "token": BUSY_TOKEN,
            "domains": ["dossiers"],
            "rate_per_s": 0.001,
            "burst": BUSY_BURST,
        },
    ]
    return spec.model_copy(update={"options": spec.options | {"credentials": credentials}})


@dataclass
class Api:
    url: str
    session: aiohttp.ClientSession
    settings: Settings

    async def post(
        self, path: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[int, Any, Mapping[str, str]]:
        async with self.session.post(f"{self.url}{path}", data=body, headers=headers) as answer:
            text = await answer.text()
            return answer.status, json.loads(text) if text else None, answer.headers

    async def dossier_keys(self, at_least: int) -> list[str]:
        """The keys of the published dossier events (in no order across partitions), once
        there are `at_least` (the commit markers may reach the partition after the 202)."""
        deadline = time.monotonic() + 15
        while True:
            published = await published_events(self.settings, Domain.DOSSIERS)
            keys = [p.event.envelope.entity_key for p in published]
            if len(keys) >= at_least or time.monotonic() > deadline:
                return keys
            await asyncio.sleep(0.2)


@pytest.fixture
async def api(bus_settings: Settings) -> AsyncIterator[Api]:
    port = free_port()
    source = HttpPushSource(signed_spec(bus_settings, port), bus_settings)
    async with running_connector(source, bus_settings) as (_runner, task):
        url = f"http://127.0.0.1:{port}"
        await wait_until_accepting(url, task)
        async with aiohttp.ClientSession() as session:
            yield Api(url, session, bus_settings)


def body_of(document: Any) -> bytes:
    return json.dumps(document).encode("utf-8")


def signed(path: str, body: bytes) -> dict[str, str]:
    return bearer(COMMUNE_TOKEN, **JSON, **signed_headers(SECRET, "POST", path, body))


async def test_a_signature_is_good_once_and_only_for_its_own_request(api: Api) -> None:
    path = "/v1/dossiers/changes"
    first = body_of(change_json("H41-S-1", 1))
    headers = signed(path, first)
    status, answer, _ = await api.post(path, first, headers)
    assert status == 202, answer

    status, problem, answered = await api.post(path, first, headers)  # replayed as captured
    assert (status, answered["Content-Type"]) == (401, "application/problem+json")
    assert "already used" in problem["detail"]

    tampered = body_of(change_json("H41-S-1", 1, key="H41-S-666"))
    status, problem, _ = await api.post(path, tampered, headers)
    assert (status, problem["detail"]) == (401, "the signature does not match the request")

    elsewhere = "/v1/dossiers/changes:batch"
    status, problem, _ = await api.post(elsewhere, body_of([change_json("H41-S-9", 1)]), headers)
    assert (status, problem["detail"]) == (401, "the signature does not match the request")

    unsigned = bearer(COMMUNE_TOKEN, **JSON)
    status, problem, _ = await api.post(path, body_of(change_json("H41-S-8", 1)), unsigned)
    assert (status, problem["detail"]) == (401, f"agency {COMMUNE} must sign its requests")

    old = bearer(
        COMMUNE_TOKEN, **JSON, **signed_headers(SECRET, "POST", path, first, int(time.time()) - 900)
    )
    status, problem, _ = await api.post(path, first, old)
    assert status == 401 and "away from the server's clock" in problem["detail"]

    batch = body_of([change_json("H41-S-2", 1), change_json("H41-S-3", 1)])
    status, answer, _ = await api.post(elsewhere, batch, signed(elsewhere, batch))
    assert status == 202, answer

    assert sorted(await api.dossier_keys(at_least=3)) == ["H41-S-1", "H41-S-2", "H41-S-3"]


async def test_a_credential_sending_faster_than_its_rate_gets_429(api: Api) -> None:
    path = "/v1/dossiers/changes"
    headers = bearer(BUSY_TOKEN, **JSON)
    for seq in range(1, BUSY_BURST + 1):
        status, answer, _ = await api.post(path, body_of(change_json("H41-R-1", seq)), headers)
        assert status == 202, answer
    over = body_of(change_json("H41-R-1", BUSY_BURST + 1))
    status, problem, answered = await api.post(path, over, headers)
    assert (status, answered["Content-Type"]) == (429, "application/problem+json")
    assert int(answered["Retry-After"]) >= 1 and "requests per second" in problem["detail"]

    # the other credential has its own bucket
    first = body_of(change_json("H41-S-4", 1))
    status, answer, _ = await api.post(path, first, signed(path, first))
    assert status == 202, answer
    keys = await api.dossier_keys(at_least=BUSY_BURST + 1)
    assert sorted(keys) == ["H41-R-1"] * BUSY_BURST + ["H41-S-4"]
