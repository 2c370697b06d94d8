"""Outbox rows to source items, without a database: payload formats, routes, event ids and the
reasons a row is dead-lettered."""

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.building import EventBuilder
from connectors.contract import Change, Domain, Rejected, SourceItem
from connectors.kinds import source_for
from connectors.motcua import OutboxRow as MotcuaRow
from connectors.motcua.mapping import SourceIdentity, event_id_for, to_dossier_change
from connectors.outbox import OutboxOptions, OutboxSource
from connectors.outbox.database import outbox_engine
from connectors.outbox.items import OutboxItems
from connectors.outbox.rows import OutboxRow
from connectors.spec import ConnectorSpec
from lienthong.errors import ConfigurationError
from lienthong.events import AdminCodeList, DossierChange, LandParcelChange, Operation
from lienthong.ids import ConnectorName
from lienthong.settings import Settings, TopicSettings
from tests.domain_factories import parcel_change
from tests.factories import AT, dept_dossier, dossier_change
from tests.unit.json_encoder import JsonEncoder

NOW = datetime(2025, 7, 2, tzinfo=UTC)
ROUTES = {"Dossier": "dossiers", "LandParcel": "land_parcels"}
SPEC = ConnectorSpec(
    name=ConnectorName("dept-outbox"),
    kind="outbox",
    agency="000.00.00.G12",
    system="vbdlis",
    domains=("dossiers", "land_parcels"),
    options={"dsn": "sqlite:///dept.db", "routes": ROUTES},
)


BUILDER = EventBuilder(
    SPEC, TopicSettings(), {Domain.DOSSIERS: JsonEncoder(), Domain.LAND_PARCELS: JsonEncoder()}
)


def items(**options: Any) -> OutboxItems:
    spec = SPEC.model_copy(update={"options": {**SPEC.options, **options}})
    return OutboxItems(spec, OutboxOptions.model_validate(spec.options))


def dossier_payload(key: str = "H41-0001", version: int = 3, **update: Any) -> dict[str, Any]:
    dossier = dossier_change(key, version).after
    assert dossier is not None
    document = {
        "operation": "UPDATE",
        "version": version,
        "occurred_at": "2025-07-01T09:30:15+07:00",
        "after": dossier.model_dump(mode="json"),
        "admin_unit_code": "00070",
        "correlation_id": "corr-7",
    }
    return {**document, **update}


def row(payload: Any, *, aggregate_type: str = "Dossier", **fields: Any) -> OutboxRow:
    text = payload if isinstance(payload, str | bytes) or payload is None else json.dumps(payload)
    values: dict[str, Any] = {
        "id": 41,
        "aggregate_type": aggregate_type,
        "aggregate_id": "H41-0001",
        "event_type": "DossierUpdated",
        "payload": text,
        "occurred_at": datetime(2025, 7, 1, 2, 0),
    }
    return OutboxRow(**{**values, **fields})


def change(item: SourceItem) -> Change:
    assert isinstance(item, Change), item
    return item


def rejected(item: SourceItem) -> Rejected:
    assert isinstance(item, Rejected), item
    return item


def test_a_canonical_row_becomes_a_change_keyed_by_its_aggregate_id() -> None:
    found = change(items().item(row(dossier_payload())))

    assert found.domain is Domain.DOSSIERS
    assert (found.key, found.operation, found.version) == ("H41-0001", Operation.UPDATE, 3)
    assert found.occurred_at == datetime(2025, 7, 1, 2, 30, 15, tzinfo=UTC)
    assert (found.position, found.source_position) == ("41", "41")
    assert (found.admin_unit_code, found.correlation_id) == ("00070", "corr-7")
    event = BUILDER.event(found, NOW)
    assert isinstance(event, DossierChange) and event.after is not None
    assert event.after.status == "processing-v3"
    assert event.envelope.entity_key == "H41-0001"


@pytest.mark.parametrize(
    ("named", "code_list"),
    [
        ("VN2004", AdminCodeList.VN2004),
        ("vn2025", AdminCodeList.VN2025),
        ("2004", AdminCodeList.VN2004),
    ],
)
def test_the_payloads_code_list_reaches_the_envelope(named: str, code_list: AdminCodeList) -> None:
    found = change(items().item(row(dossier_payload(admin_code_list=named))))

    assert found.admin_code_list is code_list
    assert BUILDER.event(found, NOW).envelope.admin_code_list is code_list


def test_without_a_code_list_the_envelope_takes_the_connectors() -> None:
    found = change(items().item(row(dossier_payload())))

    assert found.admin_code_list is None
    assert BUILDER.event(found, NOW).envelope.admin_code_list is SPEC.code_list


