"""The centre's audit log: one entry per history row, each entry chained to the one before
it by SHA-256, so an edited, deleted or reordered history or audit row shows.

An entry records the history row's own digest (`row_sha256`, over every history column,
the entity's state JSON included) and `hash` = SHA-256(prev_hash || canonical JSON of the
entry's other fields). The first entry's prev_hash is GENESIS. Entries are appended in the
transaction that writes the history rows (streams.centre.audit_writer) and checked by
streams.centre.audit_verify; this module holds the table and the pure functions both use.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final
from uuid import UUID

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table

from streams.centre.schema import METADATA, UtcDateTime

__all__ = [
    "AUDIT_LOG",
    "GENESIS",
    "AuditEntry",
    "AuditProblem",
    "AuditedChange",
    "ChainTip",
    "ChainWalk",
    "canonical_json",
    "chain",
    "entry_hash",
    "field_values",
    "history_problem",
    "row_sha256",
]

GENESIS: Final = "0" * 64
"""The prev_hash of the first entry."""

AUDIT_LOG = Table(
    "audit_log",
    METADATA,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String, nullable=False),
    Column("entity_key", String, nullable=False),
    Column("event_id", String, nullable=False),
    Column("source_agency", String, nullable=False),
    Column("operation", String, nullable=False),
    Column("entity_version", BigInteger, nullable=False),
    Column("topic", String, nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("applied_at", UtcDateTime, nullable=False),
    Column("row_sha256", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_log_kind_event_id", "kind", "event_id", unique=True),
)


@dataclass(frozen=True)
class AuditedChange:
    """What an entry says of one history row, before it is chained."""

    kind: str
    entity_key: str
    event_id: str
    source_agency: str
    operation: str
    entity_version: int
    topic: str
    partition: int
    offset: int
    applied_at: datetime
    row_sha256: str


@dataclass(frozen=True)
class AuditEntry(AuditedChange):
    """An audit_log row."""

    seq: int
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainTip:
    """The last entry of the chain: where the next one attaches."""

    seq: int
    hash: str


GENESIS_TIP: Final = ChainTip(0, GENESIS)


@dataclass(frozen=True)
class AuditProblem:
    """One broken link, as an operator reads it."""

    seq: int | None
    kind: str
    event_id: str
    problem: str

    @property
    def line(self) -> str:
        where = "no audit entry" if self.seq is None else f"seq {self.seq}"
        return f"{where} ({self.kind} event {self.event_id}): {self.problem}"


def canonical_json(fields: Mapping[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8, instants in UTC ISO form: one text per content."""
    values = {name: _canonical(value) for name, value in fields.items()}
    text = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode()


def row_sha256(history_row: Mapping[str, Any]) -> str:
    """The digest of a history row: every column, by name."""
    return hashlib.sha256(canonical_json(history_row)).hexdigest()


def entry_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """SHA-256(prev_hash || canonical JSON of the entry's fields other than its hash)."""
    content = {name: value for name, value in fields.items() if name != "hash"}
    return hashlib.sha256(prev_hash.encode() + canonical_json(content)).hexdigest()


def field_values(record: "AuditedChange") -> dict[str, Any]:
    """The record's fields by name. Shallow: every field holds a plain value, and
    `dataclasses.asdict` (which copies deeply) cost a quarter of a flush."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


def chain(tip: ChainTip, changes: Iterable[AuditedChange]) -> list[AuditEntry]:
    """The entries for `changes`, in order, attached after `tip`."""
    entries = []
    for change in changes:
        given = field_values(change) | {"seq": tip.seq + 1, "prev_hash": tip.hash}
        entry = AuditEntry(**given, hash=entry_hash(tip.hash, given))
        entries.append(entry)
        tip = ChainTip(entry.seq, entry.hash)
    return entries


class ChainWalk:
    """Checks entries fed in seq order against the chain so far."""

    def __init__(self) -> None:
        self.tip = GENESIS_TIP
        self.checked = 0

    def check(self, entry: AuditEntry) -> list[AuditProblem]:
        problems = []
        expected = self.tip.seq + 1
        if entry.seq != expected:
            gap = (
                f"seq {expected}"
                if entry.seq == expected + 1
                else f"seq {expected}..{entry.seq - 1}"
            )
            problems.append(_problem(entry, f"audit entry {gap} deleted (chain gap)"))
        elif entry.prev_hash != self.tip.hash:
            problems.append(
                _problem(entry, f"prev_hash differs from seq {self.tip.seq}'s hash: edited")
            )
        if entry_hash(entry.prev_hash, field_values(entry)) != entry.hash:
            problems.append(_problem(entry, "audit entry edited (hash differs)"))
        # The stored hash, right or wrong, is what the next entry must point at: one edit
        # is reported once.
        self.tip = ChainTip(entry.seq, entry.hash)
        self.checked += 1
        return problems


def history_problem(
    entry: AuditEntry, history_row: Mapping[str, Any] | None
) -> AuditProblem | None:
    """What is wrong with the history row `entry` records (None for nothing)."""
    if history_row is None:
        return _problem(entry, "history row deleted")
    if row_sha256(history_row) != entry.row_sha256:
        return _problem(entry, "history row edited (sha256 differs)")
    return None


def _problem(entry: AuditEntry, problem: str) -> AuditProblem:
    return AuditProblem(entry.seq, entry.kind, entry.event_id, problem)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the audit hashes instants only")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value
