"""Personal data at the centre (Decree 13/2023): a policy per field (clear, keyed hash,
masked, dropped) applied before anything is stored, and citizen ids kept out of logs."""

from lienthong.privacy.actions import FieldAction, keyed_hash, masked
from lienthong.privacy.dsn import HIDDEN, shown_dsn, without_secrets
from lienthong.privacy.fields import PERSONAL_KINDS, PersonalField, PersonalKind, PersonalSort
from lienthong.privacy.hash_key import MIN_KEY_CHARS, hash_key_file, resolve_hash_key
from lienthong.privacy.loading import default_policy, load_data_protection, read_policy
from lienthong.privacy.policy import FieldRule, PrivacyPolicy, parse_policy
from lienthong.privacy.protection import DataProtection
from lienthong.privacy.redaction import (
    CITIZEN_ID,
    REDACTED,
    RedactingFilter,
    describe_problems,
    redact_event,
    redact_text,
    redact_value,
)

__all__ = [
    "CITIZEN_ID",
    "HIDDEN",
    "MIN_KEY_CHARS",
    "PERSONAL_KINDS",
    "REDACTED",
    "DataProtection",
    "FieldAction",
    "FieldRule",
    "PersonalField",
    "PersonalKind",
    "PersonalSort",
    "PrivacyPolicy",
    "RedactingFilter",
    "default_policy",
    "describe_problems",
    "hash_key_file",
    "keyed_hash",
    "load_data_protection",
    "masked",
    "parse_policy",
    "read_policy",
    "redact_event",
    "redact_text",
    "redact_value",
    "resolve_hash_key",
    "shown_dsn",
    "without_secrets",
]
