"""From the slot's pgoutput messages, in commit order, to source items with exact positions.

Pure: no I/O. Every item of a transaction gets the commit LSN as version and a position; the
last one gets the transaction's end LSN, a resume point the slot can advance to, the others
say how many items of the transaction came before them (see `positions`). Each item is held
back until the next message tells whether it was the transaction's last.
"""

import dataclasses
from collections.abc import Callable, Iterator, Mapping

import structlog
from psycopg.abc import AdaptContext

from connectors.contract import Receipt, SourceItem
from connectors.pgcdc.changes import Origin, RowChanges, rejected
from connectors.pgcdc.pgoutput import (
    Begin,
    Commit,
    Delete,
    Insert,
    Relation,
    Truncate,
    Update,
    decode_message,
)
from connectors.pgcdc.positions import StreamPosition
from connectors.pgcdc.values import RelationValues
from lienthong.errors import FatalError
from lienthong.events import Operation

__all__ = ["ChangeDecoder"]

log = structlog.get_logger(__name__)

ReceiptFor = Callable[[int], Receipt]
"""Given a transaction's end LSN, the receipt its last item carries."""


class ChangeDecoder:
    """Turns the messages of one slot into items, after a stored position."""

    def __init__(
        self,
        tables: Mapping[str, RowChanges],
        after: StreamPosition,
        *,
        context: AdaptContext | None = None,
        receipt_for: ReceiptFor | None = None,
    ) -> None:
        self._tables = tables
        self._resume = after
        self._context = context
        self._receipt_for = receipt_for
        self.boundary = after.lsn
        """End of the newest transaction decoded (or skipped): everything before is read."""
        self._relations: dict[int, tuple[RelationValues, RowChanges | None]] = {}
        self._begin: Begin | None = None
        self._index = 0
        self._skip = 0
        self._held: SourceItem | None = None

    def feed(self, data: bytes, lsn: str = "") -> Iterator[SourceItem]:
        """The items this message completes; `lsn` is the message's place, for headers."""
        message = decode_message(data)
        if isinstance(message, Begin):
            self._begin, self._index = message, 0
            if message.final_lsn < self.boundary:
                self._skip = -1  # the whole transaction is published already
            else:
                self._skip = self._resume.skips(message.final_lsn)
        elif isinstance(message, Commit):
            yield from self._commit(message)
        elif isinstance(message, Relation):
            changes = self._tables.get(message.qualified_name)
            self._relations[message.oid] = (RelationValues(message, self._context), changes)
        elif isinstance(message, Insert | Update | Delete | Truncate) and self._skip >= 0:
            for item in self._items(message, lsn):
                yield from self._hold(item)

    def _commit(self, commit: Commit) -> Iterator[SourceItem]:
        held, self._held, self._begin = self._held, None, None
        self.boundary = max(self.boundary, commit.end_lsn)
        if held is None:
            return
        receipt = self._receipt_for(commit.end_lsn) if self._receipt_for else None
        position = StreamPosition(commit.end_lsn).to_json()
        yield dataclasses.replace(held, position=position, receipt=receipt)

    def _hold(self, item: SourceItem) -> Iterator[SourceItem]:
        """Release the item held so far (not the transaction's last), then hold `item`."""
        begin = self._begin
        index, self._index = self._index, self._index + 1
        if begin is None or self._skip < 0 or index < self._skip:
            return
        held, self._held = self._held, item
        if held is not None:
            position = StreamPosition(self.boundary, begin.final_lsn, index)
            yield dataclasses.replace(held, position=position.to_json())

    def _items(self, message: Insert | Update | Delete | Truncate, lsn: str) -> list[SourceItem]:
        """The message's items, numbered on from the transaction's items so far."""
        begin = self._begin
        if begin is None:
            raise FatalError(f"pgoutput change at {lsn} outside a transaction")
        if isinstance(message, Truncate):
            return self._truncated(message, lsn)
        values, changes = self._relation(message.relation_oid, lsn)
        if changes is None:
            return []  # a table of the publication this connector does not capture
        index = self._index
        origin = Origin(begin.final_lsn, begin.committed_at, lsn)
        if isinstance(message, Insert):
            row, _ = values.read(message.new)
            return [changes.item(Operation.CREATE, row, None, index=index, origin=origin)]
        if isinstance(message, Delete):
            removed, _ = values.read(message.old)
            before = removed if message.old_is_full else None
            return [
                changes.item(
                    Operation.DELETE, None, before, key_values=removed, index=index, origin=origin
                )
            ]
        return self._update(message, values, changes, origin, index)

    def _update(
        self,
        message: Update,
        values: RelationValues,
        changes: RowChanges,
        origin: Origin,
        index: int,
    ) -> list[SourceItem]:
        new, unchanged = values.read(message.new)
        old = None if message.old is None else values.read(message.old)[0]
        before = old if message.old_is_full else None
        if before is not None:
            new = {**{c: before[c] for c in unchanged if c in before}, **new}
            unchanged = frozenset(c for c in unchanged if c not in before)
        missing = sorted(unchanged & _captured(changes))
        if missing:
            reason = (
                f"UPDATE of {changes.table.name} left TOASTed column(s) {', '.join(missing)} "
                "unchanged and PostgreSQL did not send them; set REPLICA IDENTITY FULL"
            )
            return [
                rejected(changes.table, reason, Operation.UPDATE, new, None, origin.source_position)
            ]
        if old is not None and changes.key_of(old) != changes.key_of(new):
            # The key changed: the old entity is gone, the new one starts here.
            return [
                changes.item(
                    Operation.DELETE, None, before, key_values=old, index=index, origin=origin
                ),
                changes.item(Operation.CREATE, new, None, index=index + 1, origin=origin),
            ]
        return [changes.item(Operation.UPDATE, new, before, index=index, origin=origin)]

    def _truncated(self, message: Truncate, lsn: str) -> list[SourceItem]:
        items: list[SourceItem] = []
        for oid in message.relation_oids:
            _, changes = self._relation(oid, lsn)
            if changes is None:
                continue
            reason = (
                f"table {changes.table.name} was truncated: the log holds no delete per row; "
                f"reconcile {changes.table.options.domain} with the centre"
            )
            log.warning("captured table truncated", table=changes.table.name, lsn=lsn)
            items.append(rejected(changes.table, reason, "TRUNCATE", None, None, lsn))
        return items

    def _relation(self, oid: int, lsn: str) -> tuple[RelationValues, RowChanges | None]:
        found = self._relations.get(oid)
        if found is None:
            raise FatalError(f"pgoutput change at {lsn} for relation {oid} never described")
        return found


def _captured(changes: RowChanges) -> set[str]:
    table = changes.table
    return {*table.fields, *table.key_columns, *table.options.envelope_columns}