@pytest.mark.parametrize("named", ["VN1999", "", "UNKNOWN"])
def test_a_payload_naming_no_code_list_is_dead_lettered_saying_why(named: str) -> None:
    found = rejected(items().item(row(dossier_payload(admin_code_list=named))))

    assert found.stage == "VALIDATE"
    assert found.reason.startswith("payload: admin_code_list: ")
    assert f"{named!r} is not an administrative code list" in found.reason


def test_aggregate_types_route_to_their_domains() -> None:
    parcel = parcel_change("P-9", 2).after
    assert parcel is not None
    payload = {"operation": "CREATE", "version": 2, "after": parcel.model_dump(mode="json")}

    found = change(items().item(row(payload, aggregate_type="LandParcel", aggregate_id="P-9")))

    assert found.domain is Domain.LAND_PARCELS
    event = BUILDER.event(found, NOW)
    assert isinstance(event, LandParcelChange) and event.envelope.entity_key == "P-9"


def test_without_an_event_id_column_the_id_is_stable_per_agency_system_and_row() -> None:
    first = change(items().item(row(dossier_payload())))
    again = change(items().item(row(dossier_payload())))
    other = change(items().item(row(dossier_payload(), id=42)))

    assert first.event_id == event_id_for(SourceIdentity("000.00.00.G12", "vbdlis"), 41)
    assert again.event_id == first.event_id
    assert other.event_id != first.event_id


@pytest.mark.parametrize("stored", ["text", "bytes", "uuid"])
def test_the_rows_own_event_id_travels_with_the_event(stored: str) -> None:
    event_id = uuid.UUID("5b0f5a4e-7f7b-4c1e-9d43-1f1f2a3b4c5d")
    value = {"text": str(event_id), "bytes": event_id.bytes, "uuid": event_id}[stored]

    found = change(items().item(row(dossier_payload(), event_id=value)))

    assert found.event_id == event_id


def test_the_occurred_at_column_is_used_when_the_payload_has_none() -> None:
    payload = dossier_payload()
    del payload["occurred_at"]

    naive = change(items().item(row(payload)))
    text = change(items().item(row(payload, occurred_at="2025-07-01 02:00:00.250000")))

    assert naive.occurred_at == datetime(2025, 7, 1, 2, 0, tzinfo=UTC)
    assert text.occurred_at == datetime(2025, 7, 1, 2, 0, 0, 250000, tzinfo=UTC)


def test_a_delete_carries_the_deleted_state_in_before() -> None:
    payload = dossier_payload(operation="DELETE", version=4)
    payload["before"] = payload.pop("after")

    found = change(items().item(row(payload)))

    assert (found.operation, found.after, found.version) == (Operation.DELETE, None, 4)
    event = BUILDER.event(found, NOW)
    assert isinstance(event, DossierChange) and event.before is not None


@pytest.mark.parametrize(
    ("payload", "stage", "reason"),
    [
        ("{not json", "PARSE", "payload is not valid JSON"),
        ("[1, 2]", "PARSE", "payload is a JSON list, not an object"),
        (None, "PARSE", "the payload is empty (NULL)"),
        (b"\xff\xfe", "PARSE", "the payload is not UTF-8"),
        ({"operation": "UPDATE", "after": {}}, "VALIDATE", "payload: version: Field required"),
        (
            {"operation": "UPDATE", "version": "3", "after": {}},
            "VALIDATE",
            "payload: version: Input should be a valid integer",
        ),
        (
            {"operation": "RENAME", "version": 1, "after": {}},
            "VALIDATE",
            "payload: operation: Input should be",
        ),
        ({"operation": "UPDATE", "version": 1}, "VALIDATE", "a UPDATE needs `after`"),
        (
            {"operation": "DELETE", "version": 1, "after": {}},
            "VALIDATE",
            "a DELETE has no `after`",
        ),
        (
            {"operation": "CREATE", "version": 1, "after": {}, "colour": "red"},
            "VALIDATE",
            "payload: colour: Extra inputs are not permitted",
        ),
        (
            {"operation": "CREATE", "version": 1, "after": {}, "occurred_at": "2025-07-01T09:00"},
            "VALIDATE",
            "payload: occurred_at: Input should have timezone info",
        ),
    ],
)
def test_a_payload_that_is_not_canonical_is_rejected_with_its_reason(
    payload: Any, stage: str, reason: str
) -> None:
    found = rejected(items().item(row(payload)))

    assert found.stage == stage
    assert reason in found.reason
    assert (found.domain, found.key, found.position) == (Domain.DOSSIERS, "H41-0001", "41")


