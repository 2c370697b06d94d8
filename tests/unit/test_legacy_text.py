"""Legacy Vietnamese columns (TCVN3/ABC, VNI Windows) become Unicode NFC at the edge.

The byte strings are text as legacy systems really stored it (.VnTime and VNI-Times documents
and databases); the round trips encode every letter with the charset's table and read the
bytes back as a driver would, as Latin-1 and as cp1252 characters.
"""

import unicodedata

import pytest

from connectors.legacy_text import (
    TCVN3_BYTES,
    VNI_LETTER_BYTES,
    VNI_MARK_BYTES,
    decode_legacy,
)
from connectors.spec import TextEncoding
from connectors.text import clean_text

_VOWELS = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
_HORN = "\u031b"
LOWERCASE = (
    "".join(unicodedata.normalize("NFC", vowel + tone) for vowel in _VOWELS for tone in _TONES)
    + "đbcdghklmnpqrstvx"
)
EVERY_LETTER = LOWERCASE + LOWERCASE.upper()
SENTENCES = (
    "Uỷ ban nhân dân tỉnh Lào Cai: “Giấy chứng nhận quyền sử dụng đất” \u2013 thửa số 12",
    "Phường Đống Đa, ấp Mỹ Phước, xã Yên Thế; nghĩa vụ tài chính 250.000 đồng",
)


def tcvn3_bytes(text: str) -> bytes:
    """`text` as a .VnTime program stored it; other characters as cp1252."""
    by_letter = {letter: byte for byte, letter in TCVN3_BYTES.items()}
    encoded = bytearray()
    for char in unicodedata.normalize("NFC", text):
        if char in by_letter:
            encoded.append(by_letter[char])
        else:
            encoded += char.encode("cp1252")
    return bytes(encoded)


def vni_bytes(text: str) -> bytes:
    """`text` as a VNI-Times program stored it: base letter, then one byte for its marks."""
    letters = {letter: byte for byte, letter in VNI_LETTER_BYTES.items()}
    marks = {
        (unicodedata.normalize("NFD", "a" + combining)[1:], byte >= 0xE0): byte
        for byte, combining in VNI_MARK_BYTES.items()
    }
    encoded = bytearray()
    for char in unicodedata.normalize("NFC", text):
        if char in letters:
            encoded.append(letters[char])
            continue
        decomposed = unicodedata.normalize("NFD", char)
        base, rest = decomposed[0], decomposed[1:]
        if rest.startswith(_HORN):
            base, rest = unicodedata.normalize("NFC", base + _HORN), rest[1:]
        encoded += bytes([letters[base]]) if base in letters else base.encode("cp1252")
        if rest:
            encoded.append(marks[rest, base.islower()])
    return bytes(encoded)


def driver_readings(stored: bytes) -> list[str]:
    """What database drivers hand over for a legacy 8-bit column."""
    return [stored.decode("latin-1"), stored.decode("cp1252")]


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("Céng hßa x· héi chñ nghÜa ViÖt Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        ("§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"),
        ("B\xb8o c\xb8o tµi chÝnh quý II n¨m 2008", "Báo cáo tài chính quý II năm 2008"),
        ("QuyÕt ®Þnh cña Bé tr\u00adëng Bé Tµi chÝnh", "Quyết định của Bộ trưởng Bộ Tài chính"),
    ],
)
def test_tcvn3_text_from_vntime_documents_reads_as_vietnamese(stored: str, expected: str) -> None:
    assert decode_legacy(stored, TextEncoding.TCVN3) == expected


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        ("Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
        (
            "COÂNG TY SAÛN PHAÅM MAÙY TÍNH FUJITSU VIEÄT NAM",
            "CÔNG TY SẢN PHẨM MÁY TÍNH FUJITSU VIỆT NAM",
        ),
        ("ÑÔN TRÌNH BAÙO", "ĐƠN TRÌNH BÁO"),
        ("Toâi teân laø Nguyeãn Vaên Thöû", "Tôi tên là Nguyễn Văn Thử"),
        ("ñöôïc", "được"),
        ("Ñaø Naüng", "Đà Nẵng"),
    ],
)
def test_vni_text_from_vni_times_documents_reads_as_vietnamese(stored: str, expected: str) -> None:
    assert decode_legacy(stored, TextEncoding.VNI) == expected


