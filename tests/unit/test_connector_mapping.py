"""An outbox row becomes the `DossierChange` the centre relies on: all fields, NFC text, UTC."""

import hashlib
import json
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from connectors.motcua import DeptDossier, DeptStep, OutboxRow, SourceIdentity
from connectors.motcua.mapping import event_id_for, to_dossier_change
from lienthong.events import AdminCodeList, ApplicantKind, DossierChange, Operation
from schemas import DOSSIER_CHANGE
from tests.serde_support import avro_serde

SOURCE = SourceIdentity(agency="000.00.00.H41", system="motcua")
INGESTED = datetime(2025, 7, 2, 1, 0, 0, 123000, tzinfo=UTC)
OCCURRED = datetime(2025, 7, 1, 9, 30, 15, 456789, tzinfo=UTC)


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 7, 1, hour, minute, tzinfo=UTC)


DOSSIER = DeptDossier(
    dossier_no="H41.16-250701-000042",
    procedure_code="1.001193",
    local_procedure_code="HT-01",
    field_code="HT",
    receiving_agency="000.00.16.H41",
    applicant_kind="citizen",
    applicant_id_number="040190012345",
    applicant_name="Nguyễn Thị Hương",
    applicant_phone="0912345678",
    applicant_email="huong12@gmail.com",
    applicant_address="Số 12, đường Lê Lợi, Phường Trường Vinh, tỉnh Nghệ An",
    applicant_province_code="40",
    applicant_commune_code="16681",
    status="done",
    submitted_at=_at(1),
    received_at=_at(2),
    due_at=_at(10),
    extended_due_at=_at(11),
    finished_at=_at(3),
    returned_at=_at(4),
    cancelled_at=None,
    fee_vnd=50_000,
    steps=(
        DeptStep(_at(2), "receive", "Lê Văn Hùng", "Bộ phận Một cửa", "Tiếp nhận hồ sơ"),
        DeptStep(_at(3), "resolve", "Trần Thị Lan", "Phòng Văn hóa - Xã hội", None),
    ),
    version=5,
)


def _row(
    payload: str,
    *,
    event_type: str = "updated",
    outbox_id: int = 77,
    aggregate_id: str | None = None,
) -> OutboxRow:
    return OutboxRow(
        id=outbox_id,
        aggregate_type="dossier",
        aggregate_id=aggregate_id or DOSSIER.dossier_no,
        event_type=event_type,
        payload=payload,
        occurred_at=OCCURRED,
        correlation_id="corr-1",
        causation_id="cause-1",
    )


def test_every_field_of_an_update_is_mapped() -> None:
    payload = DOSSIER.to_payload()
    change = to_dossier_change(_row(payload), SOURCE, INGESTED)

    envelope = change.envelope
    assert envelope.event_id == event_id_for(SOURCE, 77)
    assert (envelope.source_agency, envelope.source_system) == ("000.00.00.H41", "motcua")
    assert envelope.operation is Operation.UPDATE
    assert envelope.occurred_at == datetime(2025, 7, 1, 9, 30, 15, 456000, tzinfo=UTC)
    assert envelope.ingested_at == INGESTED
    assert envelope.entity_key == "H41.16-250701-000042"
    assert envelope.entity_version == 5
    assert envelope.admin_unit_code == "16681"
    assert envelope.admin_code_list is AdminCodeList.VN2025
    assert (envelope.correlation_id, envelope.causation_id) == ("corr-1", "cause-1")
    assert envelope.source_position == "77"
    assert envelope.payload_sha256 == hashlib.sha256(payload.encode("utf-8")).hexdigest()
    assert change.before is None

    after = change.after
    assert after is not None
    assert (after.dossier_no, after.procedure_code, after.local_procedure_code) == (
        "H41.16-250701-000042",
        "1.001193",
        "HT-01",
    )
    assert (after.field_code, after.receiving_agency, after.status) == (
        "HT",
        "000.00.16.H41",
        "done",
    )
    assert after.applicant.kind is ApplicantKind.CITIZEN
    assert after.applicant.model_dump() == {
        "kind": ApplicantKind.CITIZEN,
        "id_number": "040190012345",
        "name": "Nguyễn Thị Hương",
        "phone": "0912345678",
        "email": "huong12@gmail.com",
        "address": "Số 12, đường Lê Lợi, Phường Trường Vinh, tỉnh Nghệ An",
        "province_code": "40",
        "commune_code": "16681",
    }
    assert (after.submitted_at, after.received_at, after.due_at) == (_at(1), _at(2), _at(10))
    assert (after.extended_due_at, after.finished_at, after.returned_at) == (
        _at(11),
        _at(3),
        _at(4),
    )
    assert after.cancelled_at is None
    assert after.fee_vnd == 50_000
    assert [(s.at, s.action, s.officer, s.unit, s.note) for s in after.steps] == [
        (_at(2), "receive", "Lê Văn Hùng", "Bộ phận Một cửa", "Tiếp nhận hồ sơ"),
        (_at(3), "resolve", "Trần Thị Lan", "Phòng Văn hóa - Xã hội", None),
    ]


