"""Vietnamese text from legacy 8-bit columns, TCVN3 (ABC) and VNI Windows, back to Unicode.

A driver that does not know these charsets hands their bytes over as Latin-1 characters (one
character per byte, U+0000..U+00FF), or as cp1252 characters, which differ from Latin-1 only
in 0x80..0x9F. Both readings give the same result here: each character is taken back to its
byte, then the byte is looked up in the charset's table.

Supported:

- TCVN3, the "ABC" charset of the .Vn fonts (.VnTime, .VnArial; TCVN 5712:1993, VN3): every
  lowercase letter as one byte in 0xA1..0xFE, plus the seven capitals without a tone mark
  Ă Â Ê Ô Ơ Ư Đ, and the no-break space. Capitals with tone marks are not in the charset:
  documents get them from a capitals font (.VnTimeH) drawing the lowercase bytes as capitals,
  so only the font knew the case; such text decodes to lowercase.
  TCVN 5712 VN1 (capitals in the C0 and 0x80..0x9F positions) is not supported.
- VNI Windows (VNI-Times...): an ASCII base letter followed by one byte for its marks, in
  lowercase and uppercase forms; đ ơ ư, the i with a tone and ỵ are single bytes.

Bytes 0x80..0x9F, unused by both tables, become the cp1252 punctuation Windows programs
typed with these fonts (curly quotes, dashes). Other characters pass through unchanged, so
letters beyond U+00FF (ư, ễ) already in Unicode survive; Latin-1 letters such as à cannot be
told apart from legacy bytes and are read as the charset's. The result may hold combining
marks; the caller normalises it to NFC.
"""

import unicodedata
from collections.abc import Mapping
from typing import Final

from connectors.spec import TextEncoding

__all__ = ["TCVN3_BYTES", "VNI_LETTER_BYTES", "VNI_MARK_BYTES", "decode_legacy"]

GRAVE, HOOK, TILDE, ACUTE, DOT_BELOW = "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"
CIRCUMFLEX, BREVE = "\u0302", "\u0306"
_TONES: Final = (GRAVE, HOOK, TILDE, ACUTE, DOT_BELOW)
"""The order in which both charts list a vowel's five toned forms."""

# TCVN3 chart: each vowel without a tone mark (None: plain ASCII), then its five toned forms.
_TCVN3_VOWELS: Final[dict[str, tuple[int | None, int, int, int, int, int]]] = {
    "a": (None, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ă": (0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "e": (None, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "i": (None, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (None, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ô": (0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "u": (None, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "y": (None, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
_TCVN3_OTHERS: Final = {
    0xA0: "\u00a0",
    0xAE: "đ",
    0xA1: "Ă",
    0xA2: "Â",
    0xA3: "Ê",
    0xA4: "Ô",
    0xA5: "Ơ",
    0xA6: "Ư",
    0xA7: "Đ",
}


def _tcvn3_bytes() -> dict[int, str]:
    table = dict(_TCVN3_OTHERS)
    for vowel, (bare, *toned) in _TCVN3_VOWELS.items():
        if bare is not None:
            table[bare] = vowel
        for tone, byte in zip(_TONES, toned, strict=True):
            table[byte] = unicodedata.normalize("NFC", vowel + tone)
    return table


TCVN3_BYTES: Final[Mapping[int, str]] = _tcvn3_bytes()
"""TCVN3 byte to the Unicode letter it stands for (NFC)."""

# VNI chart, lowercase bytes. Each uppercase form is the byte 0x20 lower: the Latin-1
# capital of the same character (ù 0xF9 acute, Ù 0xD9 acute on a capital).
_VNI_LOWER_LETTERS: Final = {
    0xF1: "đ",
    0xF4: "ơ",
    0xF6: "ư",
    0xEC: "ì",
    0xE6: "ỉ",
    0xF3: "ĩ",
    0xED: "í",
    0xF2: "ị",
    0xEE: "ỵ",
}
_VNI_LOWER_MARKS: Final = {
    0xF8: GRAVE,
    0xFB: HOOK,
    0xF5: TILDE,
    0xF9: ACUTE,
    0xEF: DOT_BELOW,
    0xE2: CIRCUMFLEX,
    0xE0: CIRCUMFLEX + GRAVE,
    0xE5: CIRCUMFLEX + HOOK,
    0xE3: CIRCUMFLEX + TILDE,
    0xE1: CIRCUMFLEX + ACUTE,
    0xE4: CIRCUMFLEX + DOT_BELOW,
    0xEA: BREVE,
    0xE8: BREVE + GRAVE,
    0xFA: BREVE + HOOK,
    0xFC: BREVE + TILDE,
    0xE9: BREVE + ACUTE,
    0xEB: BREVE + DOT_BELOW,
}
_CAPITAL_OFFSET: Final = 0x20

VNI_LETTER_BYTES: Final[Mapping[int, str]] = {
    **_VNI_LOWER_LETTERS,
    **{byte - _CAPITAL_OFFSET: letter.upper() for byte, letter in _VNI_LOWER_LETTERS.items()},
}
"""VNI bytes that are whole letters."""
VNI_MARK_BYTES: Final[Mapping[int, str]] = {
    **_VNI_LOWER_MARKS,
    **{byte - _CAPITAL_OFFSET: marks for byte, marks in _VNI_LOWER_MARKS.items()},
}
"""VNI bytes that put marks on the letter before them, as Unicode combining marks."""


def _windows_punctuation() -> dict[int, str]:
    """0x80..0x9F as cp1252 has them (five of these bytes are undefined there)."""
    table = {}
    for byte in range(0x80, 0xA0):
        try:
            table[byte] = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            continue
    return table


def _translation(by_byte: Mapping[int, str]) -> dict[int, str]:
    """A `str.translate` table taking both readings of each byte to its text."""
    table: dict[int, str] = {}
    for byte, text in {**_windows_punctuation(), **by_byte}.items():
        table[byte] = text  # the Latin-1 reading: the character's code is the byte
        windows = bytes([byte]).decode("cp1252", errors="ignore")
        if windows and ord(windows) != byte:
            table[ord(windows)] = text  # the cp1252 reading of 0x80..0x9F
    return {code: text for code, text in table.items() if chr(code) != text}


_TCVN3_TRANSLATION: Final = _translation(TCVN3_BYTES)
_VNI_TRANSLATION: Final = _translation({**VNI_LETTER_BYTES, **VNI_MARK_BYTES})


def decode_legacy(text: str, encoding: TextEncoding) -> str:
    """`text`, read from a `encoding` column as Latin-1 or cp1252 characters, in Unicode."""
    if text.isascii():
        return text
    if encoding is TextEncoding.TCVN3:
        return text.translate(_TCVN3_TRANSLATION)
    if encoding is TextEncoding.VNI:
        # Marks arrive as combining characters after their letter; NFC makes them one.
        return unicodedata.normalize("NFC", text.translate(_VNI_TRANSLATION))
    return text
