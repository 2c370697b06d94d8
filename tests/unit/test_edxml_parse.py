"""edXML packages and status packets from the field become the bus's changes, or dead letters."""

import hashlib
import time
import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from connectors.building import EventBuilder
from connectors.contract import Change, Domain
from connectors.edxml import AttachmentStore, ParsedPackage, changes_from_edxml, parse_edxml
from connectors.edxml.writing import AttachmentFile, package_xml, status_xml
from connectors.spec import ConnectorSpec
from lienthong.errors import DeadLetterError
from lienthong.events import (
    BusinessDocType,
    DocumentChange,
    DocumentStatus,
    DocumentStatusChange,
    DocumentStatusCode,
    Operation,
)
from lienthong.ids import ConnectorName
from lienthong.settings import TopicSettings
from schemas import DOCUMENT_CHANGE, DOCUMENT_STATUS_CHANGE
from tests.serde_support import avro_serde

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "edxml"
DOCUMENT_ID = "000.00.00.H41,2025/09/30,123/UBND-VP"
NOW = datetime(2025, 10, 2, tzinfo=UTC)
SPEC = ConnectorSpec(
    name=ConnectorName("edoc-inbox"),
    kind="edxml_folder",
    agency="000.00.00.H41",
    system="qlvb",
    domains=("documents", "document_statuses"),
)


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def package(data: bytes) -> ParsedPackage:
    parsed = parse_edxml(data)
    assert isinstance(parsed, ParsedPackage)
    return parsed


def status_packet(data: bytes) -> DocumentStatus:
    parsed = parse_edxml(data)
    assert isinstance(parsed, DocumentStatus)
    return parsed


def only_change(data: bytes, received_as: str = "inbox/x.edxml") -> Change:
    (item,) = changes_from_edxml(data, received_as=received_as)
    assert isinstance(item, Change)
    return item


async def published(change: Change) -> DocumentChange | DocumentStatusChange:
    """The change through the framework as a connector publishes it: validated, Avro-encoded."""
    documents, statuses = (
        await avro_serde(DOCUMENT_CHANGE),
        await avro_serde(DOCUMENT_STATUS_CHANGE),
    )
    builder = EventBuilder(
        SPEC, TopicSettings(), {Domain.DOCUMENTS: documents, Domain.DOCUMENT_STATUSES: statuses}
    )
    built = builder.records(change, NOW)
    assert built.dead_letter is None, built.dead_letter
    serde, model = (
        (documents, DocumentChange)
        if change.domain is Domain.DOCUMENTS
        else (statuses, DocumentStatusChange)
    )
    value = built.records[0].value
    assert value is not None
    return model.from_avro(serde.decode(value))


async def test_a_full_package_becomes_a_created_document_with_its_header() -> None:
    change = only_change(sample("document_new.edxml"), received_as="inbox/document_new.edxml")
    assert (change.domain, change.key, change.operation) == (
        Domain.DOCUMENTS,
        DOCUMENT_ID,
        Operation.CREATE,
    )
    event = await published(change)
    assert isinstance(event, DocumentChange) and event.after is not None
    document = event.after
    assert event.envelope.entity_key == DOCUMENT_ID
    assert event.envelope.source_position == "inbox/document_new.edxml"
    assert document.from_organization.name == "Ủy ban nhân dân tỉnh"
    assert document.from_organization.website == "https://tinh.gov.vn"
    assert [o.organ_id for o in document.to_organizations] == ["000.00.12.H41", "000.00.05.H41"]
    assert document.to_organizations[1].address is None, "an empty element is no value"
    assert (document.code.number, document.code.notation) == ("123", "UBND-VP")
    assert document.promulgation.promulgation_date == date(2025, 9, 30)
    assert (document.document_type.type, document.document_type.type_name) == (1, "Công văn")
    assert document.signer.competence == "KT. CHỦ TỊCH"
    assert document.signer.full_name == "Nguyễn Văn Đệ"
    assert document.due_date == date(2025, 10, 15)
    assert document.to_places == ("Như trên", "Chủ tịch, các PCT UBND tỉnh", "Lưu: VT, KGVX")
    other = document.other_info
    assert (other.priority, other.page_count, other.appendix_count) == (1, 2, 1)
    assert document.business_doc_type is BusinessDocType.NEW
    # Trace times are Vietnam time (UTC+7) in the package, UTC on the bus.
    assert [t.at for t in document.trace_headers] == [
        datetime(2025, 9, 30, 2, 15, 42, tzinfo=UTC),
        datetime(2025, 9, 30, 2, 16, 5, tzinfo=UTC),
    ]
    assert event.envelope.occurred_at == document.trace_headers[-1].at
    assert event.envelope.entity_version == int(document.trace_headers[-1].at.timestamp() * 1000)


def test_attachments_become_claim_checks_whose_hash_matches_the_embedded_bytes() -> None:
    data = sample("document_new.edxml")
    change = only_change(data)
    assert change.after is not None
    refs = change.after["attachments"]
    assert [ref["name"] for ref in refs] == [
        "123-UBND-VP.signed.pdf",
        "Phụ lục danh sách đơn vị.docx",
    ]
    embedded = package(data).attachments
    for ref, attachment in zip(refs, embedded, strict=True):
        assert ref["sha256"] == hashlib.sha256(attachment.content).hexdigest()
        assert ref["size_bytes"] == len(attachment.content)
        assert ref["uri"].startswith("cid:")
    assert refs[0]["content_type"] == "application/pdf"
    assert embedded[0].content.startswith(b"%PDF-1.4")
    assert len(str(change.after)) < len(data), "no attachment bytes travel in the change"


