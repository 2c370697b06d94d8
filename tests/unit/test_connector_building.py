"""A source item to Kafka records, without Kafka: validation, dead letters, ids, text."""

import json
import types
import typing
import unicodedata
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pydantic import AfterValidator, BaseModel

from connectors.building import EventBuilder
from connectors.contract import Change, Domain, Rejected
from connectors.dead_letter import ERRORS_EXCEPTION_MESSAGE, ERRORS_STAGE, ERRORS_TOPIC
from connectors.headers import EVENT_ID_HEADER, SOURCE_POSITION_HEADER
from connectors.spec import ConnectorSpec, TextEncoding
from lienthong.events import CHANGE_MODELS, AdminCodeList, ApplicantKind, DossierChange, Operation
from lienthong.events.fields import Sha256Hex
from lienthong.ids import ConnectorName
from lienthong.settings import TopicSettings
from tests.factories import AT, dossier_change
from tests.unit.json_encoder import JsonEncoder

NOW = datetime(2025, 7, 2, tzinfo=UTC)
TOPICS = TopicSettings()
SPEC = ConnectorSpec(
    name=ConnectorName("motcua"),
    kind="outbox",
    agency="000.00.00.H41",
    system="motcua",
    domains=("dossiers",),
)


BUILDER = EventBuilder(SPEC, TOPICS, {Domain.DOSSIERS: JsonEncoder()})


def change(key: str = "000.00.00.H41-250701-0001", **update: Any) -> Change:
    dossier = dossier_change(key, 3).after
    assert dossier is not None
    fields: dict[str, Any] = {
        "domain": Domain.DOSSIERS,
        "key": key,
        "operation": Operation.UPDATE,
        "version": 3,
        "occurred_at": AT,
        "after": dossier.model_dump(mode="json"),
        "source_position": "outbox:17",
    }
    return Change(**{**fields, **update})


def headers(record: Any) -> dict[str, str]:
    return {name: value.decode("utf-8") for name, value in record.headers}


def test_a_valid_change_becomes_one_keyed_event_with_its_id_in_a_header() -> None:
    built = BUILDER.records(change(), NOW)
    (record,) = built.records
    assert record.topic == TOPICS.dossiers
    assert record.key == b"000.00.00.H41-250701-0001"
    assert headers(record)[EVENT_ID_HEADER] == str(built.event_id)
    assert headers(record)[SOURCE_POSITION_HEADER] == "outbox:17"
    event = BUILDER.event(change(), NOW)
    assert isinstance(event, DossierChange)
    assert (event.envelope.source_agency, event.envelope.entity_version) == ("000.00.00.H41", 3)


def test_the_same_change_read_twice_gets_the_same_event_id_and_another_version_another() -> None:
    first, again = BUILDER.records(change(), NOW), BUILDER.records(change(), NOW)
    assert first.event_id == again.event_id
    assert BUILDER.records(change(version=4), NOW).event_id != first.event_id
    other_agency = BUILDER.records(change(agency="000.00.12.H41"), NOW)
    assert other_agency.event_id != first.event_id


def test_a_source_event_id_is_kept() -> None:
    given = uuid.uuid4()
    assert BUILDER.records(change(event_id=given), NOW).event_id == given


def test_a_delete_is_followed_by_a_tombstone() -> None:
    built = BUILDER.records(change(operation=Operation.DELETE, before=change().after), NOW)
    event, tombstone = built.records
    assert event.value is not None and tombstone.value is None
    assert tombstone.key == event.key and built.tombstones == 1


def test_an_invalid_change_is_one_dead_letter_naming_the_field() -> None:
    entity = dict(change().after or {})
    entity["fee_vnd"] = -5
    built = BUILDER.records(change(after=entity), NOW)
    (record,) = built.records
    assert built.event_id is None and built.dead_letter is not None
    assert record.topic == TOPICS.dead_letter(TOPICS.dossiers)
    found = headers(record)
    assert found[ERRORS_TOPIC] == TOPICS.dossiers and found[ERRORS_STAGE] == "VALIDATE"
    assert "after.fee_vnd" in found[ERRORS_EXCEPTION_MESSAGE]
    assert json.loads(record.value or b"")["after"]["fee_vnd"] == -5, "the input is kept"


def test_a_domain_the_connector_does_not_write_is_dead_lettered() -> None:
    built = BUILDER.records(change(domain=Domain.LAND_PARCELS), NOW)
    assert built.dead_letter is not None
    assert "does not write land_parcels" in built.dead_letter.reason


