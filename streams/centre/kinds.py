"""What the centre needs to know about one kind of entity to keep it: one description per
kind, one code path for all of them (streams.centre.store).

A kind names its change event, the topic it travels on, its three tables (current state,
deletion markers, history) and the pure functions that map an event to rows. Anything a
kind derives beyond its own rows (links to other kinds, counts the province is scored on)
is a `Derivation`, run in the same transaction as the rows.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Connection, Table

from lienthong.events import ChangeEvent, Operation
from lienthong.ids import TopicName
from lienthong.settings import TopicSettings

__all__ = ["Derivation", "EntityKey", "EntityKind", "KindChanges", "before_after_kind"]

C = TypeVar("C", bound=ChangeEvent)

EntityKey = tuple[str, ...]
"""The values of a current-state table's primary key, in the kind's `key_columns` order."""


class KindChanges(Protocol):
    """What a derivation sees of a batch: the changes of its kind."""

    @property
    def keys(self) -> list[EntityKey]: ...

    @property
    def accepted(self) -> list[ChangeEvent]:
        """Every change accepted, collapsed or not, each event once, in the order received."""
        ...

    @property
    def upserts(self) -> list[ChangeEvent]:
        """Per entity, the newest change when it is not a DELETE."""
        ...

    @property
    def deletes(self) -> list[ChangeEvent]:
        """Per entity, the newest DELETE."""
        ...


class Derivation(Protocol):
    """Tables kept from a kind's rows, written in the batch's transaction.

    `capture` runs before the batch touches the kind's tables and `apply` after; what
    `capture` returns (e.g. the rows as they were) is handed to `apply`.
    """

    def capture(self, conn: Connection, keys: Sequence[EntityKey]) -> Any: ...

    def apply(
        self, conn: Connection, changes: KindChanges, captured: Any, synced_at: datetime
    ) -> None: ...


@dataclass(frozen=True)
class EntityKind(Generic[C]):
    name: str
    """Also the attribute of `TopicSettings` naming the kind's topic."""
    model: type[C]
    record: str
    """The full name of the change event's Avro record."""
    current: Table
    key_columns: tuple[str, ...]
    history: Table
    history_key: str
    history_state: str
    deleted: Table | None
    """None when the kind's entities are never deleted."""
    key_of: Callable[[C], EntityKey]
    row_of: Callable[[C, datetime], dict[str, Any]]
    """The current-state row a CREATE, UPDATE or SNAPSHOT leaves."""
    state_of: Callable[[C], str | None]
    """The entity as JSON for the history: after the change, before it for a delete."""
    contract: Callable[[C, str], str | None]
    """What is wrong with an event under its record key, or None when the centre accepts it."""
    derivations: tuple[Derivation, ...] = ()

    def topic(self, topics: TopicSettings) -> TopicName:
        name: TopicName = getattr(topics, self.name)
        return name

    def deletion_row(self, change: C, synced_at: datetime) -> dict[str, Any]:
        """The marker a DELETE leaves in `deleted`."""
        envelope = change.envelope
        return {
            **dict(zip(self.key_columns, self.key_of(change), strict=True)),
            "entity_version": envelope.entity_version,
            "event_id": str(envelope.event_id),
            "occurred_at": envelope.occurred_at,
            "synced_at": synced_at,
        }


def envelope_fields(change: ChangeEvent, synced_at: datetime) -> dict[str, Any]:
    """The columns every current-state row takes from its event's envelope."""
    envelope = change.envelope
    return {
        "entity_version": envelope.entity_version,
        "event_id": str(envelope.event_id),
        "source_agency": envelope.source_agency,
        "source_system": envelope.source_system,
        "occurred_at": envelope.occurred_at,
        "synced_at": synced_at,
    }


def state_before_delete(change: Any) -> str | None:
    """The history's state for a before/after event: after, or before for a delete."""
    deleting = change.envelope.operation == Operation.DELETE
    state = change.before if deleting else change.after
    return None if state is None else str(state.model_dump_json())


def before_after_contract(change: Any, key: str, id_field: str) -> str | None:
    """The rules every before/after event follows: the record key is the envelope's
    entity_key and the entity's own id; a DELETE carries no after; others carry one."""
    envelope = change.envelope
    if envelope.entity_key != key:
        return f"entity_key {envelope.entity_key!r} differs from record key {key!r}"
    if envelope.operation == Operation.DELETE:
        return "a DELETE must carry after = null" if change.after is not None else None
    if envelope.operation == Operation.UNKNOWN:
        return "operation UNKNOWN cannot be applied"
    if change.after is None:
        return f"a {envelope.operation.value} must carry the entity in after"
    own = getattr(change.after, id_field)
    if own != key:
        return f"after.{id_field} {own!r} differs from record key {key!r}"
    return None


def before_after_kind(
    name: str,
    model: type[C],
    record: str,
    *,
    current: Table,
    deleted: Table,
    history: Table,
    id_field: str,
    state: str,
    row_of: Callable[[C, datetime], dict[str, Any]],
    derivations: tuple[Derivation, ...] = (),
) -> EntityKind[C]:
    """A kind whose events carry the entity before and after, keyed by its own id
    (`id_field`, also the current table's key column and the history's key column)."""

    def key_of(change: C) -> EntityKey:
        return (change.envelope.entity_key,)

    def contract(change: C, key: str) -> str | None:
        return before_after_contract(change, key, id_field)

    return EntityKind(
        name=name,
        model=model,
        record=record,
        current=current,
        key_columns=(id_field,),
        history=history,
        history_key=id_field,
        history_state=state,
        deleted=deleted,
        key_of=key_of,
        row_of=row_of,
        state_of=state_before_delete,
        contract=contract,
        derivations=derivations,
    )
