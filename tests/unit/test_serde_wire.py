"""The Confluent framing: magic byte 0, a 4-byte big-endian schema id, then the Avro body."""

import pytest

from lienthong.ids import SchemaId
from lienthong.serde import HEADER_SIZE, MAGIC_BYTE, WireFormatError, frame, unframe
from lienthong.serde.wire import MAX_SCHEMA_ID, read_schema_id


def test_frame_puts_the_magic_byte_and_the_big_endian_id_before_the_payload() -> None:
    assert frame(SchemaId(0x01020304), b"avro") == b"\x00\x01\x02\x03\x04avro"
    assert MAGIC_BYTE == 0
    assert HEADER_SIZE == 5


@pytest.mark.parametrize("schema_id", [0, 1, 257, MAX_SCHEMA_ID])
@pytest.mark.parametrize("payload", [b"", b"\x02x", bytes(range(256))])
def test_unframe_gives_back_the_id_and_the_payload(schema_id: int, payload: bytes) -> None:
    framed = unframe(frame(SchemaId(schema_id), payload))
    assert framed == (schema_id, payload)
    assert read_schema_id(frame(SchemaId(schema_id), payload)) == schema_id


def test_a_wrong_magic_byte_says_which_byte_was_found() -> None:
    with pytest.raises(
        WireFormatError, match=r"wrong magic byte: found 0x7b \('\{'\), expected 0x00"
    ):
        unframe(b'{"json": true}')
    with pytest.raises(WireFormatError, match="found 0x01, expected 0x00"):
        unframe(b"\x01\x00\x00\x00\x01\x02")


@pytest.mark.parametrize("data", [b"\x00", b"\x00\x00\x00\x01"])
def test_a_truncated_header_says_how_many_bytes_there_were(data: bytes) -> None:
    with pytest.raises(WireFormatError, match=f"truncated header: {len(data)} bytes.*need 5"):
        unframe(data)


def test_an_empty_value_is_not_framed() -> None:
    with pytest.raises(WireFormatError, match="empty value"):
        read_schema_id(b"")


@pytest.mark.parametrize("schema_id", [-1, MAX_SCHEMA_ID + 1])
def test_an_id_no_registry_can_give_is_refused(schema_id: int) -> None:
    with pytest.raises(WireFormatError, match="outside"):
        frame(SchemaId(schema_id), b"")


def test_wire_errors_are_schema_errors_a_consumer_dead_letters() -> None:
    from lienthong.errors import SchemaError

    assert issubclass(WireFormatError, SchemaError)
    assert not WireFormatError.retriable
