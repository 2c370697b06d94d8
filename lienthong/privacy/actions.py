"""What the centre keeps of a personal field: the four actions and the pure functions behind
them. Masks depend on the sort of data, so a masked value still says what it was."""

import hashlib
import hmac
from enum import StrEnum
from typing import Final

from lienthong.privacy.fields import PersonalSort

__all__ = ["FieldAction", "keyed_hash", "masked"]

MASK: Final = "*"
_KEEP_LAST: Final = 3
"""Digits left visible of an id or phone number: enough to tell two apart when talking to the
person, far too few to find them (a CCCD has 12)."""


class FieldAction(StrEnum):
    CLEAR = "clear"
    """Kept as sent."""
    KEYED_HASH = "keyed_hash"
    """HMAC-SHA256 under the centre's key, as hex: equal values hash equal in every kind, so
    records still join on it; without the key no one can test a guessed value."""
    MASKED = "masked"
    """Most of it replaced by `*`, how much by the sort of data (`masked`)."""
    DROPPED = "dropped"
    """Not kept at all (null)."""


def keyed_hash(key: bytes, value: str) -> str:
    # Surrounding spaces are typing noise: the same id typed twice must join.
    return hmac.new(key, value.strip().encode("utf-8"), hashlib.sha256).hexdigest()


def masked(value: str, sort: PersonalSort) -> str:
    """`001099012345` → `*********345`; `hoa@example.vn` → `h**@example.vn`;
    `Lê Thị Hoà` → `L* T** H**`; an address keeps its last two parts (commune, province)."""
    match sort:
        case PersonalSort.ID_NUMBER | PersonalSort.PHONE:
            return _keep_last(value, _KEEP_LAST)
        case PersonalSort.EMAIL:
            local, at, domain = value.partition("@")
            return f"{_keep_first(local, 1)}{at}{domain}" if at else _keep_first(value, 1)
        case PersonalSort.NAME:
            return " ".join(_keep_first(word, 1) for word in value.split())
        case PersonalSort.ADDRESS:
            parts = [part.strip() for part in value.split(",")]
            if len(parts) <= 2:
                return MASK * 3
            return ", ".join([MASK * 3, *parts[-2:]])


def _keep_last(value: str, visible: int) -> str:
    shown = min(visible, len(value) // 2)
    return MASK * (len(value) - shown) + value[len(value) - shown :]


def _keep_first(value: str, visible: int) -> str:
    shown = min(visible, len(value) // 2) if len(value) > 1 else 0
    return value[:shown] + MASK * (len(value) - shown)
