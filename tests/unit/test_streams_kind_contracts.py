"""Each kind's contract, as the stream applies it: a record of the wrong kind, under the
wrong key, or an operation the kind does not allow is a dead letter with its reason."""

from typing import Any

import pytest

from lienthong.codec import SCHEMA_HEADER
from lienthong.events import ChangeEvent, Operation
from schemas import DOSSIER_CHANGE, LAND_PARCEL_CHANGE
from streams.centre import DOCUMENT_KIND, LAND_KIND, STATUS_KIND, EntityKind
from streams.transforms import DeadLetter, ErrorStage, decode_record
from tests.domain_factories import document_change, document_id, parcel_change, status_change
from tests.serde_support import avro_serde


async def decode(kind: EntityKind[Any], key: str, change: ChangeEvent) -> Any:
    serde = await avro_serde(kind.record)
    headers = [(SCHEMA_HEADER, kind.record.encode())]
    value = serde.encode(change.to_avro())
    return decode_record(key.encode(), value, headers, serde.deserializer, kind)


@pytest.mark.parametrize(
    ("kind", "key", "change"),
    [
        (LAND_KIND, "TD-1", parcel_change("TD-1", 2)),
        (LAND_KIND, "TD-1", parcel_change("TD-1", 3, Operation.DELETE)),
        (DOCUMENT_KIND, document_id(4), document_change(4, 1, Operation.CREATE)),
        (STATUS_KIND, document_id(4), status_change(4, 2)),
    ],
    ids=["parcel", "parcel-delete", "document", "status"],
)
async def test_a_valid_change_of_each_kind_is_accepted(
    kind: EntityKind[Any], key: str, change: ChangeEvent
) -> None:
    assert await decode(kind, key, change) == change


@pytest.mark.parametrize(
    ("kind", "key", "change", "reason"),
    [
        (LAND_KIND, "TD-9", parcel_change("TD-1", 2), "differs from record key"),
        (
            LAND_KIND,
            "TD-1",
            parcel_change("TD-1", 2).model_copy(update={"after": parcel_change("TD-2", 2).after}),
            "after.parcel_id 'TD-2'",
        ),
        (DOCUMENT_KIND, document_id(5), document_change(4, 1), "differs from record key"),
        (
            STATUS_KIND,
            document_id(4),
            status_change(4, 2, operation=Operation.DELETE),
            "a status is a fact",
        ),
        (
            STATUS_KIND,
            document_id(4),
            status_change(5, 2).model_copy(update={"envelope": status_change(4, 2).envelope}),
            "status.response_for.document_id",
        ),
    ],
    ids=["parcel-key", "parcel-id", "document-key", "status-delete", "status-answers-another"],
)
async def test_a_change_against_its_kinds_contract_is_a_dead_letter(
    kind: EntityKind[Any], key: str, change: ChangeEvent, reason: str
) -> None:
    decoded = await decode(kind, key, change)
    assert isinstance(decoded, DeadLetter)
    assert decoded.stage == ErrorStage.TRANSFORMATION
    assert reason in decoded.message


async def test_a_record_whose_header_names_another_kind_is_a_dead_letter() -> None:
    land = await avro_serde(LAND_PARCEL_CHANGE)
    headers = [(SCHEMA_HEADER, DOSSIER_CHANGE.encode())]  # a dossier sent to the land topic
    value = land.encode(parcel_change("TD-1", 1).to_avro())
    decoded = decode_record(b"TD-1", value, headers, land.deserializer, LAND_KIND)
    assert isinstance(decoded, DeadLetter)
    assert decoded.stage == ErrorStage.VALUE_CONVERTER
    assert LAND_PARCEL_CHANGE in decoded.message
