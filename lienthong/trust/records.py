"""A key registry record: the value of one key id on the compacted `lienthong.keys` topic."""

import base64
from datetime import datetime
from enum import StrEnum

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from lienthong.trust.keys import KeyId, key_id_for, raw_public_key

__all__ = ["KeyRecord", "KeyStatus", "MalformedKeyRecordError", "key_record_from_json"]


class MalformedKeyRecordError(ValueError):
    """A registry value that is not a key record, or whose key id is not its key's."""


class KeyStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"
    """Rotated out: still verifies events ingested before it was retired."""
    REVOKED = "revoked"
    """Compromised: verifies nothing any more."""


class KeyRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key_id: KeyId = Field(pattern=r"^[0-9a-f]{32}$")
    agency_id: str = Field(min_length=1)
    public_key: str = Field(min_length=1)
    """The raw 32-byte Ed25519 public key, base64."""
    added_at: AwareDatetime
    retired_at: AwareDatetime | None = None
    revoked_at: AwareDatetime | None = None
    reason: str | None = None

    @classmethod
    def new(cls, agency_id: str, public_key: Ed25519PublicKey, now: datetime) -> "KeyRecord":
        encoded = base64.b64encode(raw_public_key(public_key)).decode("ascii")
        return cls(
            key_id=key_id_for(public_key),
            agency_id=agency_id,
            public_key=encoded,
            added_at=now,
        )

    def ed25519(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(self.public_key))

    def status(self, now: datetime) -> KeyStatus:
        if self.revoked_at is not None and self.revoked_at <= now:
            return KeyStatus.REVOKED
        if self.retired_at is not None and self.retired_at <= now:
            return KeyStatus.RETIRED
        return KeyStatus.ACTIVE

    def to_json(self) -> bytes:
        return self.model_dump_json().encode("utf-8")


def key_record_from_json(value: bytes) -> KeyRecord:
    """The record in a registry value, its key id checked against its public key (a record
    claiming another key's id would let one key pass for another)."""
    try:
        record = KeyRecord.model_validate_json(value)
        public_key = record.ed25519()
    except (ValidationError, ValueError) as exc:
        raise MalformedKeyRecordError(f"not a key record: {exc}") from exc
    if key_id_for(public_key) != record.key_id:
        raise MalformedKeyRecordError(f"key id {record.key_id} is not the id of its public key")
    return record
