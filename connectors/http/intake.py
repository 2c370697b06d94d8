"""Between the request handlers and the runner: what callers sent, waiting to be read.

Handlers `submit` the changes of one request together (they stay together and in order);
the source's `read` takes submissions while the runner reads. When no read is under way (the
connector is starting, retrying after a failure, or stopping) nothing is accepted: callers get
503 and retry, instead of waiting on a queue nobody empties.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from connectors.contract import Change
from connectors.http.problems import ApiProblem
from lienthong.errors import RetriableError

__all__ = ["MAX_WAITING_CHANGES", "Intake", "Submission"]

MAX_WAITING_CHANGES: Final = 20_000
"""Changes accepted but not yet read: beyond this the API answers 503 (Kafka is behind)."""

_RETRY_AFTER: Final = {"Retry-After": "1"}


@dataclass(eq=False, slots=True)
class Submission:
    changes: Sequence[Change]
    taken: bool = False
    """The source has handed (some of) these changes to the runner: they can't be withdrawn."""
    withdrawn: bool = False

    def fail(self, error: BaseException) -> None:
        for change in self.changes:
            if change.receipt is not None:
                change.receipt.failed(error)


@dataclass(slots=True)
class Intake:
    _queue: asyncio.Queue[Submission] = field(default_factory=asyncio.Queue)
    _stop: asyncio.Event | None = None
    _waiting: int = 0

    @property
    def accepting(self) -> bool:
        return self._stop is not None and not self._stop.is_set()

    def open(self, stop: asyncio.Event) -> None:
        """A read begins: requests are accepted until `stop` is set or the read ends."""
        self._stop = stop

    def close(self) -> None:
        """The read ended: whatever it did not take is answered 503."""
        self._stop = None
        error = RetriableError("the connector stopped before reading this request")
        while not self._queue.empty():
            self._drop(self._queue.get_nowait()).fail(error)

    def submit(self, changes: Sequence[Change]) -> Submission:
        if not self.accepting:
            raise ApiProblem(
                503, "the connector is not accepting changes now", headers=_RETRY_AFTER
            )
        if self._waiting + len(changes) > MAX_WAITING_CHANGES:
            raise ApiProblem(503, "too many changes are waiting for Kafka", headers=_RETRY_AFTER)
        submission = Submission(changes)
        self._waiting += len(changes)
        self._queue.put_nowait(submission)
        return submission

    def withdraw(self, submission: Submission) -> bool:
        """Take back a submission not read yet (its caller gave up); False once it was read."""
        if submission.taken:
            return False
        self._drop(submission).fail(
            RetriableError("the request was withdrawn before it was published")
        )
        return True

    async def take(self, stop: asyncio.Event) -> Submission | None:
        """The next submission, or None once `stop` is set."""
        while not stop.is_set():
            submission = await self._next(stop)
            if submission is None or submission.withdrawn:
                continue
            submission.taken = True
            self._waiting -= len(submission.changes)
            return submission
        return None

    async def _next(self, stop: asyncio.Event) -> Submission | None:
        if not self._queue.empty():
            return self._queue.get_nowait()
        getting = asyncio.ensure_future(self._queue.get())
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait((getting, stopping), return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            if (got := _settle(getting, stopping)) is not None:
                self._queue.put_nowait(got)  # close() answers its caller
            raise
        got = _settle(getting, stopping)
        if got is not None and stop.is_set():
            self._queue.put_nowait(got)
            return None
        return got

    def _drop(self, submission: Submission) -> Submission:
        """The submission, never to be read: it no longer counts as waiting."""
        if not submission.withdrawn and not submission.taken:
            submission.withdrawn = True
            self._waiting -= len(submission.changes)
        return submission


def _settle(
    getting: "asyncio.Future[Submission]", stopping: "asyncio.Future[Any]"
) -> Submission | None:
    """What the get obtained, if it did; a pending get is cancelled and leaves the queue as is."""
    stopping.cancel()
    if not getting.done():
        getting.cancel()
        return None
    return None if getting.cancelled() else getting.result()
