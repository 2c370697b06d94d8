"""The key registry as a process holds it: the latest record per key id. Pure: no I/O."""

from datetime import datetime

from lienthong.trust.keys import KeyId
from lienthong.trust.records import (
    KeyRecord,
    KeyStatus,
    MalformedKeyRecordError,
    key_record_from_json,
)

__all__ = ["KeyRing"]


class KeyRing:
    def __init__(self) -> None:
        self._records: dict[KeyId, KeyRecord] = {}
        self._offsets: dict[KeyId, int] = {}

    def apply(self, record_key: bytes | None, value: bytes | None, offset: int) -> None:
        """Take in the registry record at `offset`; an older offset than the one a key id was
        last set from changes nothing (two readers may hand in the same record). Raises
        MalformedKeyRecordError for a record that is not a key record."""
        if record_key is None:
            raise MalformedKeyRecordError("a key record has no Kafka key")
        key_id = KeyId(record_key.decode("utf-8", errors="replace"))
        if offset <= self._offsets.get(key_id, -1):
            return
        self._offsets[key_id] = offset
        if value is None:
            self._records.pop(key_id, None)
            return
        record = key_record_from_json(value)
        if record.key_id != key_id:
            raise MalformedKeyRecordError(f"record of key {record.key_id} stored under {key_id}")
        self.put(record)

    def put(self, record: KeyRecord) -> None:
        """Record the key's latest state. A revocation is final: a later record without one
        (written by mistake, or to undo it) keeps the key revoked."""
        known = self._records.get(record.key_id)
        if known is not None and known.revoked_at is not None:
            if record.revoked_at is None or record.revoked_at > known.revoked_at:
                update = {"revoked_at": known.revoked_at, "reason": known.reason}
                record = record.model_copy(update=update)
        self._records[record.key_id] = record

    def get(self, key_id: str) -> KeyRecord | None:
        return self._records.get(KeyId(key_id))

    def records(self) -> list[KeyRecord]:
        """Every key, by agency then by when it was added."""
        return sorted(self._records.values(), key=lambda r: (r.agency_id, r.added_at, r.key_id))

    def current_keys(self, agency_id: str, now: datetime) -> list[KeyRecord]:
        """The agency's keys that still sign: neither retired nor revoked."""
        return [
            record
            for record in self.records()
            if record.agency_id == agency_id and record.status(now) is KeyStatus.ACTIVE
        ]
