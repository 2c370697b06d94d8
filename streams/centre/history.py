"""The centre's history: per kind of entity, one row per change event it accepted, kept
forever (the tables: streams.centre.schema.history_table).

Which events: every change event the centre received and accepted, each once. Accepted
means decoded into its change model, within the kind's contract, and added to the sink;
dead letters and tombstones leave no history. The current-state tables collapse a batch
to the newest version per entity and ignore versions older than what they hold; the
history does neither. A collapsed event, or an older version arriving late, still
happened at its source and was delivered, so it gets its row; `entity_version` says where
it stands, and readers order by it. "Each once" is the event_id: the row is inserted with
`ON CONFLICT (event_id) DO NOTHING`, so a batch read again after a crash or a failed
flush, or an event the producer sent twice, never adds a second row. The rows are written
in the same transaction as the current state and the offsets (streams.centre.store).

A delete keeps its history (the state it records is the entity before the delete); only
the current row goes. `read_history` reads a dossier's.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, select

from lienthong.events import Dossier, Operation
from lienthong.ids import TopicName
from streams.centre.batch import ReceivedChange
from streams.centre.kinds import EntityKind
from streams.centre.schema import DOSSIER_HISTORY

__all__ = ["HistoryEntry", "history_row", "read_history"]


@dataclass(frozen=True)
class HistoryEntry:
    """One accepted change event of a dossier, as the history holds it."""

    event_id: UUID
    dossier_no: str
    entity_version: int
    operation: Operation
    source_agency: str
    source_system: str
    occurred_at: datetime
    ingested_at: datetime
    correlation_id: str | None
    causation_id: str | None
    payload_sha256: str | None
    topic: TopicName
    partition: int
    offset: int
    dossier: Dossier | None
    """The dossier after the change; before it for a delete; None if the event carried none."""
    applied_at: datetime


def history_row(
    kind: EntityKind[Any], received: ReceivedChange, applied_at: datetime
) -> dict[str, Any]:
    """The history row of one accepted change event of `kind`."""
    change = received.change
    envelope = change.envelope
    return {
        "event_id": str(envelope.event_id),
        kind.history_key: envelope.entity_key,
        "entity_version": envelope.entity_version,
        "operation": envelope.operation.value,
        "source_agency": envelope.source_agency,
        "source_system": envelope.source_system,
        "occurred_at": envelope.occurred_at,
        "ingested_at": envelope.ingested_at,
        "correlation_id": envelope.correlation_id,
        "causation_id": envelope.causation_id,
        "payload_sha256": envelope.payload_sha256,
        "topic": received.topic,
        "partition": received.partition,
        "offset": received.offset,
        kind.history_state: kind.state_of(change),
        "applied_at": applied_at,
    }


def read_history(engine: Engine, dossier_no: str) -> list[HistoryEntry]:
    """The dossier's accepted changes, oldest version first (then in the order read)."""
    table = DOSSIER_HISTORY
    query = (
        select(table)
        .where(table.c.dossier_no == dossier_no)
        .order_by(
            table.c.entity_version,
            table.c.topic,
            table.c.partition,
            table.c.offset,
            table.c.event_id,
        )
    )
    with engine.connect() as conn:
        return [_entry(row._mapping) for row in conn.execute(query)]


def _entry(row: Mapping[Any, Any]) -> HistoryEntry:
    state = row["dossier"]
    return HistoryEntry(
        event_id=UUID(row["event_id"]),
        dossier_no=row["dossier_no"],
        entity_version=row["entity_version"],
        operation=Operation(row["operation"]),
        source_agency=row["source_agency"],
        source_system=row["source_system"],
        occurred_at=row["occurred_at"],
        ingested_at=row["ingested_at"],
        correlation_id=row["correlation_id"],
        causation_id=row["causation_id"],
        payload_sha256=row["payload_sha256"],
        topic=TopicName(row["topic"]),
        partition=row["partition"],
        offset=row["offset"],
        dossier=None if state is None else Dossier.model_validate_json(state),
        applied_at=row["applied_at"],
    )
