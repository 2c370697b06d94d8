"""What operators do to the key registry: register, rotate and revoke agencies' keys.

Each operation reads the registry to its end first, so it acts on the latest state, and
creates the registry topic when the bus has not yet.
"""

from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lienthong.errors import ConfigurationError
from lienthong.settings import Settings
from lienthong.topics import bus_topics, ensure_topics
from lienthong.trust.key_topic import KeyRegistryReader, publish_key_records
from lienthong.trust.keyring import KeyRing
from lienthong.trust.keys import key_id_for
from lienthong.trust.records import KeyRecord

__all__ = ["Rotation", "read_key_registry", "register_key", "revoke_key", "rotate_key"]


@dataclass(frozen=True)
class Rotation:
    added: KeyRecord
    retired: tuple[KeyRecord, ...]


async def read_key_registry(settings: Settings) -> KeyRing:
    reader = KeyRegistryReader(settings)
    try:
        await reader.catch_up()
    finally:
        await reader.close()
    return reader.ring


async def register_key(
    settings: Settings, agency_id: str, public_key: Ed25519PublicKey, now: datetime
) -> KeyRecord:
    """The key's record, written unless the registry has it for this agency already."""
    ring = await _current(settings)
    known = ring.get(key_id_for(public_key))
    if known is not None:
        if known.agency_id != agency_id:
            raise ConfigurationError(
                f"key {known.key_id} is registered for agency {known.agency_id}, not {agency_id}"
            )
        return known
    record = KeyRecord.new(agency_id, public_key, now)
    await publish_key_records(settings, [record])
    return record


async def rotate_key(
    settings: Settings, agency_id: str, public_key: Ed25519PublicKey, now: datetime
) -> Rotation:
    """Register the new key and retire the agency's current ones as of `now`: events they
    signed before still verify, events ingested from now on must carry the new key."""
    ring = await _current(settings)
    if ring.get(key_id_for(public_key)) is not None:
        raise ConfigurationError("the new key is registered already")
    added = KeyRecord.new(agency_id, public_key, now)
    retired = tuple(
        record.model_copy(update={"retired_at": now, "reason": "rotated"})
        for record in ring.current_keys(agency_id, now)
    )
    # The new key first: were the retirements written and not it, the agency could sign nothing.
    await publish_key_records(settings, [added, *retired])
    return Rotation(added, retired)


async def revoke_key(settings: Settings, key_id: str, reason: str, now: datetime) -> KeyRecord:
    ring = await _current(settings)
    known = ring.get(key_id)
    if known is None:
        raise ConfigurationError(f"no key {key_id} in the key registry")
    if known.revoked_at is not None:
        return known
    revoked = known.model_copy(update={"revoked_at": now, "reason": reason})
    await publish_key_records(settings, [revoked])
    return revoked


async def _current(settings: Settings) -> KeyRing:
    topic = settings.topics.keys
    await ensure_topics(settings, [spec for spec in bus_topics(settings) if spec.name == topic])
    return await read_key_registry(settings)