def test_with_a_store_attachment_bytes_are_written_once_and_referenced_by_uri(
    tmp_path: Path,
) -> None:
    store = AttachmentStore(tmp_path / "attachments")
    data = sample("document_new.edxml")
    for _ in range(2):
        (change,) = changes_from_edxml(data, received_as="x.edxml", attachments=store)
    assert isinstance(change, Change) and change.after is not None
    stored = sorted(p for p in (tmp_path / "attachments").rglob("*") if p.is_file())
    assert len(stored) == 2
    for ref in change.after["attachments"]:
        path = Path(ref["uri"].removeprefix("file://"))
        assert hashlib.sha256(path.read_bytes()).hexdigest() == ref["sha256"]


def test_the_signature_is_noted_with_its_signer_but_not_verified() -> None:
    signature = package(sample("document_new.edxml")).signature
    assert signature is not None
    assert signature.certificate_serial == "540346B3B8D5A2E9"
    assert (
        signature.signer_subject is not None and "Ủy ban nhân dân tỉnh" in signature.signer_subject
    )
    assert package(sample("revocation.edxml")).signature is None, "an empty signature element"


async def test_a_revocation_updates_the_same_document_and_keeps_why() -> None:
    original = only_change(sample("document_new.edxml"))
    revocation = only_change(sample("revocation.edxml"))
    assert revocation.key == original.key, "dd/MM/yyyy and yyyy/MM/dd give the same document id"
    assert revocation.operation is Operation.UPDATE
    assert revocation.version > original.version, "a later package is a newer version"
    assert revocation.event_id != original.event_id
    event = await published(revocation)
    assert isinstance(event, DocumentChange) and event.after is not None
    assert event.after.business_doc_type is BusinessDocType.REVOCATION
    assert event.after.business_doc_reason == "Thu hồi để bổ sung đơn vị phối hợp"


async def test_a_status_packet_becomes_a_status_of_the_answered_document() -> None:
    change = only_change(sample("status_processing.edxml"))
    assert (change.domain, change.key, change.operation) == (
        Domain.DOCUMENT_STATUSES,
        DOCUMENT_ID,
        Operation.CREATE,
    )
    event = await published(change)
    assert isinstance(event, DocumentStatusChange)
    status = event.status
    assert status.status_code is DocumentStatusCode.PROCESSING_05
    assert status.from_organization.organ_id == "000.00.12.H41"
    assert status.response_for.promulgation_date == date(2025, 9, 30)
    assert status.status_at == datetime(2025, 9, 30, 3, 40, 12, tzinfo=UTC)
    assert status.staff is not None and status.staff.staff_name == "Lê Minh Tuấn"
    assert status.description == "Đã chuyển chuyên viên Phòng Đất đai xử lý"
    assert unicodedata.is_normalized("NFC", status.description)


def test_the_same_package_always_gets_the_same_event_id() -> None:
    for name in ("document_new.edxml", "status_processing.edxml"):
        first = only_change(sample(name), received_as="folder/a.edxml")
        again = only_change(sample(name), received_as="http/req-42")
        assert first.event_id is not None and first.event_id == again.event_id


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("broken.edxml", "not well-formed XML"),
        ("missing_code.edxml", "MessageHeader/Code"),
        ("billion_laughs.edxml", "DTD"),
    ],
)
def test_bad_packages_are_dead_letters_at_the_parse_stage(name: str, reason: str) -> None:
    with pytest.raises(DeadLetterError) as caught:
        changes_from_edxml(sample(name), received_as=name)
    assert caught.value.stage == "PARSE"
    assert reason in caught.value.reason


def test_an_entity_bomb_is_refused_at_once_not_expanded() -> None:
    started = time.monotonic()
    with pytest.raises(DeadLetterError):
        parse_edxml(sample("billion_laughs.edxml"))
    # Refusal happens before any expansion; a generous bound only guards against a hang.
    assert time.monotonic() - started < 30


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<html><body>404</body></html>", "neither an edXML package"),
        (b"\xff\xfe\x00garbage", "not well-formed"),
        (b"<a>" + b"x" * 2048 + b"</a>", "more than the 1024 allowed"),
    ],
)
def test_other_inputs_are_dead_letters_too(data: bytes, reason: str) -> None:
    with pytest.raises(DeadLetterError) as caught:
        changes_from_edxml(data, received_as="x", max_bytes=1024)
    assert reason in caught.value.reason


def test_broken_base64_and_missing_attachment_bytes_are_dead_letters() -> None:
    data = sample("document_new.edxml")
    with pytest.raises(DeadLetterError, match="not valid base64"):
        parse_edxml(data.replace(b"<ContentTransferEncoded>", b"<ContentTransferEncoded>!!", 1))
    start = data.index(b"<AttachmentEncoded>")
    end = data.index(b"</AttachmentEncoded>") + len(b"</AttachmentEncoded>")
    with pytest.raises(DeadLetterError, match="bytes the package lacks"):
        parse_edxml(data[:start] + data[end:])


def test_what_the_writer_writes_the_parser_reads_back() -> None:
    document = package(sample("document_new.edxml")).document
    files = [AttachmentFile("a.pdf", "application/pdf", b"%PDF-1.7 signed")]
    again = package(package_xml(document, files))
    assert again.document == document
    assert [a.content for a in again.attachments] == [b"%PDF-1.7 signed"]
    status = status_packet(sample("status_processing.edxml"))
    assert status_packet(status_xml(status)) == status
