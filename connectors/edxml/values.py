"""edXML field values: dates, instants and numbers as senders write them.

QCVN 102 writes dates as `yyyy/MM/dd` and trace times as `yyyy/MM/dd HH:mm:ss`, in Vietnam's
local time; systems in the field also send `dd/MM/yyyy` and ISO 8601. Times without an offset
are Vietnam time (UTC+7, no daylight saving).
"""

from datetime import date, datetime, timedelta, timezone

from connectors.edxml.xml_reading import PARSE
from lienthong.errors import DeadLetterError

__all__ = ["VIETNAM_TIME", "edxml_date", "edxml_instant", "edxml_int", "edxml_text_date"]

VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")

_DATES = ("%Y/%m/%d", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")
_INSTANTS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)


def edxml_date(value: str, where: str) -> date:
    """A date as `yyyy/MM/dd`, `yyyy-MM-dd` or `dd/MM/yyyy`; a time part is ignored."""
    day = value.strip().replace("T", " ").split(" ", 1)[0]
    for pattern in _DATES:
        try:
            return datetime.strptime(day, pattern).date()
        except ValueError:
            continue
    raise DeadLetterError(f"{where} is not a date: {value!r}", stage=PARSE)


def edxml_instant(value: str, where: str) -> datetime:
    """An instant as `yyyy/MM/dd HH:mm:ss`, `dd/MM/yyyy HH:mm:ss` or ISO 8601, made aware."""
    cleaned = value.strip()
    moment: datetime | None = None
    for pattern in _INSTANTS:
        try:
            moment = datetime.strptime(cleaned, pattern)
            break
        except ValueError:
            continue
    if moment is None:
        try:
            moment = datetime.fromisoformat(cleaned)
        except ValueError:
            raise DeadLetterError(
                f"{where} is not a date and time: {value!r}", stage=PARSE
            ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=VIETNAM_TIME)


def edxml_int(value: str | None, where: str) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise DeadLetterError(f"{where} is not a number: {value!r}", stage=PARSE) from None


def edxml_text_date(moment: date) -> str:
    """How edXML writes a date (and how a document id spells it): `yyyy/MM/dd`."""
    return moment.strftime("%Y/%m/%d")
