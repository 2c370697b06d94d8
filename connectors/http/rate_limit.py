"""Requests per second per credential: a token bucket each, refilled at `rate_per_s` up to
`burst`. A request takes one token; with none left it is answered 429 and `Retry-After` says
when the next one is due."""

import math
from dataclasses import dataclass

from connectors.http.problems import ApiProblem

__all__ = ["RateLimit", "TokenBuckets"]


@dataclass(frozen=True, slots=True)
class RateLimit:
    rate_per_s: float
    burst: int


@dataclass(slots=True)
class _Bucket:
    tokens: float
    filled_at: float


class TokenBuckets:
    """One bucket per credential, created full on its first request."""

    def __init__(self) -> None:
        self._buckets: dict[str, _Bucket] = {}

    def take(self, credential: str, limit: RateLimit | None, now: float) -> None:
        """One token of `credential`'s bucket; 429 when it is empty. No limit, no bucket."""
        if limit is None:
            return
        bucket = self._buckets.setdefault(credential, _Bucket(float(limit.burst), now))
        elapsed = max(0.0, now - bucket.filled_at)
        bucket.tokens = min(float(limit.burst), bucket.tokens + elapsed * limit.rate_per_s)
        bucket.filled_at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return
        wait_s = (1.0 - bucket.tokens) / limit.rate_per_s
        raise ApiProblem(
            429,
            f"more than {limit.rate_per_s:g} requests per second (burst {limit.burst}); slow down",
            headers={"Retry-After": str(max(1, math.ceil(wait_s)))},
        )
