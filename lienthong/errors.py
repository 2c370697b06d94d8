"""One root for every error the bus raises, grouped by what the caller does about it.

`retriable` is data on the class: callers decide to retry by reading it, never by
matching on names.
"""

from typing import ClassVar

__all__ = [
    "ConfigurationError",
    "DeadLetterError",
    "FatalError",
    "LienthongError",
    "RetriableError",
    "SchemaError",
]


class LienthongError(Exception):
    """Root of the bus's errors."""

    retriable: ClassVar[bool] = False
    exit_code: ClassVar[int] = 1


class ConfigurationError(LienthongError):
    """The operator must change a setting or install something; retrying will not help."""

    exit_code = 2


class SchemaError(LienthongError):
    """A record does not match its schema, or a schema is unusable."""


class DeadLetterError(LienthongError):
    """This one input is bad: send it to the dead-letter topic with the reason and move on."""

    def __init__(self, reason: str, *, stage: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.stage = stage


class RetriableError(LienthongError):
    """A dependency is unavailable for now; the same call may succeed later."""

    retriable = True


class FatalError(LienthongError):
    """The process cannot continue safely and must stop."""

    exit_code = 3
