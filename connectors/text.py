"""Text at the edge: every string a source hands over becomes Unicode NFC.

Sources that store Vietnamese in a legacy 8-bit encoding (declared per connector) are
converted first: their drivers read the bytes as Latin-1 or cp1252 characters.
"""

import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from connectors.spec import TextEncoding
from lienthong.errors import ConfigurationError

__all__ = ["clean_strings", "clean_text", "text_cleaner"]


def clean_text(value: Any, encoding: TextEncoding = TextEncoding.UNICODE) -> Any:
    """`value` with every string in it (keys excepted) converted and normalised to NFC."""
    return clean_strings(value, text_cleaner(encoding))


def text_cleaner(encoding: TextEncoding) -> Callable[[str], str]:
    if encoding is not TextEncoding.UNICODE:
        raise ConfigurationError(f"text encoding {encoding} cannot be read yet")
    return _nfc


def _nfc(text: str) -> str:
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def clean_strings(value: Any, clean: Callable[[str], str]) -> Any:
    """`value` with `clean` applied to every string in it, through mappings and sequences."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, Mapping):
        return {key: clean_strings(item, clean) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean_strings(item, clean) for item in value]
    return value
