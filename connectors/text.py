"""Text at the edge: every string a source hands over becomes Unicode NFC.

Sources that store Vietnamese in a legacy 8-bit encoding (declared per connector) are
converted first: their drivers read the bytes as Latin-1 or cp1252 characters.
"""

import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from connectors.spec import TextEncoding

__all__ = ["clean_strings", "clean_text", "text_cleaner"]


def clean_text(value: Any, encoding: TextEncoding = TextEncoding.UNICODE) -> Any:
    """`value` with every string in it (keys excepted) converted and normalised to NFC."""
    return clean_strings(value, text_cleaner(encoding))


def text_cleaner(encoding: TextEncoding) -> Callable[[str], str]:
    if encoding is TextEncoding.UNICODE:
        return _nfc
    from connectors.legacy_text import decode_legacy

    def cleaner(text: str) -> str:
        return _nfc(decode_legacy(text, encoding))

    return cleaner


def _nfc(text: str) -> str:
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def clean_strings(value: Any, clean: Callable[[str], str]) -> Any:
    """`value` with `clean` applied to every string in it, through mappings and sequences."""
    kind = type(value)  # exact types first: isinstance against the ABCs is slow on this path
    if kind is str:
        return clean(value)
    if kind is dict:
        return {key: clean_strings(item, clean) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [clean_strings(item, clean) for item in value]
    if value is None or kind is int or kind is float or kind is bool:
        return value
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, Mapping):
        return {key: clean_strings(item, clean) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean_strings(item, clean) for item in value]
    return value
