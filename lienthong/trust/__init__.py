"""Signed events: agencies' Ed25519 keys, the key registry, signing and verifying records.

The Kafka side (lienthong.trust.key_topic, lienthong.trust.registry_admin) is imported from
its modules, so a connector that only signs never loads the Kafka clients through here.
"""

from lienthong.trust.errors import (
    SIGNATURE_STAGE,
    BadSignatureError,
    RetiredKeyError,
    RevokedKeyError,
    UnknownKeyError,
    UnsignedEventError,
    UntrustedEventError,
    WrongAgencyError,
)
from lienthong.trust.keyring import KeyRing
from lienthong.trust.keys import (
    KeyId,
    key_id_for,
    load_private_key,
    load_public_key,
    public_key_pem,
    write_private_key,
)
from lienthong.trust.records import KeyRecord, KeyStatus, MalformedKeyRecordError
from lienthong.trust.signers import AgencySigners, load_signers
from lienthong.trust.signing import SIGNED_LABEL, EventSigner, signature_valid, signed_message
from lienthong.trust.verification import SignedRecord, check_event

__all__ = [
    "SIGNATURE_STAGE",
    "SIGNED_LABEL",
    "AgencySigners",
    "BadSignatureError",
    "EventSigner",
    "KeyId",
    "KeyRecord",
    "KeyRing",
    "KeyStatus",
    "MalformedKeyRecordError",
    "RetiredKeyError",
    "RevokedKeyError",
    "SignedRecord",
    "UnknownKeyError",
    "UnsignedEventError",
    "UntrustedEventError",
    "WrongAgencyError",
    "check_event",
    "key_id_for",
    "load_private_key",
    "load_public_key",
    "load_signers",
    "public_key_pem",
    "signature_valid",
    "signed_message",
    "write_private_key",
]