def test_tcvn3_defines_the_75_characters_of_its_standard() -> None:
    # 67 lowercase letters, the 7 capitals without a tone mark, the no-break space.
    assert len(TCVN3_BYTES) == 75
    assert min(TCVN3_BYTES) == 0xA0
    assert (TCVN3_BYTES[0xB8], TCVN3_BYTES[0xD6], TCVN3_BYTES[0xAE]) == ("á", "ệ", "đ")
    assert sorted(v for v in TCVN3_BYTES.values() if v.isupper()) == sorted("ĂÂÊÔƠƯĐ")


@pytest.mark.parametrize("text", [LOWERCASE + "ĂÂÊÔƠƯĐ", *SENTENCES])
def test_every_tcvn3_letter_comes_back_from_either_driver_reading(text: str) -> None:
    for read in driver_readings(tcvn3_bytes(text)):
        assert decode_legacy(read, TextEncoding.TCVN3) == text


@pytest.mark.parametrize("text", [EVERY_LETTER, *SENTENCES, *(s.upper() for s in SENTENCES)])
def test_every_vni_letter_comes_back_from_either_driver_reading(text: str) -> None:
    for read in driver_readings(vni_bytes(text)):
        assert decode_legacy(read, TextEncoding.VNI) == text


def test_windows_punctuation_is_the_same_whichever_way_the_driver_read_it() -> None:
    stored = b"\x93Vi\xd6t Nam\x94 \x96 \x85"
    for read in driver_readings(stored):
        assert decode_legacy(read, TextEncoding.TCVN3) == "“Việt Nam” \u2013 \u2026"


def test_tcvn3_capitals_with_tones_only_the_capitals_font_knew_decode_lowercase() -> None:
    # "CỘNG HOÀ" typed in .VnTimeH is stored with the lowercase letters' bytes.
    assert decode_legacy("CéNG HOµ", TextEncoding.TCVN3) == "CộNG HOà"


@pytest.mark.parametrize("encoding", [TextEncoding.TCVN3, TextEncoding.VNI])
def test_ascii_and_text_already_beyond_latin1_pass_through(encoding: TextEncoding) -> None:
    assert decode_legacy("Thua dat so 12/345", encoding) == "Thua dat so 12/345"
    assert decode_legacy("Nguyễn Thị Hương", encoding) == "Nguyễn Thị Hương"


def test_clean_text_converts_every_string_of_a_tcvn3_record_to_nfc() -> None:
    record = {
        "holder": "NguyÔn V¨n An",
        "uses": [{"name": "§Êt ë t¹i n«ng th«n", "area_m2": 120.5}],
        "certificate": None,
    }

    cleaned = clean_text(record, TextEncoding.TCVN3)

    assert cleaned == {
        "holder": "Nguyễn Văn An",
        "uses": [{"name": "Đất ở tại nông thôn", "area_m2": 120.5}],
        "certificate": None,
    }


def test_clean_text_gives_vni_marks_as_precomposed_letters() -> None:
    cleaned = clean_text({"address": "Xaõ Vónh Thaønh, huyeän Chôï Gaïo"}, TextEncoding.VNI)

    assert cleaned == {"address": "Xã Vĩnh Thành, huyện Chợ Gạo"}
    assert unicodedata.is_normalized("NFC", cleaned["address"])
    assert len(cleaned["address"]) == len("Xã Vĩnh Thành, huyện Chợ Gạo")


def test_unicode_columns_are_only_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", "Bắc Ninh")
    assert clean_text(decomposed) == "Bắc Ninh"
