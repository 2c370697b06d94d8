"""Retrying a write until it succeeds: the stream stalls on a failing store, it never skips."""

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import structlog

__all__ = ["Backoff", "retry_until_done"]

T = TypeVar("T")

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Backoff:
    first_s: float = 0.5
    max_s: float = 30.0
    factor: float = 2.0

    def delays(self) -> Iterator[float]:
        delay = self.first_s
        while True:
            yield delay
            delay = min(delay * self.factor, self.max_s)


async def retry_until_done(
    operation: Callable[[], Awaitable[T]], *, what: str, backoff: Backoff = Backoff()
) -> T:
    """Await `operation()` until it returns, sleeping longer after each failure.

    Every exception is retried: a store that refuses a batch must hold the partition where
    it is (and say so loudly) rather than let later offsets be committed past it.
    Cancellation (worker stopping, partitions revoked) ends the attempts at once.
    """
    delays = backoff.delays()
    attempt = 1
    while True:
        try:
            return await operation()
        except Exception as exc:
            delay = next(delays)
            log.error(
                f"{what} failed; retrying",
                attempt=attempt,
                retry_in_s=delay,
                error=f"{type(exc).__name__}: {exc}",
            )
        await asyncio.sleep(delay)
        attempt += 1