def test_a_rejected_input_keeps_its_bytes_and_reason() -> None:
    rejected = Rejected(Domain.DOSSIERS, "not JSON", "PARSE", b"\xff{", key="K-1")
    (record,) = BUILDER.records(rejected, NOW).records
    assert (record.value, record.key) == (b"\xff{", b"K-1")
    assert headers(record)[ERRORS_EXCEPTION_MESSAGE] == "not JSON"


def test_text_is_normalised_to_nfc_before_validation() -> None:
    entity = dict(change().after or {})
    entity["applicant"] = {**entity["applicant"], "name": "Tra\u0302\u0300n Thi\u0323 Lan"}
    event = BUILDER.event(change(after=entity), NOW)
    assert isinstance(event, DossierChange) and event.after is not None
    assert event.after.applicant.name == "Trần Thị Lan"


def test_codes_and_ids_with_decomposed_letters_are_published_in_nfc() -> None:
    entity = dict(change().after or {})
    entity["status"] = unicodedata.normalize("NFD", "đã-tiếp-nhận")
    entity["receiving_agency"] = unicodedata.normalize("NFD", "000.00.00.H41-Sở-Tư-pháp")
    entity["applicant"] = {**entity["applicant"], "commune_code": "Xa\u0303-12429"}
    event = BUILDER.event(change(after=entity), NOW)
    assert isinstance(event, DossierChange) and event.after is not None
    assert event.after.status == "đã-tiếp-nhận"
    assert event.after.receiving_agency == "000.00.00.H41-Sở-Tư-pháp"
    assert event.after.applicant.commune_code == "Xã-12429"


def test_every_string_field_of_an_entity_is_normalised_by_its_model() -> None:
    """What lets a Unicode connector hand its entities to the model without a walk first."""
    loose = [
        f"{model.__name__}.{name}"
        for model in _entity_models()
        for name, info in model.model_fields.items()
        if _holds_raw_string(info.annotation, info.metadata)
    ]
    assert loose == []


def test_a_symbol_spelt_with_a_compatibility_letter_is_still_understood() -> None:
    entity = dict(change().after or {})
    entity["applicant"] = {**entity["applicant"], "kind": "UN\u212aNOWN"}  # KELVIN SIGN for K
    event = BUILDER.event(change(after=entity), NOW)
    assert isinstance(event, DossierChange) and event.after is not None
    assert event.after.applicant.kind is ApplicantKind.UNKNOWN


def test_a_tcvn3_connector_publishes_its_legacy_text_as_unicode() -> None:
    spec = SPEC.model_copy(update={"text_encoding": TextEncoding.TCVN3})
    builder = EventBuilder(spec, TOPICS, {Domain.DOSSIERS: JsonEncoder()})
    entity = dict(change().after or {})
    entity["applicant"] = {**entity["applicant"], "address": "Céng hßa x· héi chñ nghÜa ViÖt Nam"}
    event = builder.event(change(after=entity), NOW)
    assert isinstance(event, DossierChange) and event.after is not None
    assert event.after.applicant.address == "Cộng hòa xã hội chủ nghĩa Việt Nam"
    assert event.after.dossier_no == "000.00.00.H41-250701-0001", "ASCII codes stay as they are"


def test_a_change_naming_its_code_list_overrides_the_connectors() -> None:
    legacy = BUILDER.event(change(admin_code_list=AdminCodeList.VN2004), NOW)
    declared = BUILDER.event(change(), NOW)
    assert legacy.envelope.admin_code_list is AdminCodeList.VN2004
    assert declared.envelope.admin_code_list is SPEC.code_list


def _entity_models() -> Iterator[type[BaseModel]]:
    seen: set[type[BaseModel]] = set()
    todo: list[Any] = [
        model
        for change_model in CHANGE_MODELS.values()
        for name, info in change_model.model_fields.items()
        if name != "envelope"  # the framework builds it, and normalises its key itself
        for model in _models_in(info.annotation)
    ]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        yield model
        for info in model.model_fields.values():
            todo.extend(_models_in(info.annotation))


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def _holds_raw_string(annotation: Any, metadata: list[Any]) -> bool:
    """Whether a str in `annotation` reaches the event without an NFC validator."""
    if annotation is str:
        hex_digits = typing.get_args(Sha256Hex)[1]  # ASCII by its pattern, hence NFC
        return hex_digits not in metadata and not any(
            isinstance(m, AfterValidator) for m in metadata
        )
    if typing.get_origin(annotation) is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        return _holds_raw_string(inner, [*metadata, *extra])
    if typing.get_origin(annotation) in (types.UnionType, typing.Union, tuple):
        return any(_holds_raw_string(arg, []) for arg in typing.get_args(annotation))
    return False