def test_an_unrouted_aggregate_type_is_dead_lettered_naming_the_routes() -> None:
    found = rejected(items().item(row(dossier_payload(), aggregate_type="Invoice")))

    assert found.stage == "ROUTE"
    assert found.reason == (
        "aggregate type 'Invoice' has no route "
        "(routes: Dossier -> dossiers, LandParcel -> land_parcels)"
    )
    assert found.domain is Domain.DOSSIERS, "beside the connector's first domain"
    original = json.loads(found.original)
    assert original["aggregate_type"] == "Invoice"
    assert json.loads(original["payload"]) == dossier_payload(), "the row kept as stored"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"aggregate_id": None}, "the row has no aggregate id"),
        ({"aggregate_id": ""}, "the row has no aggregate id"),
        ({"event_id": "not-a-uuid"}, "event id 'not-a-uuid' is not a UUID"),
        ({"occurred_at": "yesterday"}, "occurred_at is not a date-time: 'yesterday'"),
    ],
)
def test_a_row_missing_what_every_event_needs_is_rejected(
    fields: dict[str, Any], reason: str
) -> None:
    payload = dossier_payload()
    del payload["occurred_at"]

    found = rejected(items().item(row(payload, **fields)))

    assert reason in found.reason


def fields_of(found: OutboxRow | MotcuaRow) -> dict[str, Any]:
    return {name: getattr(found, name) for name in found.__dataclass_fields__}


def motcua_items(spec: ConnectorSpec) -> OutboxItems:
    options = {"dsn": "sqlite:///dept.db", "routes": {"dossier": "dossiers"}}
    return OutboxItems(spec, OutboxOptions.model_validate({**options, "payload_format": "motcua"}))


def test_the_motcua_format_publishes_what_the_one_stop_shop_connector_publishes() -> None:
    dept = dept_dossier("H41-0002", AT, version=2)
    stored = MotcuaRow(
        id=7,
        aggregate_type="dossier",
        aggregate_id=dept.dossier_no,
        event_type="updated",
        payload=dept.to_payload(),
        occurred_at=AT,
        correlation_id="c-1",
    )
    spec = SPEC.model_copy(update={"agency": "000.00.00.H41", "system": "motcua"})

    found = change(motcua_items(spec).item(OutboxRow(**fields_of(stored))))

    published = to_dossier_change(stored, SourceIdentity("000.00.00.H41", "motcua"), NOW)
    event = EventBuilder(spec, TopicSettings(), {Domain.DOSSIERS: JsonEncoder()}).event(found, NOW)
    assert isinstance(event, DossierChange)
    assert event.after == published.after
    assert event.envelope.event_id == published.envelope.event_id
    assert event.envelope.entity_version == published.envelope.entity_version == 2
    assert event.envelope.correlation_id == "c-1"


def test_the_motcua_format_dead_letters_a_payload_that_contradicts_its_row() -> None:
    base = row(
        dept_dossier("H41-0003", AT).to_payload(),
        aggregate_type="dossier",
        aggregate_id="H41-0003",
        event_type="updated",
    )
    motcua = motcua_items(SPEC)

    wrong_type = rejected(motcua.item(OutboxRow(**{**fields_of(base), "event_type": "moved"})))
    wrong_key = rejected(motcua.item(OutboxRow(**{**fields_of(base), "aggregate_id": "X-1"})))

    assert "unknown event_type 'moved'" in wrong_type.reason
    assert "aggregate_id 'X-1' differs from the payload's dossier_no" in wrong_key.reason


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"routes": {"Document": "documents"}}, "documents, which is not among its domains"),
        ({"routes": ROUTES, "poll_every": 1}, "poll_every"),
        ({"routes": ROUTES, "table": "outbox; drop table x"}, "table"),
        ({"routes": {}}, "routes"),
        ({"routes": ROUTES, "payload_format": "motcua"}, "motcua carries dossiers only"),
        (
            {
                "routes": {"d": "dossiers"},
                "payload_format": "motcua",
                "columns": {"event_type": None},
            },
            "needs the event_type and occurred_at columns",
        ),
    ],
)
def test_options_that_cannot_work_are_refused_before_reading(
    options: dict[str, Any], problem: str
) -> None:
    spec = SPEC.model_copy(update={"options": {"dsn": "sqlite:///dept.db", **options}})

    with pytest.raises(ConfigurationError, match="dept-outbox") as raised:
        source_for(spec, Settings())

    assert problem in str(raised.value)


def test_the_kind_is_registered_and_takes_debezium_like_defaults() -> None:
    source = source_for(SPEC, Settings())

    assert isinstance(source, OutboxSource)
    columns = source.options.columns
    assert (columns.id, columns.aggregate_type, columns.aggregate_id) == (
        "id",
        "aggregate_type",
        "aggregate_id",
    )
    assert (columns.payload, columns.event_id, source.options.table) == ("payload", None, "outbox")


def test_a_dsn_of_another_database_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="expected postgresql, mysql, mariadb or sqlite"):
        outbox_engine("oracle://scott:tiger@127.0.0.1/orcl")
