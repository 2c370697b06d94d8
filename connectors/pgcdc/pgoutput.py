"""PostgreSQL's `pgoutput` logical replication messages, protocol version 1, decoded from bytes.

Pure: no I/O. The layouts are those of the PostgreSQL manual, "Logical Replication Message
Formats". Integers are big-endian; strings end with a NUL byte; column values arrive in text
form (the output function's text), or as a marker for NULL and for an unchanged TOASTed value
that the server did not send.
"""

import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Final

from lienthong.errors import FatalError

__all__ = [
    "Begin",
    "Column",
    "Commit",
    "Delete",
    "Ignored",
    "Insert",
    "Message",
    "Relation",
    "Truncate",
    "TupleData",
    "Unchanged",
    "Update",
    "decode_message",
]

POSTGRES_EPOCH: Final = datetime(2000, 1, 1, tzinfo=UTC)


class Unchanged(Enum):
    """A TOASTed value the UPDATE left as it was: the server does not send it again."""

    TOAST = "u"


TupleData = tuple[bytes | Unchanged | None, ...]
"""One row's values in text form, in the relation's column order; None is SQL NULL."""


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type_oid: int
    type_modifier: int
    in_key: bool
    """Part of the replica identity: sent in the old tuple of a DELETE or key-changing UPDATE."""


@dataclass(frozen=True, slots=True)
class Begin:
    final_lsn: int
    """Where the transaction's commit record starts."""
    committed_at: datetime
    xid: int


@dataclass(frozen=True, slots=True)
class Commit:
    commit_lsn: int
    end_lsn: int
    """Just past the commit record: a replication slot advanced here skips this transaction."""
    committed_at: datetime


@dataclass(frozen=True, slots=True)
class Relation:
    oid: int
    namespace: str
    name: str
    replica_identity: str
    """d (primary key), n (nothing), f (full row), i (an index)."""
    columns: tuple[Column, ...]

    @property
    def qualified_name(self) -> str:
        return f"{self.namespace}.{self.name}"


@dataclass(frozen=True, slots=True)
class Insert:
    relation_oid: int
    new: TupleData


@dataclass(frozen=True, slots=True)
class Update:
    relation_oid: int
    new: TupleData
    old: TupleData | None
    """The row before: the whole row with REPLICA IDENTITY FULL, only the key columns when the
    key changed; None when neither applies."""
    old_is_full: bool


@dataclass(frozen=True, slots=True)
class Delete:
    relation_oid: int
    old: TupleData
    old_is_full: bool
    """True with REPLICA IDENTITY FULL; else only the key columns carry values."""


@dataclass(frozen=True, slots=True)
class Truncate:
    relation_oids: tuple[int, ...]
    cascade: bool
    restart_identity: bool


@dataclass(frozen=True, slots=True)
class Ignored:
    """A message that carries nothing a change event needs (Type, Origin, logical Message)."""

    tag: str


Message = Begin | Commit | Relation | Insert | Update | Delete | Truncate | Ignored

_IGNORED_TAGS: Final = frozenset({"Y", "O", "M"})


class _Reader:
    def __init__(self, data: bytes) -> None:
        self._bytes = data
        self._at = 0

    def byte(self) -> str:
        value = chr(self._bytes[self._at])
        self._at += 1
        return value

    def int8(self) -> int:
        return self._unpack(">b", 1)

    def int16(self) -> int:
        return self._unpack(">h", 2)

    def int32(self) -> int:
        return self._unpack(">i", 4)

    def uint32(self) -> int:
        return self._unpack(">I", 4)

    def uint64(self) -> int:
        return self._unpack(">Q", 8)

    def timestamp(self) -> datetime:
        microseconds = self._unpack(">q", 8)
        return POSTGRES_EPOCH + timedelta(microseconds=microseconds)

    def string(self) -> str:
        end = self._bytes.index(0, self._at)
        value = self._bytes[self._at : end].decode("utf-8")
        self._at = end + 1
        return value

    def raw(self, length: int) -> bytes:
        value = self._bytes[self._at : self._at + length]
        if len(value) != length:
            raise IndexError("message ends inside a value")
        self._at += length
        return value

    def tuple_data(self) -> TupleData:
        values: list[bytes | Unchanged | None] = []
        for _ in range(self.int16()):
            kind = self.byte()
            if kind == "n":
                values.append(None)
            elif kind == "u":
                values.append(Unchanged.TOAST)
            elif kind == "t":
                values.append(self.raw(self.int32()))
            else:
                raise ValueError(f"unknown column kind {kind!r}")
        return tuple(values)

    def at_end(self) -> bool:
        return self._at == len(self._bytes)

    def _unpack(self, layout: str, size: int) -> int:
        (value,) = struct.unpack_from(layout, self._bytes, self._at)
        self._at += size
        result: int = value
        return result


def decode_message(data: bytes) -> Message:
    """One pgoutput message; FatalError when the bytes are not protocol version 1."""
    try:
        reader = _Reader(data)
        message = _decode(reader.byte(), reader)
    except (IndexError, ValueError, struct.error, UnicodeDecodeError) as exc:
        raise FatalError(f"cannot decode pgoutput message {data[:64]!r}: {exc}") from exc
    if not isinstance(message, Ignored) and not reader.at_end():
        raise FatalError(f"pgoutput message {data[:64]!r} has bytes left over")
    return message


def _decode(tag: str, reader: _Reader) -> Message:
    if tag == "B":
        return Begin(reader.uint64(), reader.timestamp(), reader.uint32())
    if tag == "C":
        reader.int8()  # flags, unused so far
        return Commit(reader.uint64(), reader.uint64(), reader.timestamp())
    if tag == "R":
        return _relation(reader)
    if tag == "I":
        oid = reader.uint32()
        _expect(reader, "N")
        return Insert(oid, reader.tuple_data())
    if tag == "U":
        return _update(reader)
    if tag == "D":
        oid = reader.uint32()
        kind = reader.byte()
        if kind not in "KO":
            raise ValueError(f"DELETE without an old tuple ({kind!r})")
        return Delete(oid, reader.tuple_data(), old_is_full=kind == "O")
    if tag == "T":
        count, options = reader.int32(), reader.int8()
        oids = tuple(reader.uint32() for _ in range(count))
        return Truncate(oids, cascade=bool(options & 1), restart_identity=bool(options & 2))
    if tag in _IGNORED_TAGS:
        return Ignored(tag)
    raise ValueError(f"unknown message type {tag!r} (only protocol version 1 is read)")


def _relation(reader: _Reader) -> Relation:
    oid, namespace, name = reader.uint32(), reader.string(), reader.string()
    identity = reader.byte()
    columns = []
    for _ in range(reader.int16()):
        flags = reader.int8()
        columns.append(Column(reader.string(), reader.uint32(), reader.int32(), bool(flags & 1)))
    # pgoutput sends an empty namespace for pg_catalog
    return Relation(oid, namespace or "pg_catalog", name, identity, tuple(columns))


def _update(reader: _Reader) -> Update:
    oid = reader.uint32()
    kind = reader.byte()
    old: TupleData | None = None
    old_is_full = False
    if kind in "KO":
        old, old_is_full = reader.tuple_data(), kind == "O"
        kind = reader.byte()
    if kind != "N":
        raise ValueError(f"UPDATE without a new tuple ({kind!r})")
    return Update(oid, reader.tuple_data(), old, old_is_full)


def _expect(reader: _Reader, wanted: str) -> None:
    found = reader.byte()
    if found != wanted:
        raise ValueError(f"expected {wanted!r}, found {found!r}")
