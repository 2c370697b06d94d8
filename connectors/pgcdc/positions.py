"""Where a pgcdc connector stopped, as the JSON text the runner stores with each batch.

- snapshot: {"phase": "snapshot", "lsn0": "2/C3399158", "table": "public.t", "after_pk": ["a"]}
  every row of the tables before `table`, and of `table` up to key `after_pk` (null: none yet),
  is published; streaming will start at `lsn0`, where the slot was created.
- stream: {"phase": "stream", "lsn": "2/C3399320"} every transaction ending at or before
  `lsn` is published. Inside a transaction, {"phase": "stream", "lsn": ..., "tx": "<its commit
  LSN>", "items": 3} says the first 3 items of the transaction committed at `tx` are
  published too, so a restart mid-transaction publishes neither a gap nor a duplicate.
"""

import json
from dataclasses import dataclass

from lienthong.errors import ConfigurationError

__all__ = [
    "Position",
    "SnapshotPosition",
    "StreamPosition",
    "format_lsn",
    "parse_lsn",
    "parse_position",
]


def parse_lsn(text: str) -> int:
    """PostgreSQL's X/Y notation (two hexadecimal halves) as one integer."""
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) | int(low, 16)


def format_lsn(lsn: int) -> str:
    return f"{lsn >> 32:X}/{lsn & 0xFFFFFFFF:X}"


@dataclass(frozen=True, slots=True)
class SnapshotPosition:
    lsn0: int
    table: str
    after_pk: tuple[str, ...] | None = None

    def to_json(self) -> str:
        return json.dumps(
            {
                "phase": "snapshot",
                "lsn0": format_lsn(self.lsn0),
                "table": self.table,
                "after_pk": None if self.after_pk is None else list(self.after_pk),
            },
            ensure_ascii=False,
        )


@dataclass(frozen=True, slots=True)
class StreamPosition:
    lsn: int
    tx_commit: int | None = None
    """The commit LSN of the transaction in progress, when inside one."""
    items: int = 0
    """How many of that transaction's items are published."""

    def to_json(self) -> str:
        document: dict[str, object] = {"phase": "stream", "lsn": format_lsn(self.lsn)}
        if self.tx_commit is not None:
            document |= {"tx": format_lsn(self.tx_commit), "items": self.items}
        return json.dumps(document)

    def skips(self, commit_lsn: int) -> int:
        """How many leading items of the transaction committed at `commit_lsn` are published."""
        return self.items if commit_lsn == self.tx_commit else 0


Position = SnapshotPosition | StreamPosition


def parse_position(text: str) -> Position:
    try:
        document = json.loads(text)
        if document["phase"] == "snapshot":
            after_pk = document["after_pk"]
            return SnapshotPosition(
                parse_lsn(document["lsn0"]),
                document["table"],
                None if after_pk is None else tuple(str(value) for value in after_pk),
            )
        if document["phase"] == "stream":
            tx = document.get("tx")
            return StreamPosition(
                parse_lsn(document["lsn"]),
                None if tx is None else parse_lsn(tx),
                int(document.get("items", 0)),
            )
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigurationError(f"stored pgcdc position {text!r} is unreadable: {exc}") from exc
    raise ConfigurationError(f"stored pgcdc position {text!r} has an unknown phase")
