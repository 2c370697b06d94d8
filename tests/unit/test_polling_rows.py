"""A polled row becomes the change a user expects: the entity in its domain's shape, soft
deletes as DELETE, versions that grow, and one dead letter for a row that cannot be read."""

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from connectors.building import EventBuilder
from connectors.contract import Change, Domain, Rejected
from connectors.land.polling import parcels_options
from connectors.polling.dialects import dialect_for
from connectors.polling.entity import entity_shape
from connectors.polling.options import PollingOptions
from connectors.polling.position import PollPosition
from connectors.polling.rows import RowMapper, is_set
from connectors.spec import ConnectorSpec
from lienthong.errors import ConfigurationError
from lienthong.events import AdminCodeList, LandParcelChange, Operation
from lienthong.settings import TopicSettings
from tests.unit.json_encoder import JsonEncoder

SPEC = ConnectorSpec(
    name="land-polling",
    kind="polling",
    agency="000.00.15.H41",
    system="vbdlis",
    domains=("land_parcels",),
)


def mapper(**overrides: Any) -> RowMapper:
    options = PollingOptions.model_validate(parcels_options("sqlite:///land.db", **overrides))
    return RowMapper(
        Domain.LAND_PARCELS, options, entity_shape(Domain.LAND_PARCELS), datetime.fromisoformat
    )


def parcel_row(**changes: Any) -> dict[str, Any]:
    """A row as the land register's polling query returns it from SQLite."""
    row: dict[str, Any] = {
        "id": 7,
        "updated_at": "2025-08-12 03:00:00.250000",
        "deleted": 0,
        "parcel_id": "a1b2",
        "commune_code": "16681",
        "commune_code_list": "VN2025",
        "map_sheet_no": 12,
        "parcel_no": 345,
        "previous_parcels": "[]",
        "version": 3,
        "is_latest": 1,
        "area_m2": 152.3,
        "legal_area_m2": None,
        "land_uses": '[{"use_type_code": "ODT", "area_m2": 152.30, "term": "Lâu dài"}]',
        "address": "Xóm 3, Xã Nghi Lộc, tỉnh Nghệ An",
        "holders": '[{"kind": "INDIVIDUAL", "name": "Nguyễn Thị Hương"}]',
        "change_reason": "Nhận chuyển nhượng quyền sử dụng đất",
        "dossier_no": "H41.05-250812-000123",
        "certificate__serial_no": "DB 123456",
        "certificate__register_no": "CS01234",
        "certificate__register_date": "2019-05-20",
        "admin_unit": "16681",
        "admin_code_list": "VN2025",
    }
    return row | changes


def validated(change: Change) -> LandParcelChange:
    builder = EventBuilder(SPEC, TopicSettings(), {Domain.LAND_PARCELS: JsonEncoder()})
    event = builder.event(change, datetime(2025, 8, 12, 4, tzinfo=UTC))
    assert isinstance(event, LandParcelChange)
    return event


def test_a_row_becomes_an_update_of_the_entity_it_names() -> None:
    change = mapper().item(parcel_row())
    assert isinstance(change, Change)
    assert (change.key, change.operation, change.version) == ("a1b2", Operation.UPDATE, 3)
    assert change.occurred_at == datetime(2025, 8, 12, 3, 0, 0, 250000, tzinfo=UTC)
    assert change.position == PollPosition(datetime(2025, 8, 12, 3, 0, 0, 250000), 7).to_text()
    after = change.after
    assert after is not None
    assert "updated_at" not in after and "deleted" not in after and "id" not in after
    assert after["land_uses"][0]["area_m2"] == Decimal("152.30"), "JSON numbers stay exact"
    assert after["certificate"] == {
        "serial_no": "DB 123456",
        "register_no": "CS01234",
        "register_date": "2019-05-20",
    }
    parcel = validated(change).after
    assert parcel is not None and parcel.certificate is not None
    assert parcel.area_m2 == Decimal("152.30") and parcel.is_latest
    assert parcel.holders[0].name == "Nguyễn Thị Hương"


@pytest.mark.parametrize(
    ("named", "code_list"),
    [
        ("VN2004", AdminCodeList.VN2004),
        ("vn2025", AdminCodeList.VN2025),
        ("2004", AdminCodeList.VN2004),
        (2025, AdminCodeList.VN2025),
        (" VN2004 ", AdminCodeList.VN2004),
    ],
)
def test_the_envelope_carries_the_rows_commune_code_and_its_code_list(
    named: Any, code_list: AdminCodeList
) -> None:
    change = mapper().item(parcel_row(admin_unit="10105", admin_code_list=named))
    assert isinstance(change, Change)
    assert (change.admin_unit_code, change.admin_code_list) == ("10105", code_list)
    envelope = validated(change).envelope
    assert (envelope.admin_unit_code, envelope.admin_code_list) == ("10105", code_list)
    assert change.after is not None and "admin_unit" not in change.after


