"""A change's administrative-unit code list as a source spells it, read into `AdminCodeList`.

Legacy systems keep filing rows under the 2004 commune codes next to rows already on the 2025
ones, so a source may say per row which list a code follows. Only the two real lists are
accepted: a row that names anything else would put a code of unknown meaning on the bus.
"""

from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

from lienthong.events import AdminCodeList

__all__ = ["ACCEPTED_SPELLINGS", "SentCodeList", "code_list_named"]

ACCEPTED_SPELLINGS = "VN2004 or VN2025 (any case), or 2004 or 2025"
_BY_SPELLING = {
    spelling: code_list
    for code_list in (AdminCodeList.VN2004, AdminCodeList.VN2025)
    for spelling in (code_list.value, code_list.value.removeprefix("VN"))
}


def code_list_named(value: Any) -> AdminCodeList:
    """The code list `value` names; ValueError saying what is accepted when it names none."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        found = _BY_SPELLING.get(value.strip().upper())
        if found is not None:
            return found
    raise ValueError(f"{value!r} is not an administrative code list: use {ACCEPTED_SPELLINGS}")


def _optional_code_list(value: Any) -> AdminCodeList | None:
    return None if value is None else code_list_named(value)


SentCodeList = Annotated[
    AdminCodeList | None,
    BeforeValidator(_optional_code_list),
    WithJsonSchema(
        {
            "type": ["string", "null"],
            "pattern": "^([Vv][Nn])?(2004|2025)$",
            "examples": ["VN2025", "VN2004"],
        }
    ),
]
"""A pydantic field: the code list a sender names, or None (the connector's `code_list`)."""
