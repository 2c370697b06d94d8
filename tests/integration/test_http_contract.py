"""The contract suite on the `http` push API: a department system posting each change with its
own idempotency key, sending again whatever was not answered 202."""

import asyncio
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import aiohttp
import pytest

from connectors.contract import Domain, Source
from connectors.http import HttpPushSource
from connectors.spec import ConnectorSpec
from lienthong.events import ChangeEvent, DossierChange
from lienthong.settings import Settings
from tests.conftest import free_port
from tests.integration.connector_contract import (
    ConnectorContract,
    published_events,
    read_committed,
    running_connector,
)
from tests.integration.http_support import (
    COMMUNE_TOKEN,
    WAIT_S,
    bearer,
    change_json,
    http_spec,
    post_until_accepted,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


@dataclass
class HttpHarness:
    """The contract suite's department system: a client posting over HTTP with one key per
    change, sending again what was not answered 202 (as after the connector restarted)."""

    spec: ConnectorSpec
    settings: Settings
    coalesces: bool = False

    def make_source(self) -> Source:
        return HttpPushSource(self.spec, self.settings)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.spec.options['port']}/v1/dossiers/changes"

    async def write(self, changes: Sequence[tuple[str, int]]) -> None:
        async with aiohttp.ClientSession() as session:
            for key, seq in changes:
                await post_until_accepted(session, self.url, change_json(key, seq), f"{key}/{seq}")

    def seq_of(self, event: ChangeEvent) -> int:
        assert isinstance(event, DossierChange) and event.after is not None
        return int(event.after.status.removeprefix("seq-"))

    async def write_invalid(self) -> str:
        invalid = change_json(f"{self.spec.name}-invalid", 1)
        invalid["after"]["fee_vnd"] = -1
        key = f"invalid-{uuid.uuid4()}"
        async with aiohttp.ClientSession() as session:
            deadline = time.monotonic() + WAIT_S
            while True:
                headers = bearer(COMMUNE_TOKEN, **{"Idempotency-Key": key})
                async with session.post(self.url, json=invalid, headers=headers) as answer:
                    if answer.status != 503:
                        assert answer.status == 422
                        [error] = (await answer.json())["errors"]
                        loc: str = error["loc"]
                        return loc
                assert time.monotonic() < deadline
                await asyncio.sleep(0.2)


@pytest.fixture
def harness(bus_settings: Settings) -> HttpHarness:
    return HttpHarness(http_spec(bus_settings, free_port()), bus_settings)


class TestHttpContract(ConnectorContract):
    async def test_an_invalid_input_is_dead_lettered_and_the_stream_goes_on(
        self, harness: HttpHarness, bus_settings: Settings
    ) -> None:
        """The push API answers an invalid change 422 naming the field, so the caller fixes it;
        it never reaches the dead-letter topic, and the changes around it are published."""
        topic = Domain.DOSSIERS.topic(bus_settings.topics)
        before, after = f"{harness.spec.name}-before", f"{harness.spec.name}-after"
        async with running_connector(harness.make_source(), bus_settings) as (runner, task):
            await harness.write([(before, 1)])
            assert await harness.write_invalid() == "after.fee_vnd"
            await harness.write([(after, 1)])
            deadline = time.monotonic() + WAIT_S
            while {before, after} - {
                p.event.envelope.entity_key
                for p in await published_events(bus_settings, Domain.DOSSIERS)
            }:
                assert not task.done() and time.monotonic() < deadline
                await asyncio.sleep(0.2)
            assert runner.stats.dead_lettered == 0
        assert await read_committed(bus_settings, bus_settings.topics.dead_letter(topic)) == []
