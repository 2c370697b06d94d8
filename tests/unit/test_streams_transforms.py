"""Kafka record in, change or tombstone or dead letter out: the pure steps of the stream."""

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from lienthong.codec import SCHEMA_HEADER
from lienthong.events import Applicant, ApplicantKind, Dossier, DossierChange, Envelope, Operation
from lienthong.ids import TopicName
from lienthong.serde import frame
from schemas import DOSSIER_CHANGE
from streams.centre import DOSSIER_KIND
from streams.transforms import (
    DeadLetter,
    ErrorStage,
    Tombstone,
    dead_letter_headers,
    decode_record,
)
from tests.serde_support import Serde, avro_serde

AT = datetime(2025, 7, 1, 8, 30, tzinfo=UTC)
HEADERS = [(SCHEMA_HEADER, DOSSIER_CHANGE.encode())]


@pytest.fixture
async def serde() -> Serde:
    return await avro_serde(DOSSIER_CHANGE, TopicName("motcua.dossiers"))


def change(
    no: str = "HS-1", operation: Operation = Operation.CREATE, **after: Any
) -> DossierChange:
    dossier = Dossier(
        dossier_no=after.pop("dossier_no", no),
        procedure_code="1.004227",
        receiving_agency="000.00.00.H41",
        applicant=Applicant(kind=ApplicantKind.CITIZEN, name="Trần Thị Bình"),
        status="received",
        submitted_at=AT,
        **after,
    )
    envelope = Envelope(
        event_id=uuid.uuid4(),
        source_agency="000.00.00.H41",
        source_system="motcua",
        operation=operation,
        occurred_at=AT,
        ingested_at=AT,
        entity_key=no,
        entity_version=3,
    )
    if operation == Operation.DELETE:
        return DossierChange(envelope=envelope, before=dossier)
    return DossierChange(envelope=envelope, after=dossier)


def encoded(serde: Serde, value: DossierChange) -> bytes:
    return serde.encode(value.to_avro())


def test_a_valid_record_decodes_to_the_change(serde: Serde) -> None:
    sent = change(fee_vnd=50_000)
    assert (
        decode_record(b"HS-1", encoded(serde, sent), HEADERS, serde.deserializer, DOSSIER_KIND)
        == sent
    )


def test_a_record_without_the_schema_header_is_still_decoded(serde: Serde) -> None:
    sent = change()
    assert (
        decode_record(b"HS-1", encoded(serde, sent), None, serde.deserializer, DOSSIER_KIND) == sent
    )


def test_a_delete_decodes_with_its_before(serde: Serde) -> None:
    sent = change(operation=Operation.DELETE)
    decoded = decode_record(
        b"HS-1", encoded(serde, sent), HEADERS, serde.deserializer, DOSSIER_KIND
    )
    assert decoded == sent


def test_a_null_value_is_a_tombstone(serde: Serde) -> None:
    assert decode_record(b"HS-1", None, [], serde.deserializer, DOSSIER_KIND) == Tombstone(b"HS-1")


def test_bytes_not_in_the_wire_format_become_a_dead_letter_from_the_value_converter(
    serde: Serde,
) -> None:
    decoded = decode_record(b"HS-1", b"not avro at all", HEADERS, serde.deserializer, DOSSIER_KIND)
    assert isinstance(decoded, DeadLetter)
    assert decoded.stage == ErrorStage.VALUE_CONVERTER
    assert decoded.exception_class == "lienthong.serde.errors.WireFormatError"
    assert "wrong magic byte" in decoded.message


def test_a_garbled_payload_becomes_a_dead_letter_from_the_value_converter(serde: Serde) -> None:
    assert serde.serializer.schema_id is not None
    value = frame(serde.serializer.schema_id, b"not avro at all")
    decoded = decode_record(b"HS-1", value, HEADERS, serde.deserializer, DOSSIER_KIND)
    assert isinstance(decoded, DeadLetter)
    assert decoded.stage == ErrorStage.VALUE_CONVERTER
    assert decoded.exception_class == "lienthong.serde.errors.PayloadError"
    assert "DossierChange" in decoded.message


def test_bytes_after_the_record_are_a_dead_letter(serde: Serde) -> None:
    decoded = decode_record(
        b"HS-1", encoded(serde, change()) + b"\x00", HEADERS, serde.deserializer, DOSSIER_KIND
    )
    assert isinstance(decoded, DeadLetter)
    assert decoded.stage == ErrorStage.VALUE_CONVERTER
    assert decoded.exception_class == "lienthong.serde.errors.PayloadError"
    assert "1 bytes left after the record" in decoded.message


