"""What operators asked of one runner: the state it should be in, and when its session ends.

The latest request holds: pause and stop end the session (the current batch completes) and
keep the connector idle; resume and restart let it run again. A restart ends a session only
when it was asked for after that session started, so the restart record left on the control
topic is not applied again by every later session or process.
"""

import asyncio
from datetime import datetime
from typing import Final

from connectors.control_records import PAUSED, RUNNING, STOPPED, ConnectorAction, ControlRequest

__all__ = ["SessionControl"]

_TARGETS: Final = {
    ConnectorAction.PAUSE: PAUSED,
    ConnectorAction.STOP: STOPPED,
    ConnectorAction.RESUME: RUNNING,
    ConnectorAction.RESTART: RUNNING,
}


class SessionControl:
    def __init__(self) -> None:
        self.target: str = RUNNING
        """RUNNING, PAUSED or STOPPED: where the latest request wants the connector."""
        self.session_started_at: datetime | None = None
        self.last_request: ControlRequest | None = None
        self._session_end: asyncio.Event | None = None
        self._changed = asyncio.Event()
        self._known = asyncio.Event()
        self._known.set()
        self._stopping = False

    def hold_until_known(self) -> None:
        """Sessions wait before reading the source until `requests_known`: a process must
        read the requests recorded before it started, or a paused connector would publish."""
        self._known.clear()

    def requests_known(self) -> None:
        self._known.set()

    async def wait_until_known(self, session_end: asyncio.Event) -> None:
        """Returns once the recorded requests are applied, or the session must end anyway."""
        if self._known.is_set():
            return
        known = asyncio.ensure_future(self._known.wait())
        ending = asyncio.ensure_future(session_end.wait())
        try:
            await asyncio.wait((known, ending), return_when=asyncio.FIRST_COMPLETED)
        finally:
            known.cancel()
            ending.cancel()

    def apply(self, request: ControlRequest) -> None:
        self.last_request = request
        self.target = _TARGETS[request.action]
        if self.target != RUNNING:
            self._end_session()
        elif request.action is ConnectorAction.RESTART and self._is_newer(request):
            self._end_session()
        self._changed.set()

    def stop(self) -> None:
        """The process is stopping: end the session and stay idle."""
        self._stopping = True
        self._end_session()
        self._changed.set()

    def begin_session(self, now: datetime) -> asyncio.Event:
        """A new session's end signal, set by pause, stop, a newer restart or `stop()`."""
        self._session_end = asyncio.Event()
        self.session_started_at = now
        if self._stopping:
            self._session_end.set()
        return self._session_end

    def end_of_session(self) -> None:
        """The session has ended (whatever ended it)."""
        self._session_end = None
        self.session_started_at = None

    async def wait_while(self, target: str) -> None:
        """While the target stays `target` (PAUSED or STOPPED) and the process runs on."""
        while self.target == target and not self._stopping:
            self._changed.clear()
            await self._changed.wait()

    def _is_newer(self, request: ControlRequest) -> bool:
        started = self.session_started_at
        return (
            self._session_end is not None
            and started is not None
            and (request.requested_at > started)
        )

    def _end_session(self) -> None:
        if self._session_end is not None:
            self._session_end.set()
