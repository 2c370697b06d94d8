"""Field types every event model shares: strict immutable records, UTC instants, NFC text.

Every string of an entity is NFC once validated (`Text`, `Code`, `Sha256Hex`): the connector
framework relies on it and does not walk a Unicode source's records to normalise them first.
"""

import unicodedata
from datetime import UTC, datetime
from functools import partial
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, StringConstraints

__all__ = ["Code", "Sha256Hex", "StrictRecord", "Text", "UtcMillis"]


def _utc_millis(moment: datetime) -> datetime:
    if moment.tzinfo is not UTC:
        # `...Z` too (pydantic's own tzinfo): astimezone costs half a utcoffset() and replace()
        moment = moment.astimezone(UTC)
    if extra := moment.microsecond % 1000:  # decoded instants have none: keep them as they are
        moment = moment.replace(microsecond=moment.microsecond - extra)
    return moment


UtcMillis = Annotated[AwareDatetime, AfterValidator(_utc_millis)]
"""An instant in UTC at the millisecond precision of the schemas' timestamp-millis."""


_nfc = partial(unicodedata.normalize, "NFC")
"""A partial of the C function, not a Python wrapper: it runs for every string of every event."""

Text = Annotated[str, AfterValidator(_nfc)]
"""Vietnamese text arrives as NFC or NFD; the bus speaks NFC only."""

Code = Annotated[str, AfterValidator(_nfc)]
"""An identifier or code (dossier number, organ id, commune code): normalised like text, so a
code typed with decomposed letters is the same code as its precomposed spelling."""

Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
"""A SHA-256 digest as 64 lowercase hex digits, as `hashlib.sha256(...).hexdigest()` gives it
(ASCII, hence NFC already)."""


class StrictRecord(BaseModel):
    """Base of every event model: unknown fields are an error, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)
