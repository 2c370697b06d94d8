"""Dead-letter records in Kafka Connect's convention, so existing DLQ tooling reads them as is."""

from typing import Final

from lienthong.errors import DeadLetterError
from lienthong.ids import ConnectorName, TopicName
from lienthong.privacy.redaction import redact_text

__all__ = [
    "ERRORS_CONNECTOR",
    "ERRORS_EXCEPTION_CLASS",
    "ERRORS_EXCEPTION_MESSAGE",
    "ERRORS_STAGE",
    "ERRORS_TOPIC",
    "dead_letter_headers",
    "exception_class_name",
]

ERRORS_TOPIC: Final = "__connect.errors.topic"
ERRORS_STAGE: Final = "__connect.errors.stage"
ERRORS_CONNECTOR: Final = "__connect.errors.connector.name"
ERRORS_EXCEPTION_CLASS: Final = "__connect.errors.exception.class.name"
ERRORS_EXCEPTION_MESSAGE: Final = "__connect.errors.exception.message"


def exception_class_name(error: DeadLetterError) -> str:
    """The class of what went wrong: the underlying exception when there is one."""
    cause = error.__cause__ if error.__cause__ is not None else error
    kind = type(cause)
    return f"{kind.__module__}.{kind.__qualname__}"


def dead_letter_headers(
    error: DeadLetterError,
    *,
    target_topic: TopicName,
    connector: ConnectorName,
    extra: tuple[tuple[str, str], ...] = (),
) -> tuple[tuple[str, bytes], ...]:
    headers = (
        (ERRORS_TOPIC, target_topic),
        (ERRORS_STAGE, error.stage),
        (ERRORS_CONNECTOR, connector),
        (ERRORS_EXCEPTION_CLASS, exception_class_name(error)),
        # Shown by `lienthong dlq` and the dashboard, logged by them: no citizen id in it.
        (ERRORS_EXCEPTION_MESSAGE, redact_text(error.reason)),
        *extra,
    )
    return tuple((name, value.encode("utf-8")) for name, value in headers)
