"""Idempotency keys: a retried request gets the first answer instead of a second event.

A key is scoped to the sending agency. It is remembered only after Kafka acknowledged the
request's events, with a fingerprint of the request, for `idempotency_ttl_h` hours. Event ids
are derived from the agency and the key, so even a retry the store cannot answer (the process
stopped between the Kafka commit and the store write, or two replicas raced) republishes
the same event ids, which the centre stores once.
"""

import hashlib
import re
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from connectors.http.problems import ApiProblem

__all__ = [
    "HTTP_EVENTS",
    "IDEMPOTENCY_HEADER",
    "IdempotencyStore",
    "StoredAnswer",
    "fingerprint",
    "keyed_event_id",
    "valid_key",
]

IDEMPOTENCY_HEADER: Final = "Idempotency-Key"

HTTP_EVENTS: Final = uuid.UUID("6f1d7a52-3c0e-5b8f-9a41-2d7e8c5b0f13")
"""Namespace of the event ids derived from an agency's idempotency key."""

_KEY: Final = re.compile(r"^[\x21-\x7e]{1,255}$")


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    fingerprint: str
    """SHA-256 of what was asked: the same key with another request is a conflict."""
    status: int
    body: str
    """The JSON answer given the first time."""


class IdempotencyStore(ABC):
    """Answers remembered per (connector, agency, key) until they expire."""

    @abstractmethod
    async def open(self) -> None:
        """Create the table if needed and drop expired answers."""

    @abstractmethod
    async def find(self, agency: str, key: str, now: datetime) -> StoredAnswer | None:
        """The unexpired answer given to `key`; raises RetriableError when unreachable."""

    @abstractmethod
    async def remember(
        self, agency: str, key: str, answer: StoredAnswer, *, now: datetime, expires_at: datetime
    ) -> None:
        """Keep `answer` for `key` unless an unexpired answer is kept (the first one stays)."""

    @abstractmethod
    async def forget_expired(self, now: datetime) -> int:
        """Drop the answers expired at `now`; how many were dropped."""

    @abstractmethod
    async def close(self) -> None: ...


def valid_key(header: str | None) -> str | None:
    """The request's idempotency key; None without one; 400 when it is not 1-255 visible ASCII."""
    if header is None:
        return None
    if not _KEY.match(header):
        raise ApiProblem(400, f"{IDEMPOTENCY_HEADER} must be 1 to 255 visible ASCII characters")
    return header


def fingerprint(route: str, body: bytes) -> str:
    """What identifies a request: its route and its body (JSON bodies in canonical form)."""
    digest = hashlib.sha256(route.encode("utf-8"))
    digest.update(b"\n")
    digest.update(body)
    return digest.hexdigest()


def keyed_event_id(agency: str, key: str, index: int) -> uuid.UUID:
    """The id of the `index`-th event a keyed request asks for (0 for a single change)."""
    return uuid.uuid5(HTTP_EVENTS, f"{agency}\n{key}\n{index}")
