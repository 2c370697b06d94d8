"""A failing write is retried with a growing pause until it succeeds; cancelling stops it."""

import asyncio

import pytest

from streams.retry import Backoff, retry_until_done

FAST = Backoff(first_s=0.001, max_s=0.004)


def test_backoff_doubles_up_to_its_ceiling() -> None:
    delays = Backoff(first_s=0.5, max_s=3.0).delays()
    assert [next(delays) for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


async def test_a_failing_operation_is_retried_until_it_succeeds() -> None:
    calls = 0

    async def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls < 4:
            raise OSError("database is locked")
        return "written"

    assert await retry_until_done(flaky, what="writing", backoff=FAST) == "written"
    assert calls == 4


async def test_cancelling_stops_the_retries() -> None:
    calls = 0

    async def always_failing() -> None:
        nonlocal calls
        calls += 1
        raise OSError("down")

    task = asyncio.create_task(retry_until_done(always_failing, what="writing", backoff=FAST))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    seen = calls
    await asyncio.sleep(0.02)
    assert calls == seen > 1