def test_a_create_carries_only_the_new_state() -> None:
    change = to_dossier_change(_row(DOSSIER.to_payload(), event_type="created"), SOURCE, INGESTED)
    assert change.envelope.operation is Operation.CREATE
    assert change.before is None and change.after is not None


def test_a_delete_carries_the_deleted_state_one_version_later() -> None:
    change = to_dossier_change(_row(DOSSIER.to_payload(), event_type="deleted"), SOURCE, INGESTED)
    assert change.envelope.operation is Operation.DELETE
    assert change.after is None
    assert change.before is not None and change.before.dossier_no == DOSSIER.dossier_no
    assert change.envelope.entity_version == DOSSIER.version + 1


def test_decomposed_text_comes_out_composed() -> None:
    def nfd(text: str) -> str:
        return unicodedata.normalize("NFD", text)

    # Local systems may also write Vietnamese statuses and actions, which are plain strings.
    decomposed = replace(
        DOSSIER,
        applicant_name=nfd(DOSSIER.applicant_name),
        applicant_address=nfd(DOSSIER.applicant_address or ""),
        status=nfd("Đã có kết quả"),
        steps=tuple(
            replace(s, officer=nfd(s.officer or ""), action=nfd("Tiếp nhận")) for s in DOSSIER.steps
        ),
    )
    assert decomposed.applicant_name != DOSSIER.applicant_name
    plain = decomposed.to_payload()
    escaped = json.dumps(json.loads(plain), ensure_ascii=True)  # NFD hidden behind \u escapes
    for payload in (plain, escaped):
        after = to_dossier_change(_row(payload), SOURCE, INGESTED).after
        assert after is not None
        assert after.applicant.name == "Nguyễn Thị Hương"
        assert after.applicant.address == DOSSIER.applicant_address
        assert [s.officer for s in after.steps] == ["Lê Văn Hùng", "Trần Thị Lan"]
        assert after.status == "Đã có kết quả"
        assert {s.action for s in after.steps} == {"Tiếp nhận"}
        assert unicodedata.is_normalized("NFC", after.applicant.name)


def test_event_id_is_stable_per_source_row_and_distinct_across_rows() -> None:
    payload = DOSSIER.to_payload()
    first = to_dossier_change(_row(payload), SOURCE, INGESTED)
    again = to_dossier_change(_row(payload), SOURCE, INGESTED + timedelta(hours=1))
    assert first.envelope.event_id == again.envelope.event_id
    other_row = to_dossier_change(_row(payload, outbox_id=78), SOURCE, INGESTED)
    other_source = to_dossier_change(
        _row(payload), replace(SOURCE, agency="000.00.00.H40"), INGESTED
    )
    ids = {change.envelope.event_id for change in (first, other_row, other_source)}
    assert len(ids) == 3


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2025-07-01T08:00:00+07:00", datetime(2025, 7, 1, 1, 0, tzinfo=UTC)),
        ("2025-07-01T08:00:00", datetime(2025, 7, 1, 1, 0, tzinfo=UTC)),
        ("20250701080000", datetime(2025, 7, 1, 1, 0, tzinfo=UTC)),
        ("2025-07-01T01:00:00.999999Z", datetime(2025, 7, 1, 1, 0, 0, 999000, tzinfo=UTC)),
    ],
    ids=["offset", "naive-is-local", "national-portal-format", "utc-truncated-to-millis"],
)
def test_times_are_read_as_the_province_writes_them(written: str, expected: datetime) -> None:
    document = json.loads(DOSSIER.to_payload()) | {"submitted_at": written}
    after = to_dossier_change(_row(json.dumps(document)), SOURCE, INGESTED).after
    assert after is not None and after.submitted_at == expected


def test_business_applicant_and_missing_commune() -> None:
    document = json.loads(DOSSIER.to_payload()) | {
        "applicant_kind": "business",
        "applicant_name": "Công ty TNHH Thương mại Sông Lam",
        "applicant_commune_code": None,
    }
    change = to_dossier_change(_row(json.dumps(document)), SOURCE, INGESTED)
    assert change.after is not None and change.after.applicant.kind is ApplicantKind.BUSINESS
    assert change.envelope.admin_unit_code is None
    assert change.envelope.admin_code_list is AdminCodeList.UNKNOWN


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("CITIZEN", ApplicantKind.CITIZEN),
        (" Business ", ApplicantKind.BUSINESS),
        ("hộ gia đình", ApplicantKind.UNKNOWN),
    ],
)
def test_applicant_kind_is_read_whatever_its_case(written: str, expected: ApplicantKind) -> None:
    document = json.loads(DOSSIER.to_payload()) | {"applicant_kind": written}
    change = to_dossier_change(_row(json.dumps(document)), SOURCE, INGESTED)
    assert change.after is not None and change.after.applicant.kind is expected


async def test_the_change_survives_the_avro_round_trip() -> None:
    serde = await avro_serde(DOSSIER_CHANGE)
    for event_type in ("created", "updated", "deleted"):
        change = to_dossier_change(
            _row(DOSSIER.to_payload(), event_type=event_type), SOURCE, INGESTED
        )
        assert DossierChange.from_avro(serde.round_trip(change.to_avro())) == change
