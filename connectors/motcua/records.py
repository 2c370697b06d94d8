"""What one outbox row becomes on Kafka: its event (and tombstone), or one dead letter."""

from dataclasses import dataclass
from datetime import datetime

from connectors.dead_letter import dead_letter_headers
from connectors.headers import CONNECTOR_HEADER, EVENT_ID_HEADER, SOURCE_POSITION_HEADER
from connectors.motcua.mapping import SourceIdentity, to_dossier_change
from connectors.motcua.outbox_reader import OutboxRow
from connectors.publisher import OutgoingRecord
from lienthong.codec import SCHEMA_HEADER, RecordEncoder
from lienthong.errors import DeadLetterError, SchemaError
from lienthong.events import Operation
from lienthong.ids import ConnectorName, TopicName
from schemas import DOSSIER_CHANGE

__all__ = ["RecordTargets", "RowRecords", "records_for_row"]


@dataclass(frozen=True, slots=True)
class RecordTargets:
    """Where and as whom the connector writes."""

    connector: ConnectorName
    source: SourceIdentity
    topic: TopicName
    dead_letter_topic: TopicName
    codec: RecordEncoder


@dataclass(frozen=True, slots=True)
class RowRecords:
    records: tuple[OutgoingRecord, ...]
    events: int = 0
    tombstones: int = 0
    dead_letter: DeadLetterError | None = None


def records_for_row(row: OutboxRow, targets: RecordTargets, ingested_at: datetime) -> RowRecords:
    """The change event keyed by dossier number, a tombstone after a delete; or a dead letter."""
    position = (SOURCE_POSITION_HEADER, str(row.id).encode("ascii"))
    try:
        change = to_dossier_change(row, targets.source, ingested_at)
        try:
            value = targets.codec.encode(change.to_avro())
        except SchemaError as exc:
            raise DeadLetterError(str(exc), stage="ENCODE") from exc
    except DeadLetterError as error:
        return RowRecords((_dead_letter(row, error, targets),), dead_letter=error)
    key = change.envelope.entity_key.encode("utf-8")
    event = OutgoingRecord(
        targets.topic,
        key,
        value,
        (
            (SCHEMA_HEADER, DOSSIER_CHANGE.encode("ascii")),
            (EVENT_ID_HEADER, str(change.envelope.event_id).encode("ascii")),
            position,
        ),
    )
    if change.envelope.operation is not Operation.DELETE:
        return RowRecords((event,), events=1)
    # The tombstone lets log compaction drop the dossier's history once consumers have seen it.
    tombstone = OutgoingRecord(targets.topic, key, None, (position,))
    return RowRecords((event, tombstone), events=1, tombstones=1)


def _dead_letter(row: OutboxRow, error: DeadLetterError, targets: RecordTargets) -> OutgoingRecord:
    headers = dead_letter_headers(
        error,
        target_topic=targets.topic,
        connector=targets.connector,
        extra=((SOURCE_POSITION_HEADER, str(row.id)), (CONNECTOR_HEADER, targets.connector)),
    )
    key = row.aggregate_id.encode("utf-8") if row.aggregate_id else None
    return OutgoingRecord(targets.dead_letter_topic, key, row.to_json().encode("utf-8"), headers)
