"""A captured row names the code list of its commune code: the change carries it, NULL leaves
the connector's own, and a value naming no code list makes the change a dead letter."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.contract import Change, Domain, Rejected
from connectors.pgcdc.catalog import CapturedTable
from connectors.pgcdc.changes import CAPTURE, Origin, RowChanges
from connectors.pgcdc.options import TableOptions
from connectors.spec import ConnectorSpec
from lienthong.events import AdminCodeList, Operation
from lienthong.ids import ConnectorName

COLUMNS = ("parcel_id", "commune_code", "code_list", "version")
SPEC = ConnectorSpec(
    name=ConnectorName("commune-land-cdc"),
    kind="pgcdc",
    agency="000.00.15.H41",
    system="diachinh-xa",
    domains=("land_parcels",),
)
ORIGIN = Origin(7, datetime(2025, 8, 12, 3, tzinfo=UTC), "0/16B3748")


def parcels() -> RowChanges:
    options = TableOptions(
        table="land.parcels",
        domain=Domain.LAND_PARCELS,
        columns={"parcel_id": "parcel_id", "commune_code": "commune_code", "version": "version"},
        admin_unit_column="commune_code",
        admin_code_list_column="code_list",
    )
    table = CapturedTable(
        options=options,
        columns=COLUMNS,
        types=dict.fromkeys(COLUMNS, "text"),
        key_columns=("parcel_id",),
        replica_identity="d",
        fields=dict(options.columns or {}),
    )
    return RowChanges(SPEC, table)


def row(code_list: Any) -> dict[str, Any]:
    return {"parcel_id": "P-1", "commune_code": "17683", "code_list": code_list, "version": 1}


@pytest.mark.parametrize(
    ("named", "code_list"),
    [
        ("VN2004", AdminCodeList.VN2004),
        ("vn2025", AdminCodeList.VN2025),
        ("2004", AdminCodeList.VN2004),
        (None, None),
    ],
)
def test_the_change_carries_the_code_list_the_row_names(
    named: Any, code_list: AdminCodeList | None
) -> None:
    change = parcels().item(Operation.CREATE, row(named), None, origin=ORIGIN, index=0)
    assert isinstance(change, Change)
    assert (change.admin_unit_code, change.admin_code_list) == ("17683", code_list)
    assert change.after is not None and "code_list" not in change.after


def test_a_delete_carrying_only_its_key_takes_the_connectors_code_list() -> None:
    change = parcels().item(
        Operation.DELETE, None, None, origin=ORIGIN, index=0, key_values={"parcel_id": "P-1"}
    )
    assert isinstance(change, Change) and change.admin_code_list is None


@pytest.mark.parametrize("named", ["VN1999", "", "UNKNOWN"])
def test_a_row_naming_no_code_list_is_dead_lettered_with_the_reason(named: str) -> None:
    rejected = parcels().item(Operation.UPDATE, row(named), None, origin=ORIGIN, index=0)
    assert isinstance(rejected, Rejected)
    assert rejected.stage == CAPTURE and rejected.key == "P-1"
    assert rejected.reason.startswith("admin_code_list column code_list: ")
    assert f"{named!r} is not an administrative code list" in rejected.reason
    assert json.loads(rejected.original)["values"]["code_list"] == named


def test_the_code_list_column_is_read_with_the_envelope_columns() -> None:
    options = parcels().table.options
    assert options.envelope_columns == ("commune_code", "code_list")
