"""Citizen id numbers out of logs and error descriptions.

What counts as a citizen id in free text, precisely:
- a CCCD: exactly 12 digits whose first three are a province code of birth registration,
  001 to 096, standing alone (no letter, digit or underscore touching it), e.g.
  `001099012345`. A UUID's last group can look the same; UUIDs are matched first and kept.
  Offsets, timestamps, versions and counts do not start with 0, so they are never taken.
- an old CMND (9 digits) or any 12-digit number, only when it follows a label saying it is
  an id (`cmnd`, `cccd`, `id_number`, `citizen_id`, `căn cước`...) within a few characters:
  bare 9-digit numbers are too common (offsets, sizes) to take on their own.
- the whole value of a log field whose name says it is an id number (`id_number`, `cccd`...).

Names cannot be recognised in text; they stay out of logs because no entity's content is
ever logged, only keys, versions and counts.
"""

import logging
import re
from collections.abc import Mapping, MutableMapping
from typing import Any, Final

from pydantic import ValidationError

__all__ = [
    "CITIZEN_ID",
    "REDACTED",
    "RedactingFilter",
    "describe_problems",
    "redact_event",
    "redact_text",
    "redact_value",
]

REDACTED: Final = "[redacted-id]"

CITIZEN_ID: Final = re.compile(r"(?<![\w])0(?:0[1-9]|[1-8][0-9]|9[0-6])[0-9]{9}(?![\w])")
"""A CCCD standing alone in text; also what the test suite's log scan looks for."""

_UUID: Final = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_LABEL: Final = r"(?:cmnd|cccd|cmt|id[ _-]?number|id[ _-]?no|citizen[ _-]?id|căn cước|chứng minh)"
_TEXT: Final = re.compile(
    rf"(?P<uuid>{_UUID})"
    rf"|(?P<labelled>{_LABEL}[^0-9]{{0,24}}?)(?<![\w])(?:[0-9]{{12}}|[0-9]{{9}})(?![\w])"
    rf"|{CITIZEN_ID.pattern}",
    re.IGNORECASE,
)
_ID_FIELD: Final = re.compile(rf"(?:^|_){_LABEL}$", re.IGNORECASE)


def _replacement(match: re.Match[str]) -> str:
    if match.group("uuid"):
        return match.group(0)
    return (match.group("labelled") or "") + REDACTED


def redact_text(text: str) -> str:
    return _TEXT.sub(_replacement, text) if any(c.isdigit() for c in text) else text


def redact_value(value: Any) -> Any:
    """Every string in `value`, through mappings, lists and tuples, redacted."""
    match value:
        case str():
            return redact_text(value)
        case Mapping():
            return {key: _redact_field(str(key), item) for key, item in value.items()}
        case list() | tuple():
            return type(value)(redact_value(item) for item in value)
    return value


def _redact_field(name: str, value: Any) -> Any:
    if value is not None and _ID_FIELD.search(name):
        return REDACTED
    return redact_value(value)


def redact_event(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> Any:
    """structlog processor: runs after exceptions are formatted, before rendering."""
    for name, value in list(event.items()):
        event[name] = _redact_field(name, value)
    return event


class RedactingFilter(logging.Filter):
    """For the standard library's records (libraries' own logs): message and exception
    text redacted before any handler formats them."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        return True


def describe_problems(error: ValidationError, limit: int = 5) -> str:
    """A validation error as `field.path: message; ...`, never with the values that failed
    (pydantic's own text shows them: `input_value='001099012345'`)."""
    problems = []
    for problem in error.errors(include_input=False, include_url=False)[:limit]:
        where = ".".join(str(part) for part in problem["loc"]) or "(record)"
        problems.append(f"{where}: {redact_text(problem['msg'])}")
    if (more := error.error_count() - limit) > 0:
        problems.append(f"and {more} more")
    return "; ".join(problems)
