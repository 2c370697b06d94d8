"""The whole chain of trust for a pushing agency, on a real port, broker, key registry and
`lienthong streams worker` requiring signatures: the agency signs its request (HMAC), the
push API signs each event with the agency's Ed25519 key, and the worker verifies it before
applying. A replayed or tampered request is refused at the door, and the good requests
around it reach the centre, once each."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import Engine, func, inspect, select

from connectors.contract import Domain
from connectors.http import HttpPushSource
from lienthong.settings import Settings, TrustSettings
from lienthong.topics import bus_topics, ensure_topics
from lienthong.trust.key_files import new_pending_key
from lienthong.trust.registry_admin import register_key
from streams.centre.schema import DOSSIER_HISTORY, DOSSIERS
from tests.conftest import free_port
from tests.integration.connector_contract import published_events, running_connector
from tests.integration.http_support import COMMUNE, change_json, wait_until_accepting
from tests.integration.test_http_signed import Api, body_of, signed, signed_spec
from tests.integration.test_signed_events import dead_letters, dossiers_in_centre
from tests.integration.test_streams_worker import centre_engine, running_worker

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

PATH, BATCH = "/v1/dossiers/changes", "/v1/dossiers/changes:batch"


@pytest.fixture
async def settings(bus_settings: Settings) -> Settings:
    chosen = bus_settings.model_copy(update={"trust": TrustSettings(require_signatures=True)})
    await ensure_topics(chosen, bus_topics(chosen))
    return chosen


@pytest.fixture
def key_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "keys"
    folder.mkdir()
    return folder


async def commune_key(settings: Settings, folder: Path) -> Path:
    """The commune's key pair, its public half registered, as `lienthong keys generate`
    leaves it."""
    pending = new_pending_key(folder, COMMUNE, replace=False)
    await register_key(settings, COMMUNE, pending.private_key.public_key(), datetime.now(UTC))
    pending.keep()
    return pending.path


@pytest.fixture
async def api(settings: Settings, key_folder: Path) -> AsyncIterator[Api]:
    port = free_port()
    key = await commune_key(settings, key_folder)
    spec = signed_spec(settings, port).model_copy(update={"signing_keys": {COMMUNE: key}})
    async with running_connector(HttpPushSource(spec, settings), settings) as (_runner, task):
        url = f"http://127.0.0.1:{port}"
        await wait_until_accepting(url, task)
        async with aiohttp.ClientSession() as session:
            yield Api(url, session, settings)


def all_applied(engine: Engine, keys: set[str]) -> bool:
    """Whether the centre (once the worker has made its tables) holds every one of `keys`."""
    return inspect(engine).has_table(DOSSIERS.name) and dossiers_in_centre(engine) >= keys


def history_rows(engine: Engine, no: str) -> int:
    with engine.connect() as conn:
        query = select(func.count()).where(DOSSIER_HISTORY.c.dossier_no == no)
        return int(conn.execute(query).scalar_one())


async def test_a_replayed_or_tampered_request_is_refused_and_the_good_ones_are_applied(
    api: Api, settings: Settings, log_path: Path
) -> None:
    first = body_of(change_json("H41-T-1", 1))
    headers = signed(PATH, first)
    assert (await api.post(PATH, first, headers))[0] == 202
    replayed = await api.post(PATH, first, headers)
    assert (replayed[0], "already used" in replayed[1]["detail"]) == (401, True)
    tampered = body_of(change_json("H41-T-1", 1, key="H41-T-666"))
    assert (await api.post(PATH, tampered, headers))[0] == 401
    batch = body_of([change_json("H41-T-2", 1), change_json("H41-T-3", 1)])
    assert (await api.post(BATCH, batch, signed(BATCH, batch)))[0] == 202

    good = {"H41-T-1", "H41-T-2", "H41-T-3"}
    with running_worker(settings, log_path) as worker:
        async with centre_engine(settings) as engine:
            await worker.wait_for("the good events", lambda: all_applied(engine, good))
            assert dossiers_in_centre(engine) == good
            assert {no: history_rows(engine, no) for no in good} == dict.fromkeys(good, 1)
    published = await published_events(settings, Domain.DOSSIERS)
    assert sorted(p.event.envelope.entity_key for p in published) == sorted(good)
    assert {p.event.envelope.signature_key_id for p in published} != {None}
    assert await dead_letters(settings) == {}
