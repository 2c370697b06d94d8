"""`lienthong simulate edoc --url` against the real push API whose credential requires
HMAC-SHA256 signatures: with the secret in LIENTHONG_EDXML_HMAC_SECRET every post is signed
and accepted; without it the API refuses the first post and the simulator says so."""

import asyncio
import sys
from collections.abc import AsyncIterator

import pytest

from connectors.contract import Domain
from connectors.http import HttpPushSource
from lienthong.settings import Settings
from tests.cli_env import lienthong_env
from tests.conftest import free_port
from tests.integration.connector_contract import published_events, running_connector
from tests.integration.http_support import OFFICE, OFFICE_TOKEN, http_spec, wait_until_accepting

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

SECRET = "office-13-hmac-secret"


@pytest.fixture
async def api_url(bus_settings: Settings) -> AsyncIterator[str]:
    port = free_port()
    spec = http_spec(bus_settings, port)
    office = {
        "agency": OFFICE,
        "token": OFFICE_TOKEN,
        "domains": ["documents", "document_statuses"],
        "hmac_secret": SECRET,
        "require_signature": True,
    }
    spec = spec.model_copy(update={"options": spec.options | {"credentials": [office]}})
    async with running_connector(HttpPushSource(spec, bus_settings), bus_settings) as (_, task):
        url = f"http://127.0.0.1:{port}"
        await wait_until_accepting(url, task)
        yield url


async def simulate(settings: Settings, url: str, **variables: str) -> tuple[int, str]:
    # A child process, awaited: the API under test runs on this event loop.
    env = lienthong_env(settings, LIENTHONG_EDXML_TOKEN=OFFICE_TOKEN, **variables)
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "lienthong", "simulate", "edoc", "--url", url),
        *("--events", "3", "--rate", "50"),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, output.decode(errors="replace")


async def test_signed_posts_are_accepted_and_unsigned_ones_refused(
    bus_settings: Settings, api_url: str
) -> None:
    code, output = await simulate(bus_settings, api_url, LIENTHONG_EDXML_HMAC_SECRET=SECRET)
    assert code == 0, output
    assert "3 edXML inputs" in output
    published = await published_events(bus_settings, Domain.DOCUMENTS)
    assert published and {p.event.envelope.source_agency for p in published} == {OFFICE}

    code, output = await simulate(bus_settings, api_url)
    assert code == 2, output
    assert "refused the token or signature (401)" in output
    assert SECRET not in output