def test_a_row_without_a_code_list_takes_the_connectors() -> None:
    change = mapper().item(parcel_row(admin_code_list=None))
    assert isinstance(change, Change) and change.admin_code_list is None
    assert validated(change).envelope.admin_code_list is SPEC.code_list


@pytest.mark.parametrize("named", ["VN2030", "", "UNKNOWN", "2004-07"])
def test_a_row_naming_another_code_list_is_rejected_saying_why(named: str) -> None:
    rejected = mapper().item(parcel_row(admin_code_list=named))
    assert isinstance(rejected, Rejected)
    assert rejected.reason.startswith("admin_code_list column admin_code_list: ")
    assert f"{named!r} is not an administrative code list" in rejected.reason
    assert rejected.key == "a1b2" and rejected.position is not None


def test_a_record_whose_columns_are_all_null_is_absent() -> None:
    row = parcel_row(
        certificate__serial_no=None, certificate__register_no=None, certificate__register_date=None
    )
    change = mapper().item(row)
    assert isinstance(change, Change) and change.after is not None
    assert change.after["certificate"] is None
    assert validated(change).after is not None


@pytest.mark.parametrize("flag", [1, True, "Y", "true", datetime(2025, 8, 12, tzinfo=UTC)])
def test_a_soft_deleted_row_becomes_a_delete_carrying_its_last_state(flag: Any) -> None:
    change = mapper().item(parcel_row(deleted=flag))
    assert isinstance(change, Change)
    assert change.operation is Operation.DELETE
    assert change.after is None and change.before is not None
    assert change.before["parcel_id"] == "a1b2"


@pytest.mark.parametrize("flag", [None, 0, False, "0", "N", "false", ""])
def test_an_unset_flag_is_not_a_delete(flag: Any) -> None:
    assert not is_set(flag)


def test_without_a_version_column_later_timestamps_give_larger_versions() -> None:
    mapping = mapper(version_column=None)
    first = mapping.item(parcel_row(updated_at="2025-08-12 03:00:00.000001"))
    later = mapping.item(parcel_row(updated_at="2025-08-12 03:00:00.000002", id=1))
    assert isinstance(first, Change) and isinstance(later, Change)
    assert later.version == first.version + 1, "one microsecond later, one version higher"
    again = mapping.item(parcel_row(updated_at="2025-08-12 03:00:00.000001"))
    assert isinstance(again, Change) and again.version == first.version, "a re-read is the same"


def test_naive_timestamps_are_read_in_the_configured_zone() -> None:
    change = mapper(naive_timezone="Asia/Ho_Chi_Minh").item(parcel_row())
    assert isinstance(change, Change)
    assert change.occurred_at == datetime(2025, 8, 11, 20, 0, 0, 250000, tzinfo=UTC)


def test_a_row_with_broken_json_is_rejected_and_the_position_moves_past_it() -> None:
    rejected = mapper().item(parcel_row(holders="[{broken"))
    assert isinstance(rejected, Rejected)
    assert "holders is not valid JSON" in rejected.reason
    assert rejected.key == "a1b2" and rejected.position is not None
    assert json.loads(rejected.original)["holders"] == "[{broken"


def test_a_row_without_a_key_is_rejected() -> None:
    rejected = mapper().item(parcel_row(parcel_id=None))
    assert isinstance(rejected, Rejected) and "parcel_id is empty" in rejected.reason


def test_an_invalid_entity_is_left_for_validation_to_name() -> None:
    change = mapper().item(parcel_row(area_m2=-5))
    assert isinstance(change, Change)
    with pytest.raises(Exception, match="area_m2"):
        validated(change)


def test_a_query_column_that_is_no_field_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match=r"holder_names .* not fields of LandParcel"):
        mapper().check_columns([*parcel_row(), "holder_names"])


def test_a_missing_bookkeeping_column_is_a_configuration_error() -> None:
    columns = [name for name in parcel_row() if name != "deleted"]
    with pytest.raises(ConfigurationError, match="no column deleted"):
        mapper().check_columns(columns)


def test_a_table_may_have_columns_the_entity_does_not() -> None:
    mapping = mapper(query=None, table="parcels")
    mapping.check_columns([*parcel_row(), "internal_note"])
    change = mapping.item(parcel_row(internal_note="x"))
    assert isinstance(change, Change) and change.after is not None
    assert "internal_note" not in change.after


def test_a_non_integer_incrementing_column_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="whole numbers"):
        mapper().item(parcel_row(id="a-uuid"))


def test_sqlite_timestamps_must_have_the_form_that_compares_as_text() -> None:
    sqlite = dialect_for("sqlite")
    stamp = sqlite.timestamp_of("2025-08-12 03:00:00.250000")
    assert sqlite.bind(stamp) == "2025-08-12 03:00:00.250000"
    with pytest.raises(ConfigurationError, match=r"YYYY-MM-DD HH:MM:SS\.ffffff"):
        sqlite.timestamp_of("2025-08-12T03:00:00")