def test_a_truncated_record_is_a_dead_letter(serde: Serde) -> None:
    value = encoded(serde, change())
    decoded = decode_record(
        b"HS-1", value[: len(value) // 2], HEADERS, serde.deserializer, DOSSIER_KIND
    )
    assert isinstance(decoded, DeadLetter)
    assert decoded.stage == ErrorStage.VALUE_CONVERTER


def test_another_schema_named_in_the_header_is_a_dead_letter(serde: Serde) -> None:
    headers = [(SCHEMA_HEADER, b"vn.lienthong.dat.Parcel")]
    decoded = decode_record(
        b"HS-1", encoded(serde, change()), headers, serde.deserializer, DOSSIER_KIND
    )
    assert isinstance(decoded, DeadLetter)
    assert "vn.lienthong.dat.Parcel" in decoded.message


@pytest.mark.parametrize(
    ("key", "stage"),
    [(None, ErrorStage.KEY_CONVERTER), (b"\xff\xfe", ErrorStage.KEY_CONVERTER)],
)
def test_a_missing_or_undecodable_key_is_a_dead_letter(
    serde: Serde, key: bytes | None, stage: ErrorStage
) -> None:
    decoded = decode_record(
        key, encoded(serde, change()), HEADERS, serde.deserializer, DOSSIER_KIND
    )
    assert isinstance(decoded, DeadLetter)
    assert decoded.stage == stage


@pytest.mark.parametrize(
    ("key", "sent", "words"),
    [
        (b"HS-2", change(), "entity_key"),
        (b"HS-1", change(dossier_no="HS-9"), "after.dossier_no"),
        (b"HS-1", change(operation=Operation.UNKNOWN), "UNKNOWN"),
    ],
)
def test_a_change_breaking_the_topic_contract_is_a_dead_letter(
    serde: Serde, key: bytes, sent: DossierChange, words: str
) -> None:
    decoded = decode_record(key, encoded(serde, sent), HEADERS, serde.deserializer, DOSSIER_KIND)
    assert isinstance(decoded, DeadLetter)
    assert decoded.stage == ErrorStage.TRANSFORMATION
    assert words in decoded.message


def test_upserts_without_after_and_deletes_with_after_are_dead_letters(serde: Serde) -> None:
    created = change()
    no_after = created.model_copy(update={"after": None})
    delete_with_after = change(operation=Operation.DELETE).model_copy(
        update={"after": created.after}
    )
    for sent in (no_after, delete_with_after):
        decoded = decode_record(
            b"HS-1", encoded(serde, sent), HEADERS, serde.deserializer, DOSSIER_KIND
        )
        assert isinstance(decoded, DeadLetter), sent
        assert decoded.stage == ErrorStage.TRANSFORMATION


def test_dead_letter_headers_keep_the_record_headers_and_add_connect_error_headers() -> None:
    letter = DeadLetter(ErrorStage.VALUE_CONVERTER, "lienthong.errors.SchemaError", "bad bytes")
    headers = dead_letter_headers(
        letter,
        [("trace", b"abc")],
        topic=TopicName("motcua.dossiers"),
        partition=2,
        offset=41,
        consumer_group="lienthong-centre",
    )
    assert headers[0] == ("trace", b"abc")
    assert dict(headers[1:]) == {
        "__connect.errors.topic": b"motcua.dossiers",
        "__connect.errors.partition": b"2",
        "__connect.errors.offset": b"41",
        "__connect.errors.connector.name": b"lienthong-centre",
        "__connect.errors.stage": b"VALUE_CONVERTER",
        "__connect.errors.exception.class.name": b"lienthong.errors.SchemaError",
        "__connect.errors.exception.message": b"bad bytes",
    }


def test_an_error_no_check_foresaw_dead_letters_the_record_instead_of_stopping() -> None:
    class BrokenDecoder:
        def decode(self, data: bytes) -> dict[str, Any]:
            raise KeyError("symbol missing from the reader schema")

    decoded = decode_record(b"HS-1", b"\x00", HEADERS, BrokenDecoder(), DOSSIER_KIND)
    assert isinstance(decoded, DeadLetter)
    assert decoded.exception_class == "builtins.KeyError"
    assert "symbol missing" in decoded.message
