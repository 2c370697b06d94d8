"""One call in flight per key: concurrent askers of the same uncached schema share one request."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

__all__ = ["SingleFlight"]

K = TypeVar("K")
V = TypeVar("V")


class SingleFlight(Generic[K, V]):
    def __init__(self) -> None:
        self._calls: dict[K, asyncio.Future[V]] = {}

    async def do(self, key: K, call: Callable[[], Awaitable[V]]) -> V:
        """The result of `call()`, or of the same key's call already under way.

        The call is shielded: one asker cancelled does not cancel it for the others, and
        `call` itself stores what it fetched, so a result nobody waits for is not lost.
        """
        future = self._calls.get(key)
        if future is None:
            future = asyncio.ensure_future(call())
            self._calls[key] = future
            future.add_done_callback(lambda done: self._forget(key, done))
        return await asyncio.shield(future)

    def _forget(self, key: K, done: "asyncio.Future[V]") -> None:
        self._calls.pop(key, None)
        if not done.cancelled():
            done.exception()  # retrieved: no "never retrieved" warning when every asker left
