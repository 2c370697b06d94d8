"""What an agency signs: the exact bytes of a record on the wire.

The signed message is a fixed label, then the topic, the record key and the record value
(the framed Avro bytes), each length-prefixed so no two records share a message. Signing
wire bytes means nothing is canonicalised and a newer schema cannot break verification;
signing the topic means a record moved to another topic no longer verifies.
"""

import struct
from dataclasses import dataclass, field
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lienthong.trust.keys import KeyId, key_id_for

__all__ = ["SIGNED_LABEL", "EventSigner", "signature_valid", "signed_message"]

SIGNED_LABEL: Final = b"lienthong-event-v1"
"""Separates these signatures from any other use of the same key."""


def signed_message(topic: str, key: bytes | None, value: bytes) -> bytes:
    parts = [SIGNED_LABEL, topic.encode("utf-8"), value]
    message = bytearray()
    for index, part in enumerate(parts):
        message += struct.pack(">Q", len(part)) + part
        if index == 1:  # the key may be absent, which differs from an empty key
            message += b"\x00" if key is None else b"\x01" + struct.pack(">Q", len(key)) + key
    return bytes(message)


@dataclass(frozen=True)
class EventSigner:
    """One agency's private key; it never appears in a repr or a log line."""

    agency_id: str
    key_id: KeyId
    private_key: Ed25519PrivateKey = field(repr=False)

    @classmethod
    def of(cls, agency_id: str, private_key: Ed25519PrivateKey) -> "EventSigner":
        return cls(agency_id, key_id_for(private_key.public_key()), private_key)

    def sign(self, topic: str, key: bytes | None, value: bytes) -> bytes:
        return self.private_key.sign(signed_message(topic, key, value))


def signature_valid(
    public_key: Ed25519PublicKey, signature: bytes, topic: str, key: bytes | None, value: bytes
) -> bool:
    try:
        public_key.verify(signature, signed_message(topic, key, value))
    except InvalidSignature:
        return False
    return True
