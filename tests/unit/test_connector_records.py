"""What lands on Kafka per one-stop-shop outbox row, read by the `outbox` kind in the motcua
payload format: keyed Avro events, tombstones after deletes, dead letters with Kafka Connect's
error headers and a reason an operator can act on."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.building import EventBuilder, ItemRecords
from connectors.contract import Domain
from connectors.dead_letter import (
    ERRORS_CONNECTOR,
    ERRORS_EXCEPTION_MESSAGE,
    ERRORS_STAGE,
    ERRORS_TOPIC,
)
from connectors.headers import CONNECTOR_HEADER, EVENT_ID_HEADER, SOURCE_POSITION_HEADER
from connectors.motcua import DeptDossier, SourceIdentity, event_id_for
from connectors.motcua.outbox import motcua_outbox_options
from connectors.outbox import OutboxOptions
from connectors.outbox.items import OutboxItems
from connectors.outbox.rows import OutboxRow
from connectors.spec import ConnectorSpec
from lienthong.codec import SCHEMA_HEADER
from lienthong.events import DossierChange, Operation
from lienthong.ids import ConnectorName
from lienthong.settings import TopicSettings
from schemas import DOSSIER_CHANGE
from tests.serde_support import Serde, avro_serde

TOPICS = TopicSettings()
SPEC = ConnectorSpec(
    name=ConnectorName("motcua-outbox"),
    kind="outbox",
    agency="000.00.00.H41",
    system="motcua",
    domains=("dossiers",),
    options=motcua_outbox_options("sqlite:///motcua.db"),
)
ITEMS = OutboxItems(SPEC, OutboxOptions.model_validate(SPEC.options))
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
    return await avro_serde(DOSSIER_CHANGE, TOPICS.dossiers)


def _row(payload: object, *, event_type: str = "created", outbox_id: int = 9) -> OutboxRow:
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return OutboxRow(outbox_id, "dossier", DOSSIER.dossier_no, text, event_type, NOW)


def _published(serde: Serde, row: OutboxRow) -> ItemRecords:
    builder = EventBuilder(SPEC, TOPICS, {Domain.DOSSIERS: serde.serializer})
    return builder.records(ITEMS.item(row), NOW)


def _headers(record: Any) -> dict[str, str]:
    return {name: value.decode() for name, value in record.headers}


def test_an_event_is_keyed_by_dossier_number_with_schema_id_and_position_headers(
    serde: Serde,
) -> None:
    produced = _published(serde, _row(GOOD))
    assert (produced.tombstones, produced.dead_letter) == (0, None)
    [event] = produced.records
    assert event.topic == "motcua.dossiers"
    assert event.key == b"H41.20-250701-000007"
    expected_id = event_id_for(SourceIdentity("000.00.00.H41", "motcua"), 9)
    assert produced.event_id == expected_id
    assert _headers(event) == {
        SCHEMA_HEADER: "vn.lienthong.motcua.DossierChange",
        EVENT_ID_HEADER: str(expected_id),
        SOURCE_POSITION_HEADER: "9",
    }
    assert event.value is not None
    decoded = DossierChange.from_avro(serde.decode(event.value))
    assert decoded.envelope.operation is Operation.CREATE
    assert decoded.after is not None and decoded.after.applicant.name == "Phạm Đức Thắng"


def test_a_delete_is_one_version_more_and_is_followed_by_a_tombstone(serde: Serde) -> None:
    produced = _published(serde, _row(GOOD, event_type="deleted"))
    event, tombstone = produced.records
    assert produced.tombstones == 1
    assert event.value is not None and tombstone.value is None
    assert tombstone.key == event.key and tombstone.topic == event.topic
    decoded = DossierChange.from_avro(serde.decode(event.value))
    assert decoded.after is None and decoded.before is not None
    assert decoded.envelope.entity_version == GOOD["version"] + 1


MALFORMED = [
    pytest.param('{"dossier_no": "H41', "created", "PARSE",
                 "payload is not valid JSON", id="bad-json"),
    pytest.param("[1, 2]", "created", "PARSE",
                 "payload is a JSON list, not an object", id="not-an-object"),
    pytest.param({k: v for k, v in GOOD.items() if k != "procedure_code"}, "created", "VALIDATE",
                 "payload is missing required field 'procedure_code'", id="missing-field"),
    pytest.param(GOOD | {"applicant_name": ""}, "created", "VALIDATE",
                 "payload is missing required field 'applicant_name'", id="empty-name"),
    pytest.param(GOOD, "archived", "VALIDATE",
                 "unknown event_type 'archived' "
                 "(expected one of created, updated, deleted, snapshot)",
                 id="unknown-event-type"),
    pytest.param(GOOD | {"due_at": "31/07/2025"}, "created", "VALIDATE",
                 "field 'due_at' is not a date-time: '31/07/2025'", id="bad-date"),
    pytest.param(GOOD | {"fee_vnd": -5}, "created", "VALIDATE",
                 "field 'fee_vnd': Input should be greater than or equal to 0", id="negative-fee"),
    pytest.param(GOOD | {"applicant_phone": 912345678}, "created", "VALIDATE",
                 "field 'applicant_phone': Input should be a valid string", id="wrong-type"),
    pytest.param(GOOD | {"version": "3"}, "created", "VALIDATE",
                 "field 'version' must be a whole number, got '3'", id="version-not-a-number"),
    pytest.param(GOOD | {"dossier_no": "H41.20-250701-999999"}, "created", "VALIDATE",
                 "aggregate_id 'H41.20-250701-000007' differs from the payload's dossier_no "
                 "'H41.20-250701-999999'", id="key-mismatch"),
    pytest.param(GOOD | {"fee_vnd": 2**63}, "created", "ENCODE",
                 "record does not match vn.lienthong.motcua.DossierChange: field after.fee_vnd",
                 id="beyond-avro-long"),
]  # fmt: skip


@pytest.mark.parametrize(("payload", "event_type", "stage", "reason"), MALFORMED)
def test_a_malformed_row_becomes_one_dead_letter_with_its_reason(
    serde: Serde, payload: object, event_type: str, stage: str, reason: str
) -> None:
    row = _row(payload, event_type=event_type, outbox_id=31)
    produced = _published(serde, row)

    assert (produced.event_id, produced.tombstones) == (None, 0)
    assert produced.dead_letter is not None and reason in produced.dead_letter.reason
    [letter] = produced.records
    assert letter.topic == "motcua.dossiers.dlq"
    assert letter.key == DOSSIER.dossier_no.encode()
    headers = _headers(letter)
    assert headers[ERRORS_TOPIC] == "motcua.dossiers"
    assert headers[ERRORS_STAGE] == stage
    assert reason in headers[ERRORS_EXCEPTION_MESSAGE]
    assert headers[ERRORS_CONNECTOR] == headers[CONNECTOR_HEADER] == "motcua-outbox"
    assert headers[SOURCE_POSITION_HEADER] == "31"
    assert letter.value is not None
    if stage != "ENCODE":  # a row that cannot be read is kept as the department stored it
        raw = json.loads(letter.value)
        assert (raw["id"], raw["event_type"], raw["payload"]) == (31, event_type, row.payload)
