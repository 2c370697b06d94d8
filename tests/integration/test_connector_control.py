"""Operating connectors through Kafka, on a real broker: the one-stop-shop's SQLite outbox
read by a supervised connector, paused, resumed, restarted, stopped and reset by requests on
the control topic, its states read back from the status topic."""

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from uuid import UUID

import pytest
from sqlalchemy import Engine

from connectors.contract import Domain
from connectors.control import (
    ConnectorAction,
    ConnectorState,
    read_connector_states,
    request_action,
)
from connectors.control_operations import ConnectorNotStoppedError, reset_offsets
from connectors.motcua.department import OutboxEventType
from connectors.motcua.outbox import motcua_outbox_runner
from connectors.motcua.source_db import create_source_engine, ensure_source_schema, write_change
from connectors.runner import ConnectorRunner
from connectors.supervisor import run_connectors
from lienthong.errors import ConfigurationError
from lienthong.settings import Settings
from tests.factories import AT, dept_dossier
from tests.integration.connector_contract import published_events

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

WAIT_S = 90.0
HEARTBEAT_S = 0.5


@pytest.fixture
def settings(bus_settings: Settings) -> Settings:
    connector = bus_settings.connector.model_copy(update={"heartbeat_every_s": HEARTBEAT_S})
    return bus_settings.model_copy(update={"connector": connector})


@pytest.fixture
def department(settings: Settings) -> Engine:
    engine = create_source_engine(settings)
    ensure_source_schema(engine)
    return engine


def write_dossiers(engine: Engine, numbers: range) -> None:
    for number in numbers:
        write_change(
            engine, OutboxEventType.CREATED, dept_dossier(f"D-{number}", AT), occurred_at=AT
        )


@asynccontextmanager
async def supervised(settings: Settings) -> AsyncIterator[asyncio.Task[None]]:
    """The one-stop-shop's connector run as `lienthong connect run` runs it."""
    runner: ConnectorRunner = motcua_outbox_runner(settings)
    stop = asyncio.Event()
    task = asyncio.create_task(run_connectors([runner], stop))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)


async def reported(
    settings: Settings, task: asyncio.Task[None], done: Callable[[ConnectorState], bool]
) -> ConnectorState:
    """The connector's first report that satisfies `done`."""
    deadline = time.monotonic() + WAIT_S
    while True:
        assert not task.done(), "the connectors' process ended by itself"
        found = [s for s in await read_connector_states(settings) if s.name == _name(settings)]
        if found and done(found[0]):
            return found[0]
        assert time.monotonic() < deadline, f"never reported as wanted: {found}"
        await asyncio.sleep(0.2)


async def event_ids(settings: Settings, task: asyncio.Task[None], count: int) -> list[UUID]:
    """The ids of the dossier events published, once there are `count`."""
    deadline = time.monotonic() + WAIT_S
    while True:
        assert not task.done(), "the connectors' process ended by itself"
        ids = [p.event.envelope.event_id for p in await published_events(settings, Domain.DOSSIERS)]
        if len(ids) >= count:
            return ids
        assert time.monotonic() < deadline, f"{len(ids)} of {count} events published"
        await asyncio.sleep(0.3)


async def heartbeats_after(settings: Settings, task: asyncio.Task[None], state: str) -> None:
    """Until the connector has reported `state` twice more: time enough to have published."""
    first = await reported(settings, task, lambda s: s.state == state)
    await reported(
        settings,
        task,
        lambda s: (s.reported_at - first.reported_at).total_seconds() > 2 * HEARTBEAT_S,
    )


def _name(settings: Settings) -> str:
    return settings.connector.name


async def test_pause_holds_the_changes_resume_publishes_them_restart_loses_nothing(
    settings: Settings, department: Engine
) -> None:
    name = _name(settings)
    write_dossiers(department, range(1, 4))
    async with supervised(settings) as task:
        running = await reported(settings, task, lambda s: s.state == "RUNNING")
        await event_ids(settings, task, 3)
        assert running.kind == "outbox" and running.error is None

        await request_action(settings, name, ConnectorAction.PAUSE)
        await reported(settings, task, lambda s: s.state == "PAUSED")
        write_dossiers(department, range(4, 7))
        await heartbeats_after(settings, task, "PAUSED")
        assert len(await event_ids(settings, task, 0)) == 3, "nothing published while paused"

        await request_action(settings, name, ConnectorAction.RESUME)
        resumed = await event_ids(settings, task, 6)
        before = await reported(settings, task, lambda s: s.published == 6)
        started = before.started_at
        assert started is not None

        await request_action(settings, name, ConnectorAction.RESTART)
        write_dossiers(department, range(7, 10))
        restarted = await reported(
            settings,
            task,
            lambda s: s.state == "RUNNING" and s.started_at is not None and s.started_at > started,
        )
        published = await event_ids(settings, task, 9)
        await reported(settings, task, lambda s: s.position == "9")
    assert len(resumed) == 6
    assert len(published) == len(set(published)) == 9, "nothing lost, nothing twice"
    assert restarted.worker == running.worker, "the same process runs the new session"
    [final] = [s for s in await read_connector_states(settings) if s.name == name]
    assert final.state == "UNASSIGNED", "a process exiting cleanly leaves it to no one"


async def test_reset_is_refused_while_running_and_republishes_the_source_once_stopped(
    settings: Settings, department: Engine
) -> None:
    name = _name(settings)
    write_dossiers(department, range(1, 4))
    async with supervised(settings) as task:
        await reported(settings, task, lambda s: s.state == "RUNNING")
        first = await event_ids(settings, task, 3)
        with pytest.raises(ConnectorNotStoppedError, match="stop it first"):
            await reset_offsets(settings, name)

        await request_action(settings, name, ConnectorAction.STOP)
        await reported(settings, task, lambda s: s.state == "STOPPED")
        await reset_offsets(settings, name)
        await request_action(settings, name, ConnectorAction.RESUME)
        again = await event_ids(settings, task, 6)
    assert Counter(again) == Counter(first * 2), "read again from the start: the same ids"


async def test_a_pause_recorded_before_the_process_starts_starts_it_paused(
    settings: Settings, department: Engine
) -> None:
    name = _name(settings)
    await request_action(settings, name, ConnectorAction.PAUSE)
    write_dossiers(department, range(1, 3))
    async with supervised(settings) as task:
        await heartbeats_after(settings, task, "PAUSED")
        assert await event_ids(settings, task, 0) == [], "paused from the start"
        await request_action(settings, name, ConnectorAction.RESUME)
        assert len(await event_ids(settings, task, 2)) == 2
    [final] = [s for s in await read_connector_states(settings) if s.name == name]
    assert final.published == 2


async def test_a_connector_that_cannot_go_on_reports_failed_with_its_error(
    settings: Settings,
) -> None:
    with create_source_engine(settings).connect():
        pass  # a database without the one-stop-shop's tables
    runner = motcua_outbox_runner(settings)
    with pytest.raises(ConfigurationError, match="outbox table"):
        await asyncio.wait_for(run_connectors([runner], asyncio.Event()), WAIT_S)
    [final] = [s for s in await read_connector_states(settings) if s.name == _name(settings)]
    assert final.state == "FAILED"
    assert final.error is not None and "outbox table outbox not found" in final.error
