"""What lands on Kafka per outbox row: keyed events, tombstones after deletes, dead letters
with Kafka Connect's error headers and a reason an operator can act on."""

import json
from datetime import UTC, datetime

import pytest

from connectors.dead_letter import (
    ERRORS_CONNECTOR,
    ERRORS_EXCEPTION_CLASS,
    ERRORS_EXCEPTION_MESSAGE,
    ERRORS_STAGE,
    ERRORS_TOPIC,
)
from connectors.headers import CONNECTOR_HEADER, EVENT_ID_HEADER, SOURCE_POSITION_HEADER
from connectors.motcua import DeptDossier, OutboxRow, SourceIdentity
from connectors.motcua.mapping import event_id_for
from connectors.motcua.outbox_batch import build_batch, position_from_value
from connectors.motcua.records import RecordTargets, records_for_row
from lienthong.codec import SCHEMA_HEADER
from lienthong.events import DossierChange, Operation
from lienthong.ids import ConnectorName, TopicName
from schemas import DOSSIER_CHANGE
from tests.serde_support import Serde, avro_serde

TOPIC = TopicName("motcua.dossiers")
SOURCE = SourceIdentity("000.00.00.H41", "motcua")
NOW = datetime(2025, 7, 1, 3, 0, tzinfo=UTC)
DOSSIER = DeptDossier(
    dossier_no="H41.20-250701-000007",
    procedure_code="1.009972",
    local_procedure_code="XD-01",
    field_code="XD",
    receiving_agency="000.20.00.H41",
    applicant_kind="citizen",
    applicant_id_number="040085001234",
    applicant_name="Phạm Đức Thắng",
    applicant_phone=None,
    applicant_email=None,
    applicant_address="Xóm 3, Xã Nam Đàn, tỉnh Nghệ An",
    applicant_province_code="40",
    applicant_commune_code="17869",
    status="new",
    submitted_at=datetime(2025, 7, 1, 2, 0, tzinfo=UTC),
)
GOOD = json.loads(DOSSIER.to_payload())


@pytest.fixture
async def serde() -> Serde:
    return await avro_serde(DOSSIER_CHANGE, TOPIC)


@pytest.fixture
def targets(serde: Serde) -> RecordTargets:
    return RecordTargets(
        connector=ConnectorName("motcua-outbox"),
        source=SOURCE,
        topic=TOPIC,
        dead_letter_topic=TopicName("motcua.dossiers.dlq"),
        codec=serde.serializer,
    )


def _row(payload: object, *, event_type: str = "created", outbox_id: int = 9) -> OutboxRow:
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return OutboxRow(outbox_id, "dossier", DOSSIER.dossier_no, event_type, text, NOW)


def test_an_event_is_keyed_by_dossier_number_with_schema_and_id_headers(
    serde: Serde, targets: RecordTargets
) -> None:
    produced = records_for_row(_row(GOOD), targets, NOW)
    assert (produced.events, produced.tombstones, produced.dead_letter) == (1, 0, None)
    [event] = produced.records
    assert event.topic == "motcua.dossiers"
    assert event.key == b"H41.20-250701-000007"
    headers = dict(event.headers)
    assert headers[SCHEMA_HEADER] == b"vn.lienthong.motcua.DossierChange"
    assert headers[EVENT_ID_HEADER] == str(event_id_for(SOURCE, 9)).encode()
    assert headers[SOURCE_POSITION_HEADER] == b"9"
    assert event.value is not None
    decoded = DossierChange.from_avro(serde.decode(event.value))
    assert decoded.envelope.operation is Operation.CREATE


def test_a_delete_is_followed_by_a_tombstone_with_the_same_key(
    serde: Serde, targets: RecordTargets
) -> None:
    produced = records_for_row(_row(GOOD, event_type="deleted"), targets, NOW)
    event, tombstone = produced.records
    assert (produced.events, produced.tombstones) == (1, 1)
    assert event.value is not None and tombstone.value is None
    assert tombstone.key == event.key and tombstone.topic == event.topic
    assert DossierChange.from_avro(serde.decode(event.value)).after is None


