"""Why an event is not trusted: each reason its own class, so dead letters can be told apart
by `__connect.errors.exception.class.name` as well as by their message."""

from typing import Final

from lienthong.errors import DeadLetterError

__all__ = [
    "SIGNATURE_STAGE",
    "BadSignatureError",
    "RetiredKeyError",
    "RevokedKeyError",
    "UnknownKeyError",
    "UnsignedEventError",
    "UntrustedEventError",
    "WrongAgencyError",
]

SIGNATURE_STAGE: Final = "SIGNATURE"
"""The dead-letter stage of an event refused by signature checks."""


class UntrustedEventError(DeadLetterError):
    """The event cannot be attributed to its agency: it is dead-lettered, never applied."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, stage=SIGNATURE_STAGE)


class UnsignedEventError(UntrustedEventError):
    """No signature where one is required, or half of one (a key id without a signature)."""


class UnknownKeyError(UntrustedEventError):
    """The key id is not in the key registry, even read again to its end."""


class WrongAgencyError(UntrustedEventError):
    """The key belongs to another agency than the one the event claims to come from."""


class RevokedKeyError(UntrustedEventError):
    """The key was revoked: nothing it signed is trusted any more."""


class RetiredKeyError(UntrustedEventError):
    """The key was rotated out before the event was ingested."""


class BadSignatureError(UntrustedEventError):
    """The signature does not match the record's topic, key and value: it was changed."""
