"""What the operators' views raise when the bus cannot tell them what they asked."""

from lienthong.errors import ConfigurationError, LienthongError, RetriableError

__all__ = ["BusRequestError", "BusUnavailableError", "UnknownGroupError", "UnknownTopicError"]


class BusUnavailableError(RetriableError):
    """Kafka does not answer: nothing about the bus can be read until it does.

    Exit code 2 keeps "the bus is unreachable" apart from `lienthong status`'s 1, "a component
    is down".
    """

    exit_code = 2


class BusRequestError(LienthongError):
    """Kafka answered but refused a request (an authorisation or protocol problem)."""


class UnknownTopicError(ConfigurationError):
    """No topic of that name on the bus."""


class UnknownGroupError(LienthongError):
    """No consumer group of that name has committed offsets."""
