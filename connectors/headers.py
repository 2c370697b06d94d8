"""Kafka header names the connectors write, beside `lienthong.codec.SCHEMA_HEADER`."""

from typing import Final

__all__ = [
    "CONNECTOR_HEADER",
    "EVENT_ID_HEADER",
    "SIGNATURE_HEADER",
    "SIGNATURE_KEY_HEADER",
    "SOURCE_POSITION_HEADER",
]

EVENT_ID_HEADER: Final = "lienthong.event.id"
"""The event's id (the envelope's `event_id`), readable without decoding the value."""

SOURCE_POSITION_HEADER: Final = "lienthong.source.position"
"""Where in the source the record was read, e.g. the outbox row id."""

CONNECTOR_HEADER: Final = "lienthong.connector"
"""Name of the connector that wrote the record."""

SIGNATURE_HEADER: Final = "lienthong.signature"
"""The sending agency's Ed25519 signature over the record's topic, key and value
(`lienthong.trust.signing`). A header, not the envelope's `signature` field: the signature
cannot sit inside the bytes it signs."""

SIGNATURE_KEY_HEADER: Final = "lienthong.signature.key"
"""The signing key's id, readable without decoding; the envelope's `signature_key_id` is the
one that counts (it is inside the signed bytes)."""
