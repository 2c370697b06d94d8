"""What connectors report and what operators ask of them, as records on two compacted topics.

Kafka Connect's model: each running connector reports its state (keyed by its name) on the
status topic; operators' requests (pause, resume, stop, restart) are keyed by name on the
control topic. Both values are JSON, so `kafka-console-consumer` shows them as they are.
"""

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

__all__ = [
    "FAILED",
    "MISSED_HEARTBEATS",
    "PAUSED",
    "RUNNING",
    "STARTING",
    "STOPPED",
    "UNASSIGNED",
    "ConnectorAction",
    "ConnectorState",
    "ControlRequest",
    "MalformedRecordError",
    "request_from_json",
    "request_to_json",
    "state_from_json",
    "state_to_json",
]

STARTING: Final = "STARTING"
"""Opening a session (or retrying after a failure: `error` then says why)."""
RUNNING: Final = "RUNNING"
PAUSED: Final = "PAUSED"
STOPPED: Final = "STOPPED"
FAILED: Final = "FAILED"
"""Failed for good: the process exits with this error."""
UNASSIGNED: Final = "UNASSIGNED"
"""No process runs the connector (it exited, or stopped reporting)."""

MISSED_HEARTBEATS: Final = 3
"""Reports missed before a connector counts as no longer run by any process."""


class ConnectorAction(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    RESTART = "restart"


class MalformedRecordError(ValueError):
    """A record on the status or control topic that this version cannot read."""


@dataclass(frozen=True)
class ConnectorState:
    """A connector's last report: its state and counters, by the process that runs it."""

    name: str
    kind: str
    agency: str
    state: str
    """As reported: STARTING, RUNNING, PAUSED, STOPPED, FAILED or UNASSIGNED."""
    worker: str
    """`host:pid` of the process running it (or that ran it last)."""
    reported_at: datetime
    published: int
    dead_lettered: int
    last_commit_at: datetime | None
    position: str | None
    error: str | None
    """The last failure (while retrying, or the one it failed with)."""
    started_at: datetime | None = None
    """When its current session started; None while it has none."""

    def effective_state(self, now: datetime, heartbeat_s: float) -> str:
        """The reported state, or UNASSIGNED once reports stopped coming (the process is
        gone); a STOPPED connector stays STOPPED: that is what an operator asked for."""
        if self.state == STOPPED or self.is_reporting(now, heartbeat_s):
            return self.state
        return UNASSIGNED

    def is_reporting(self, now: datetime, heartbeat_s: float) -> bool:
        """True while a live process runs it: it reported within the last few heartbeats."""
        if self.state == UNASSIGNED:
            return False
        return now - self.reported_at <= timedelta(seconds=MISSED_HEARTBEATS * heartbeat_s)


@dataclass(frozen=True)
class ControlRequest:
    """An operator's request for one connector; the latest per connector is what holds."""

    name: str
    action: ConnectorAction
    requested_at: datetime
    request_id: str


def state_to_json(state: ConnectorState) -> bytes:
    value = {
        key: item.isoformat() if isinstance(item, datetime) else item
        for key, item in asdict(state).items()
    }
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def state_from_json(raw: bytes) -> ConnectorState:
    value = _object(raw)
    try:
        return ConnectorState(
            name=str(value["name"]),
            kind=str(value["kind"]),
            agency=str(value["agency"]),
            state=str(value["state"]),
            worker=str(value["worker"]),
            reported_at=_moment(value["reported_at"]),
            published=int(value.get("published") or 0),
            dead_lettered=int(value.get("dead_lettered") or 0),
            last_commit_at=_optional_moment(value.get("last_commit_at")),
            position=_optional_text(value.get("position")),
            error=_optional_text(value.get("error")),
            started_at=_optional_moment(value.get("started_at")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedRecordError(f"not a connector state: {exc!r}") from exc


def request_to_json(request: ControlRequest) -> bytes:
    value = {
        "action": request.action.value,
        "requested_at": request.requested_at.isoformat(),
        "request_id": request.request_id,
    }
    return json.dumps(value).encode("utf-8")


def request_from_json(name: str, raw: bytes) -> ControlRequest:
    value = _object(raw)
    try:
        return ControlRequest(
            name=name,
            action=ConnectorAction(value["action"]),
            requested_at=_moment(value["requested_at"]),
            request_id=str(value["request_id"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedRecordError(f"not a connector request: {exc!r}") from exc


def _object(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise MalformedRecordError(f"not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise MalformedRecordError("not a JSON object")
    return value


def _moment(value: object) -> datetime:
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError(f"{value} has no time zone")
    return moment


def _optional_moment(value: object) -> datetime | None:
    return None if value is None else _moment(value)


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)
