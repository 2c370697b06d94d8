"""Whether a decoded event may be applied: signed by a known, live key of its own agency over
the exact record the broker holds. Pure: the caller passes the registry state and the clock.
"""

from dataclasses import dataclass
from datetime import datetime

from lienthong.events import Envelope
from lienthong.trust.errors import (
    BadSignatureError,
    RetiredKeyError,
    RevokedKeyError,
    UnknownKeyError,
    UnsignedEventError,
    WrongAgencyError,
)
from lienthong.trust.keyring import KeyRing
from lienthong.trust.records import KeyRecord
from lienthong.trust.signing import signature_valid

__all__ = ["SignedRecord", "check_event"]


@dataclass(frozen=True)
class SignedRecord:
    """A record as read from its topic, with what its headers say about its signature."""

    topic: str
    key: bytes | None
    value: bytes
    signature: bytes | None
    header_key_id: str | None = None


def check_event(
    ring: KeyRing,
    record: SignedRecord,
    envelope: Envelope,
    *,
    now: datetime,
    require_signatures: bool,
) -> KeyRecord | None:
    """The key that signed the event; None for an unsigned event accepted because signatures
    are not required. Raises an UntrustedEventError saying why the event is refused."""
    key_id, signature = envelope.signature_key_id, record.signature
    if key_id is None and signature is None:
        if require_signatures:
            raise UnsignedEventError("event is not signed (no signature, no signature_key_id)")
        return None
    if key_id is None:
        raise UnsignedEventError("event has a signature but its envelope names no key")
    if signature is None:
        raise UnsignedEventError(f"event names key {key_id} but carries no signature")
    if record.header_key_id is not None and record.header_key_id != key_id:
        raise BadSignatureError(
            f"signature header names key {record.header_key_id}, the envelope {key_id}"
        )
    stored = ring.get(key_id)
    if stored is None:
        raise UnknownKeyError(f"key {key_id} is not in the key registry")
    if stored.agency_id != envelope.source_agency:
        raise WrongAgencyError(
            f"key {key_id} belongs to agency {stored.agency_id}, "
            f"the event claims agency {envelope.source_agency}"
        )
    if stored.revoked_at is not None and stored.revoked_at <= now:
        reason = f" ({stored.reason})" if stored.reason else ""
        raise RevokedKeyError(f"key {key_id} was revoked at {stored.revoked_at}{reason}")
    # ingested_at is the signer's own claim; a key whose holder may lie about it is revoked,
    # not retired, so this check only has to hold for honest senders.
    if stored.retired_at is not None and stored.retired_at <= envelope.ingested_at:
        raise RetiredKeyError(
            f"key {key_id} was retired at {stored.retired_at}, "
            f"before the event was ingested at {envelope.ingested_at}"
        )
    if not signature_valid(stored.ed25519(), signature, record.topic, record.key, record.value):
        raise BadSignatureError(
            f"signature by key {key_id} does not match the record's topic, key and value"
        )
    return stored