MALFORMED = [
    pytest.param('{"dossier_no": "H41', "created", "PARSE", "json.decoder.JSONDecodeError",
                 "payload is not valid JSON", id="bad-json"),
    pytest.param("[1, 2]", "created", "PARSE", "lienthong.errors.DeadLetterError",
                 "payload is a JSON list, not an object", id="not-an-object"),
    pytest.param({k: v for k, v in GOOD.items() if k != "procedure_code"}, "created", "VALIDATE",
                 "lienthong.errors.DeadLetterError",
                 "payload is missing required field 'procedure_code'", id="missing-field"),
    pytest.param(GOOD | {"applicant_name": ""}, "created", "VALIDATE",
                 "lienthong.errors.DeadLetterError",
                 "payload is missing required field 'applicant_name'", id="empty-name"),
    pytest.param(GOOD, "archived", "VALIDATE", "lienthong.errors.DeadLetterError",
                 "unknown event_type 'archived' "
                 "(expected one of created, updated, deleted, snapshot)",
                 id="unknown-event-type"),
    pytest.param(GOOD | {"due_at": "31/07/2025"}, "created", "VALIDATE",
                 "lienthong.errors.DeadLetterError",
                 "field 'due_at' is not a date-time: '31/07/2025'", id="bad-date"),
    pytest.param(GOOD | {"fee_vnd": -5}, "created", "VALIDATE",
                 "pydantic_core._pydantic_core.ValidationError",
                 "field 'fee_vnd': Input should be greater than or equal to 0", id="negative-fee"),
    pytest.param(GOOD | {"applicant_phone": 912345678}, "created", "VALIDATE",
                 "pydantic_core._pydantic_core.ValidationError",
                 "field 'applicant_phone': Input should be a valid string", id="wrong-type"),
    pytest.param(GOOD | {"version": "3"}, "created", "VALIDATE",
                 "lienthong.errors.DeadLetterError",
                 "field 'version' must be a whole number, got '3'", id="version-not-a-number"),
    pytest.param(GOOD | {"dossier_no": "H41.20-250701-999999"}, "created", "VALIDATE",
                 "lienthong.errors.DeadLetterError",
                 "aggregate_id 'H41.20-250701-000007' differs from the payload's dossier_no "
                 "'H41.20-250701-999999'", id="key-mismatch"),
    pytest.param(GOOD | {"fee_vnd": 2**63}, "created", "ENCODE",
                 "lienthong.serde.errors.RecordMismatchError",
                 "record does not match vn.lienthong.motcua.DossierChange: field after.fee_vnd",
                 id="beyond-avro-long"),
]  # fmt: skip


@pytest.mark.parametrize(("payload", "event_type", "stage", "cause", "reason"), MALFORMED)
def test_a_malformed_row_becomes_one_dead_letter_with_its_reason(
    targets: RecordTargets, payload: object, event_type: str, stage: str, cause: str, reason: str
) -> None:
    row = _row(payload, event_type=event_type, outbox_id=31)
    produced = records_for_row(row, targets, NOW)

    assert (produced.events, produced.tombstones) == (0, 0)
    assert produced.dead_letter is not None and reason in produced.dead_letter.reason
    [letter] = produced.records
    assert letter.topic == "motcua.dossiers.dlq"
    assert letter.key == DOSSIER.dossier_no.encode()
    headers = {name: value.decode() for name, value in letter.headers}
    assert headers[ERRORS_TOPIC] == "motcua.dossiers"
    assert headers[ERRORS_STAGE] == stage
    assert headers[ERRORS_EXCEPTION_CLASS] == cause
    assert reason in headers[ERRORS_EXCEPTION_MESSAGE]
    assert headers[ERRORS_CONNECTOR] == headers[CONNECTOR_HEADER] == "motcua-outbox"
    assert headers[SOURCE_POSITION_HEADER] == "31"
    assert letter.value is not None
    raw = json.loads(letter.value)
    assert (raw["id"], raw["event_type"], raw["payload"]) == (31, event_type, row.payload)


def test_a_batch_ends_with_the_connector_position_after_its_last_row(
    targets: RecordTargets,
) -> None:
    rows = [_row(GOOD, outbox_id=40), _row("not json", outbox_id=41), _row(GOOD, outbox_id=42)]
    batch = build_batch(rows, targets, TopicName("lienthong.connect.offsets"), NOW)
    topics = [record.topic for record in batch.records]
    assert topics == [
        "motcua.dossiers",
        "motcua.dossiers.dlq",
        "motcua.dossiers",
        "lienthong.connect.offsets",
    ]
    position = batch.records[-1]
    assert position.key == b"motcua-outbox"
    assert position_from_value(position.value) == 42
    assert position_from_value(None) == 0
