"""Simulators of a department system: seeded steps written to its database, run at a steady
rate in batches off the event loop. The same seed, clock and starting database give the same
activity."""

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime
from random import Random
from typing import ClassVar, Generic, TypeVar

from sqlalchemy import Engine

from connectors.waiting import sleep_unless

__all__ = ["PacedSimulator"]

_Step = TypeVar("_Step")


class PacedSimulator(ABC, Generic[_Step]):
    """A simulator whose `step()` writes one change; `run` paces the steps."""

    most_at_once: ClassVar[int]
    """Steps per thread hop at the most: a larger batch keeps up with a higher rate."""

    def __init__(
        self, engine: Engine, seed: int = 0, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._engine = engine
        self._seed = seed
        self._rng = Random(seed)
        self._clock = clock or (lambda: datetime.now(UTC))

    @abstractmethod
    def step(self) -> _Step: ...

    def steps(self, count: int) -> list[_Step]:
        return [self.step() for _ in range(count)]

    async def run(
        self,
        rate_per_s: float | None,
        max_events: int | None = None,
        stop: asyncio.Event | None = None,
    ) -> int:
        """Step at `rate_per_s` (as fast as possible when None) until `max_events` or `stop`."""
        if rate_per_s is not None and rate_per_s <= 0:
            raise ValueError("rate_per_s must be positive")
        most = self.most_at_once
        loop = asyncio.get_running_loop()
        started, done = loop.time(), 0
        stop = stop or asyncio.Event()
        while not stop.is_set() and (max_events is None or done < max_events):
            due = (
                most if rate_per_s is None else int((loop.time() - started) * rate_per_s) + 1 - done
            )
            count = max(1, min(due, most, most if max_events is None else max_events - done))
            await asyncio.to_thread(self.steps, count)
            done += count
            if rate_per_s is not None:
                delay = started + done / rate_per_s - loop.time()
                if delay > 0:
                    await sleep_unless(stop, delay)
        return done
