"""Reading the department's outbox payload: JSON text to a dict of NFC text and UTC-able times.

Text is normalised to NFC here, at the edge. Times without an offset are the province's local
time (UTC+7), as are 14-digit `yyyyMMddHHmmss` stamps, the national portal's format.
"""

import unicodedata
from datetime import datetime
from typing import Any

from connectors.json_payload import PARSE, json_object
from connectors.motcua.department import PROVINCE_TIME
from lienthong.errors import DeadLetterError

__all__ = ["PARSE", "VALIDATE", "nfc", "parse_instant", "parse_payload"]

VALIDATE = "VALIDATE"


def parse_payload(payload: str) -> dict[str, Any]:
    document = json_object(payload)
    # Most payloads are NFC already; `\u` escapes can hide decomposed text inside ASCII.
    if "\\u" not in payload and unicodedata.is_normalized("NFC", payload):
        return document
    normalised: dict[str, Any] = _nfc_all(document)
    return normalised


def parse_instant(name: str, value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        if isinstance(value, str) and len(value) == 14 and value.isdigit():
            moment = datetime.strptime(value, "%Y%m%d%H%M%S")
        elif isinstance(value, str):
            moment = datetime.fromisoformat(value)
        else:
            raise TypeError(type(value).__name__)
    except (ValueError, TypeError):
        raise DeadLetterError(
            f"field {name!r} is not a date-time: {value!r}", stage=VALIDATE
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=PROVINCE_TIME)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _nfc_all(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [_nfc_all(item) for item in value]
    if isinstance(value, dict):
        return {nfc(str(key)): _nfc_all(item) for key, item in value.items()}
    return value
