"""Field types every event model shares: strict immutable records, UTC instants, NFC text."""

import unicodedata
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, StringConstraints

__all__ = ["Sha256Hex", "StrictRecord", "Text", "UtcMillis"]


def _utc_millis(moment: datetime) -> datetime:
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    if extra := moment.microsecond % 1000:  # decoded instants have none: keep them as they are
        moment = moment.replace(microsecond=moment.microsecond - extra)
    return moment


UtcMillis = Annotated[AwareDatetime, AfterValidator(_utc_millis)]
"""An instant in UTC at the millisecond precision of the schemas' timestamp-millis."""


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


Text = Annotated[str, AfterValidator(_nfc)]
"""Vietnamese text arrives as NFC or NFD; the bus speaks NFC only."""

Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
"""A SHA-256 digest as 64 lowercase hex digits, as `hashlib.sha256(...).hexdigest()` gives it."""


class StrictRecord(BaseModel):
    """Base of every event model: unknown fields are an error, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)
