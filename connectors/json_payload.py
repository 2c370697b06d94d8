"""A department's JSON payload read as an object, or a dead letter saying why it is not one."""

import json
from typing import Any

from lienthong.errors import DeadLetterError

__all__ = ["PARSE", "json_object"]

PARSE = "PARSE"


def json_object(payload: str) -> dict[str, Any]:
    """`payload` parsed; a DeadLetterError at stage PARSE unless it is one JSON object."""
    try:
        document = json.loads(payload)
    except json.JSONDecodeError as exc:
        raise DeadLetterError(
            f"payload is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            stage=PARSE,
        ) from exc
    if not isinstance(document, dict):
        kind = type(document).__name__
        raise DeadLetterError(f"payload is a JSON {kind}, not an object", stage=PARSE)
    return document
