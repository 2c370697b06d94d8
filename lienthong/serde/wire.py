"""The Confluent wire format: magic byte 0, the schema id as 4 big-endian bytes, then Avro binary.

Confluent's serializers, Karapace and ours all read and write this framing, so a record
says which schema wrote it without carrying the schema.
"""

import struct
from typing import Final, NamedTuple

from lienthong.ids import SchemaId
from lienthong.serde.errors import WireFormatError

__all__ = [
    "HEADER",
    "HEADER_SIZE",
    "MAGIC_BYTE",
    "MAX_SCHEMA_ID",
    "SCHEMA_ID_SIZE",
    "Framed",
    "frame",
    "header",
    "read_schema_id",
    "unframe",
]

MAGIC_BYTE: Final = 0
"""First byte of every framed record; any other value is another format."""
SCHEMA_ID_SIZE: Final = 4
HEADER: Final = struct.Struct(">BI")
"""Magic byte, then the registry's schema id as an unsigned 32-bit big-endian integer."""
HEADER_SIZE: Final = HEADER.size
MAX_SCHEMA_ID: Final = 2**31 - 1
"""Registries hand out Java ints: a larger id cannot come from one."""


class Framed(NamedTuple):
    schema_id: SchemaId
    payload: bytes


def header(schema_id: SchemaId) -> bytes:
    """The five bytes that precede every record written with `schema_id`."""
    if not 0 <= schema_id <= MAX_SCHEMA_ID:
        raise WireFormatError(f"schema id {schema_id} is outside 0..{MAX_SCHEMA_ID}")
    return HEADER.pack(MAGIC_BYTE, schema_id)


def frame(schema_id: SchemaId, payload: bytes) -> bytes:
    """`payload` (Avro binary) behind the header naming the schema that wrote it."""
    return header(schema_id) + payload


def unframe(data: bytes) -> Framed:
    """The schema id and the Avro payload of a framed record."""
    return Framed(read_schema_id(data), data[HEADER_SIZE:])


def read_schema_id(data: bytes) -> SchemaId:
    """The schema id in the header of `data`, without copying the payload."""
    if len(data) < HEADER_SIZE or data[0] != MAGIC_BYTE:
        raise WireFormatError(_header_problem(data))
    _magic, schema_id = HEADER.unpack_from(data)
    return SchemaId(schema_id)


def _header_problem(data: bytes) -> str:
    if not data:
        return "empty value: a framed record starts with magic byte 0x00 and a 4-byte schema id"
    if data[0] != MAGIC_BYTE:
        found = data[0]
        shown = f" ({chr(found)!r})" if 0x20 <= found < 0x7F else ""
        return (
            f"wrong magic byte: found 0x{found:02x}{shown}, expected 0x{MAGIC_BYTE:02x}; "
            "the value was not written by a Confluent-format Avro serializer"
        )
    return (
        f"truncated header: {len(data)} bytes, but the magic byte and the schema id "
        f"need {HEADER_SIZE}"
    )
