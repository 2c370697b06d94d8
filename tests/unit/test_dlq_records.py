"""Reading Kafka Connect's error headers off a dead letter, and formatting it for people."""

import base64

from lienthong.dlq import (
    DeadLetterRecord,
    detail_lines,
    letter_json,
    original_place,
    preview,
    short_class_name,
    summary_line,
)
from lienthong.ids import TopicName

DLQ = TopicName("motcua.dossiers.dlq")


def letter(
    headers: dict[str, bytes], key: bytes | None = b"H41.1", value: bytes = b"v"
) -> DeadLetterRecord:
    return DeadLetterRecord(DLQ, 0, 7, 1_700_000_000_000, key, value, tuple(headers.items()))


WORKER = {
    "schema": b"vn.gov.motcua.DossierChange",
    "__connect.errors.topic": b"motcua.dossiers",
    "__connect.errors.partition": b"2",
    "__connect.errors.offset": b"41",
    "__connect.errors.stage": b"TRANSFORMATION",
    "__connect.errors.exception.class.name": b"lienthong.errors.DeadLetterError",
    "__connect.errors.exception.message": "entity_key sai\nkhác".encode(),
}


def test_the_error_headers_are_parsed() -> None:
    parsed = letter(WORKER)
    assert parsed.original_topic == "motcua.dossiers"
    assert (parsed.original_partition, parsed.original_offset) == (2, 41)
    assert parsed.stage == "TRANSFORMATION"
    assert parsed.exception_class == "lienthong.errors.DeadLetterError"
    assert parsed.exception_message == "entity_key sai\nkhác"


def test_missing_or_malformed_headers_read_as_none() -> None:
    parsed = letter({"__connect.errors.partition": b"two", "__connect.errors.offset": b"\xff"})
    assert parsed.original_topic is None
    assert parsed.original_partition is None
    assert parsed.original_offset is None
    assert parsed.header("absent") is None


def test_the_last_header_of_a_name_wins() -> None:
    parsed = DeadLetterRecord(DLQ, 0, 0, None, None, None, (("h", b"old"), ("h", b"new")))
    assert parsed.header("h") == "new"


def test_short_class_name() -> None:
    assert short_class_name("pydantic_core._pydantic_core.ValidationError") == "ValidationError"
    assert short_class_name("KeyError") == "KeyError"
    assert short_class_name(None) == "-"


def test_original_place_of_worker_and_connector_letters() -> None:
    assert original_place(letter(WORKER)) == "motcua.dossiers[2]@41"
    assert (
        original_place(letter({"__connect.errors.topic": b"motcua.dossiers"})) == "motcua.dossiers"
    )


def test_preview_shows_printable_text_only() -> None:
    assert preview(b"\x00\x00\x00\x00\x01\x0eH41") == "......H41"
    assert preview(b"\xffok") == "\ufffdok"
    assert preview(b"a" * 300, limit=10) == "a" * 10 + "…"
    assert preview(None) is None


def test_summary_line_holds_everything_on_one_line() -> None:
    line = summary_line(letter(WORKER))
    assert line.split() == [
        "7",
        "motcua.dossiers[2]@41",
        "TRANSFORMATION",
        "DeadLetterError",
        "entity_key",
        "sai",
        "khác",
        "key=H41.1",
    ]


def test_summary_line_truncates_the_message_to_the_room_given() -> None:
    line = summary_line(letter(WORKER), message_width=8)
    assert "entity_…" in line
    assert "khác" not in line


def test_json_decodes_utf8_and_falls_back_to_base64() -> None:
    headers = {**WORKER, "binary": b"\xff\x00"}
    document = letter_json(letter(headers, key=b"\xfe", value=b"\x00{}"))
    assert document["key_base64"] == base64.b64encode(b"\xfe").decode()
    assert document["value_base64"] == base64.b64encode(b"\x00{}").decode()
    assert document["value_preview"] == ".{}"
    assert {"name": "binary", "value_base64": "/wA="} in document["headers"]
    assert {"name": "__connect.errors.offset", "value": "41"} in document["headers"]
    assert document["original"] == {"topic": "motcua.dossiers", "partition": 2, "offset": 41}
    assert document["replayable"] is True
    assert document["timestamp"] == "2023-11-14T22:13:20+00:00"


def test_detail_lines_list_every_header() -> None:
    lines = detail_lines(letter(WORKER))
    assert "  schema: vn.gov.motcua.DossierChange" in lines
    assert "replayable   yes" in lines
