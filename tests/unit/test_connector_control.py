"""Connector states and operators' requests without Kafka: their records, when a connector
counts as gone, and how a runner's session control applies requests."""

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import ConsumerRecord

from connectors.control import ConnectorAction, ConnectorState, ControlRequest
from connectors.control_operations import UnknownConnectorError, find_connector, shows_request
from connectors.control_records import (
    MalformedRecordError,
    request_from_json,
    request_to_json,
    state_from_json,
    state_to_json,
)
from connectors.control_target import SessionControl
from connectors.control_topic import latest_values
from lienthong.cli.connectors import age_text, state_style

NOW = datetime(2025, 7, 1, 8, 0, tzinfo=UTC)


def state(name: str = "motcua", status: str = "RUNNING", age_s: float = 0.0) -> ConnectorState:
    return ConnectorState(
        name=name,
        kind="outbox",
        agency="000.00.00.H41",
        state=status,
        worker="host-a:4242",
        reported_at=NOW - timedelta(seconds=age_s),
        published=12,
        dead_lettered=1,
        last_commit_at=NOW - timedelta(seconds=30),
        position="12",
        error=None,
        started_at=NOW - timedelta(minutes=5),
    )


def request(action: ConnectorAction, at: datetime = NOW) -> ControlRequest:
    return ControlRequest("motcua", action, at, f"{action}-{at.timestamp()}")


def test_a_state_survives_its_json_record() -> None:
    reported = state(status="FAILED")
    assert state_from_json(state_to_json(reported)) == reported


def test_a_request_survives_its_json_record() -> None:
    asked = request(ConnectorAction.RESTART)
    assert request_from_json("motcua", request_to_json(asked)) == asked


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[1]", b'{"name": "x"}', b'{"action": "explode", "requested_at": "x"}'],
)
def test_unreadable_records_are_refused_by_name(raw: bytes) -> None:
    with pytest.raises(MalformedRecordError):
        state_from_json(raw)
    with pytest.raises(MalformedRecordError):
        request_from_json("motcua", raw)


@pytest.mark.parametrize(
    ("status", "age_s", "effective"),
    [
        ("RUNNING", 14.0, "RUNNING"),
        ("RUNNING", 16.0, "UNASSIGNED"),
        ("PAUSED", 16.0, "UNASSIGNED"),
        ("FAILED", 16.0, "UNASSIGNED"),
        ("STOPPED", 3600.0, "STOPPED"),
        ("UNASSIGNED", 0.0, "UNASSIGNED"),
    ],
)
def test_a_connector_whose_reports_stop_is_unassigned_unless_stopped(
    status: str, age_s: float, effective: str
) -> None:
    assert state(status=status, age_s=age_s).effective_state(NOW, heartbeat_s=5.0) == effective


def test_a_stopped_connector_of_an_exited_process_is_not_run_by_anyone() -> None:
    assert state(status="STOPPED", age_s=3600).is_reporting(NOW, 5.0) is False
    assert state(status="STOPPED", age_s=1).is_reporting(NOW, 5.0) is True


def test_a_tombstone_forgets_its_key_and_the_newest_value_wins() -> None:
    def record(offset: int, key: bytes, value: bytes | None) -> ConsumerRecord[bytes, bytes]:
        return ConsumerRecord("t", 0, offset, 0, 0, key, value, None, 1, 1, ())

    records = [record(0, b"a", b"1"), record(1, b"b", b"1"), record(2, b"a", b"2")]
    assert latest_values([*records, record(3, b"b", None)]) == {"a": b"2"}


def test_an_unknown_connector_is_named_with_the_known_ones() -> None:
    with pytest.raises(UnknownConnectorError, match=r"no connector named land .*known: motcua"):
        find_connector([state()], "land")


def test_a_restart_shows_only_in_a_session_started_after_it() -> None:
    asked = request(ConnectorAction.RESTART, NOW - timedelta(minutes=1))
    assert not shows_request(state(), asked), "its session started before the request"
    later = replace(state(), started_at=NOW)
    assert shows_request(later, asked)
    assert shows_request(state(status="PAUSED"), request(ConnectorAction.PAUSE))
    assert not shows_request(state(status="PAUSED"), request(ConnectorAction.STOP))


async def test_pause_and_stop_end_the_session_and_resume_lets_it_run() -> None:
    control = SessionControl()
    session_end = control.begin_session(NOW)
    control.apply(request(ConnectorAction.PAUSE))
    assert session_end.is_set() and control.target == "PAUSED"
    control.end_of_session()

    idle = asyncio.create_task(control.wait_while("PAUSED"))
    control.apply(request(ConnectorAction.STOP))
    await asyncio.wait_for(idle, 1)
    assert control.target == "STOPPED"
    idle = asyncio.create_task(control.wait_while("STOPPED"))
    control.apply(request(ConnectorAction.RESUME))
    await asyncio.wait_for(idle, 1)
    assert control.target == "RUNNING"


async def test_only_a_restart_asked_after_the_session_started_ends_it() -> None:
    control = SessionControl()
    session_end = control.begin_session(NOW)
    control.apply(request(ConnectorAction.RESTART, NOW - timedelta(seconds=1)))
    assert not session_end.is_set(), "an old restart record is not replayed"
    control.apply(request(ConnectorAction.RESTART, NOW + timedelta(seconds=1)))
    assert session_end.is_set()
    assert control.target == "RUNNING"


async def test_a_restart_runs_a_paused_connector_again() -> None:
    control = SessionControl()
    control.apply(request(ConnectorAction.PAUSE))
    control.apply(request(ConnectorAction.RESTART))
    assert control.target == "RUNNING"


async def test_a_held_session_waits_for_the_recorded_requests_or_its_end() -> None:
    control = SessionControl()
    control.hold_until_known()
    session_end = control.begin_session(NOW)
    waiting = asyncio.create_task(control.wait_until_known(session_end))
    await asyncio.sleep(0)
    assert not waiting.done()
    control.apply(request(ConnectorAction.PAUSE))
    await asyncio.wait_for(waiting, 1)
    control.end_of_session()

    control.begin_session(NOW)
    waiting = asyncio.create_task(control.wait_until_known(asyncio.Event()))
    control.requests_known()
    await asyncio.wait_for(waiting, 1)


async def test_a_stopping_process_ends_the_session_and_any_idle_wait() -> None:
    control = SessionControl()
    control.apply(request(ConnectorAction.PAUSE))
    idle = asyncio.create_task(control.wait_while("PAUSED"))
    control.stop()
    await asyncio.wait_for(idle, 1)
    assert control.begin_session(NOW).is_set(), "no new session once stopping"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.4, "0 s"), (59, "59 s"), (60, "1 min"), (7200, "2 h"), (3 * 86400 + 5, "3 d")],
)
def test_ages_read_in_the_largest_whole_unit(seconds: float, text: str) -> None:
    assert age_text(seconds) == text


def test_states_are_green_amber_or_red() -> None:
    assert state_style("RUNNING") == "green"
    assert state_style("PAUSED") == state_style("STOPPED") == "yellow"
    assert state_style("FAILED") == state_style("UNASSIGNED") == "red"
    assert state_style("STARTING") == "yellow"
    assert state_style("STARTING", failing=True) == "red", "retrying after a failure"
