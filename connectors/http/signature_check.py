"""Checking a request's HMAC signature (`connectors.http.signing`), and refusing replays.

A signature is accepted once: the guard remembers it until its timestamp leaves the window,
after which the timestamp alone refuses it. The memory is this process's: several instances
behind one address each keep their own, so a replay sent to another instance is not refused
here; the `Idempotency-Key` store (shared through `idempotency_dsn`) and the stable event ids
are what keep such a replay from adding events.
"""

import hmac
from collections import OrderedDict
from dataclasses import dataclass
from typing import Final

from connectors.http.problems import ApiProblem
from connectors.http.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, request_signature

__all__ = ["MAX_REMEMBERED", "SignatureGuard", "SignedRequest"]

MAX_REMEMBERED: Final = 100_000
"""Signatures remembered at most; beyond, signed requests get 503 until older ones expire."""

_HEX_SIGNATURE_LENGTH: Final = 64


@dataclass(frozen=True, slots=True)
class SignedRequest:
    method: str
    path: str
    body: bytes
    timestamp: str | None
    signature: str | None

    @property
    def signed(self) -> bool:
        return self.timestamp is not None or self.signature is not None


class SignatureGuard:
    """Verifies signatures against a credential's secret and remembers the ones it accepted."""

    def __init__(self, window_s: int, max_remembered: int = MAX_REMEMBERED) -> None:
        self.window_s = window_s
        self._max_remembered = max_remembered
        self._seen: OrderedDict[str, float] = OrderedDict()
        """Accepted signatures, oldest first, with the time they stop being valid."""

    def check(self, secret: str, request: SignedRequest, now: float) -> str:
        """The request's signature, now remembered; 401 with the reason when it is refused."""
        if request.timestamp is None or request.signature is None:
            raise ApiProblem(401, f"send both {TIMESTAMP_HEADER} and {SIGNATURE_HEADER}")
        timestamp = _unix_seconds(request.timestamp)
        if abs(now - timestamp) > self.window_s:
            raise ApiProblem(
                401,
                f"{TIMESTAMP_HEADER} is {abs(now - timestamp):.0f} s away from the server's "
                f"clock; at most {self.window_s} s are allowed (sign each request when sending)",
            )
        given = request.signature.strip().lower()
        expected = request_signature(secret, request.method, request.path, timestamp, request.body)
        if len(given) != _HEX_SIGNATURE_LENGTH or not hmac.compare_digest(expected, given):
            raise ApiProblem(401, "the signature does not match the request")
        self._remember(expected, timestamp + self.window_s, now)
        return expected

    def forget(self, signature: str) -> None:
        """Accept this signature again: its request was refused, so sending it again is a retry."""
        self._seen.pop(signature, None)

    def _remember(self, signature: str, expires_at: float, now: float) -> None:
        self._expire(now)
        if signature in self._seen:
            raise ApiProblem(401, "this signature was already used; sign every request afresh")
        if len(self._seen) >= self._max_remembered:
            raise ApiProblem(
                503, "too many signed requests in the replay window", headers={"Retry-After": "1"}
            )
        self._seen[signature] = expires_at

    def _expire(self, now: float) -> None:
        # oldest first: arrival order is near enough to expiry order to stop at the first live one
        while self._seen:
            signature, expires_at = next(iter(self._seen.items()))
            if expires_at >= now:
                return
            del self._seen[signature]


def _unix_seconds(text: str) -> int:
    stripped = text.strip()
    if not stripped.isascii() or not stripped.isdigit() or len(stripped) > 12:
        raise ApiProblem(401, f"{TIMESTAMP_HEADER} must be unix seconds, like 1754020800")
    return int(stripped)
