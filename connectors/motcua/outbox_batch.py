"""One batch of outbox rows as the records of one Kafka transaction, ending with the position."""

import json
from dataclasses import dataclass
from datetime import datetime

from connectors.motcua.outbox_reader import OutboxRow
from connectors.motcua.records import RecordTargets, RowRecords, records_for_row
from connectors.publisher import OutgoingRecord
from lienthong.ids import TopicName

__all__ = ["OutboxBatch", "build_batch", "position_from_value", "position_record"]


@dataclass(frozen=True, slots=True)
class OutboxBatch:
    rows: list[OutboxRow]
    outcomes: list[RowRecords]
    records: list[OutgoingRecord]
    """Every row's records in outbox order, then the connector's new position."""

    @property
    def last_id(self) -> int:
        return self.rows[-1].id


def build_batch(
    rows: list[OutboxRow], targets: RecordTargets, offsets_topic: TopicName, now: datetime
) -> OutboxBatch:
    outcomes = [records_for_row(row, targets, now) for row in rows]
    records = [record for outcome in outcomes for record in outcome.records]
    if rows:
        records.append(position_record(targets, offsets_topic, rows[-1].id, now))
    return OutboxBatch(rows, outcomes, records)


def position_record(
    targets: RecordTargets, offsets_topic: TopicName, outbox_id: int, now: datetime
) -> OutgoingRecord:
    """Keyed by connector name on the compacted offsets topic: only the newest value is kept."""
    value = {
        "outbox_id": outbox_id,
        "connector": targets.connector,
        "source_agency": targets.source.agency,
        "source_system": targets.source.system,
        "committed_at": now.isoformat(),
    }
    return OutgoingRecord(
        offsets_topic, targets.connector.encode("utf-8"), json.dumps(value).encode("utf-8")
    )


def position_from_value(value: bytes | None) -> int:
    """The last published outbox id; 0 (before the first row) when nothing is stored."""
    if value is None:
        return 0
    position: int = json.loads(value)["outbox_id"]
    return position
