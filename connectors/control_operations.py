"""What `lienthong connectors …` does, without the terminal: find a connector, wait for it to
report what was asked, forget its position while no process runs it."""

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

from connectors.control import read_connector_states
from connectors.control_records import (
    FAILED,
    PAUSED,
    RUNNING,
    STOPPED,
    UNASSIGNED,
    ConnectorAction,
    ConnectorState,
    ControlRequest,
)
from connectors.offsets import delete_committed_value
from connectors.runner import transactional_id_for
from lienthong.errors import ConfigurationError, LienthongError
from lienthong.settings import Settings

__all__ = [
    "ConnectorNotStoppedError",
    "UnknownConnectorError",
    "await_requested_state",
    "check_resettable",
    "find_connector",
    "requested_state",
    "reset_offsets",
    "resettable_connector",
    "shows_request",
]

_POLL_S: Final = 0.5
_RESETTABLE: Final = frozenset({STOPPED, UNASSIGNED})


class UnknownConnectorError(ConfigurationError):
    """No connector of that name has ever reported a state."""


class ConnectorNotStoppedError(LienthongError):
    """The connector runs (or may): its position cannot be reset under it."""


def find_connector(states: Sequence[ConnectorState], name: str) -> ConnectorState:
    for state in states:
        if state.name == name:
            return state
    known = ", ".join(state.name for state in states) or "none"
    raise UnknownConnectorError(f"no connector named {name} has reported a state (known: {known})")


def requested_state(action: ConnectorAction) -> str:
    return {ConnectorAction.PAUSE: PAUSED, ConnectorAction.STOP: STOPPED}.get(action, RUNNING)


def shows_request(state: ConnectorState, request: ControlRequest) -> bool:
    """True once the connector's report shows the request applied: in the requested state,
    and after a restart, in a session started after the request."""
    if state.state != requested_state(request.action):
        return False
    if request.action is not ConnectorAction.RESTART:
        return True
    return state.started_at is not None and state.started_at >= request.requested_at


async def await_requested_state(
    settings: Settings, request: ControlRequest, *, wait_s: float
) -> tuple[ConnectorState, bool]:
    """The connector's latest report and whether it shows the request: once it does, once
    the connector FAILED, or after `wait_s`."""
    deadline = time.monotonic() + wait_s
    while True:
        state = find_connector(await read_connector_states(settings), request.name)
        shown = shows_request(state, request)
        if shown or state.state == FAILED or time.monotonic() >= deadline:
            return state, shown
        await asyncio.sleep(_POLL_S)


def check_resettable(state: ConnectorState, settings: Settings) -> None:
    """ConnectorNotStoppedError unless the connector is stopped, or no process runs it."""
    now, heartbeat_s = datetime.now(UTC), settings.connector.heartbeat_every_s
    effective = state.effective_state(now, heartbeat_s)
    if effective not in _RESETTABLE:
        raise ConnectorNotStoppedError(
            f"{state.name} is {effective} on {state.worker}; "
            f"stop it first: lienthong connectors stop {state.name}"
        )


async def resettable_connector(settings: Settings, name: str) -> ConnectorState:
    """`name`'s last report, when its position may be reset (see check_resettable)."""
    state = find_connector(await read_connector_states(settings), name)
    check_resettable(state, settings)
    return state


async def reset_offsets(settings: Settings, name: str) -> ConnectorState:
    """Forget `name`'s stored position, so it reads its source from the beginning when it
    next runs; refused unless it is stopped or no process runs it."""
    state = await resettable_connector(settings, name)
    await delete_committed_value(settings, name, transactional_id_for(name))
    return state
