"""What can go wrong when reading or replaying dead letters, as the bus's own errors."""

from lienthong.errors import LienthongError

__all__ = ["DeadLetterNotFoundError", "NotReplayableError"]


class DeadLetterNotFoundError(LienthongError):
    """No dead letter at the asked offset: never written, or already deleted by retention."""


class NotReplayableError(LienthongError):
    """The dead letter's value is not a record of its original topic, so it cannot go back."""
