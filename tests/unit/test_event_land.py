"""Land parcel change events: Avro round trip, exact areas, cadastral numbers, NFC text."""

import unicodedata
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from lienthong.events import (
    AdminCodeList,
    Envelope,
    LandCertificate,
    LandHolder,
    LandHolderKind,
    LandParcel,
    LandParcelChange,
    LandUse,
    Operation,
    ParcelRef,
)
from lienthong.events.land import AREA_PRECISION, AREA_SCALE
from schemas import LAND_PARCEL_CHANGE, load_parsed_schema
from tests.serde_support import avro_serde

LAND_PARCEL = "vn.lienthong.land.LandParcel"
LAND_USE = "vn.lienthong.land.LandUse"
AT = datetime(2025, 8, 12, 2, 45, 30, 250000, tzinfo=UTC)


def _parcel(
    *, holder_name: str = "Nguyễn Thị Hồng Nhung", address: str = "thôn Làng Chùa, xã Bảo Hà"
) -> LandParcel:
    return LandParcel(
        parcel_id="TD-15-04570-000123",
        commune_code="04570",
        commune_code_list=AdminCodeList.VN2025,
        map_sheet_no=5,
        parcel_no=78,
        previous_parcels=(
            ParcelRef(
                commune_code="04585",
                commune_code_list=AdminCodeList.VN2004,
                map_sheet_no=12,
                parcel_no=345,
            ),
        ),
        version=4,
        is_latest=True,
        area_m2=Decimal("350.50"),
        legal_area_m2=Decimal("350.5"),
        land_uses=(
            LandUse(
                use_type_code="ONT",
                area_m2=Decimal("200"),
                origin="Nhà nước giao đất có thu tiền sử dụng đất",
                term="Lâu dài",
            ),
            LandUse(
                use_type_code="CLN",
                area_m2=Decimal("150.50"),
                origin="Công nhận quyền sử dụng đất như giao đất không thu tiền",
                term="Đến ngày 15/10/2064",
                expires_on=date(2064, 10, 15),
            ),
        ),
        address=address,
        certificate=LandCertificate(
            serial_no="DĐ 123456", register_no="CS04570", register_date=date(2025, 8, 11)
        ),
        holders=(
            LandHolder(kind=LandHolderKind.INDIVIDUAL, name=holder_name, id_number="010190001234"),
            LandHolder(kind=LandHolderKind.INDIVIDUAL, name="Lò Văn Páo", id_number="010088004321"),
        ),
        change_reason="Chuyển nhượng quyền sử dụng đất",
        dossier_no="000.00.15.H37-250812-0042",
    )


def _change(after: LandParcel | None, before: LandParcel | None = None) -> LandParcelChange:
    envelope = Envelope(
        event_id=uuid.uuid4(),
        source_agency="000.00.15.H37",
        source_system="vilis",
        operation=Operation.UPDATE if after is not None else Operation.DELETE,
        occurred_at=AT,
        ingested_at=AT,
        entity_key="TD-15-04570-000123",
        entity_version=4,
        admin_unit_code="04570",
        admin_code_list=AdminCodeList.VN2025,
        correlation_id="000.00.15.H37-250812-0042",
    )
    return LandParcelChange(envelope=envelope, before=before, after=after)


async def test_land_parcel_change_survives_avro_round_trip_field_for_field() -> None:
    serde = await avro_serde(LAND_PARCEL_CHANGE)
    change = _change(_parcel(), before=_parcel().model_copy(update={"version": 3}))
    decoded = serde.round_trip(change.to_avro())
    assert LandParcelChange.from_avro(decoded) == change
    assert decoded["after"]["area_m2"] == Decimal("350.50")
    assert decoded["after"]["land_uses"][1]["expires_on"] == date(2064, 10, 15)
    assert decoded["after"]["previous_parcels"][0]["commune_code_list"] == "VN2004"
    assert decoded["after"]["commune_code_list"] == "VN2025"


async def test_a_deleted_parcel_carries_only_its_last_version() -> None:
    serde = await avro_serde(LAND_PARCEL_CHANGE)
    change = _change(None, before=_parcel())
    assert LandParcelChange.from_avro(serde.round_trip(change.to_avro())) == change


def test_decomposed_names_and_addresses_become_nfc() -> None:
    name = unicodedata.normalize("NFD", "Hoàng Thị Thuỷ")
    address = unicodedata.normalize("NFD", "tổ dân phố Phú Thịnh, phường Yên Bái")
    parcel = _parcel(holder_name=name, address=address)
    assert parcel.holders[0].name == unicodedata.normalize("NFC", name) != name
    assert parcel.address == unicodedata.normalize("NFC", address) != address


def test_areas_are_exact_decimals_at_the_schema_scale() -> None:
    use = LandUse(use_type_code="ONT", area_m2=Decimal("12.5"))
    assert use.area_m2.as_tuple().exponent == -AREA_SCALE
    use = LandUse(use_type_code="ONT", area_m2=Decimal("12.500"))
    assert use.area_m2 == Decimal("12.50")
    largest = LandUse(use_type_code="RSX", area_m2=Decimal("9999999999.99"))
    assert largest.area_m2 == Decimal("9999999999.99")


@pytest.mark.parametrize(
    "area",
    [Decimal("12.345"), 0.1 + 0.2, Decimal("10000000000"), Decimal("-1"), Decimal("NaN")],
    ids=["three-places", "binary-float", "too-large", "negative", "nan"],
)
def test_areas_that_are_not_exact_hundredths_are_refused(area: Any) -> None:
    with pytest.raises(ValidationError):
        LandUse(use_type_code="ONT", area_m2=area)


def test_model_area_bounds_are_the_schema_decimal_bounds() -> None:
    fields = {f["name"]: f["type"] for f in load_parsed_schema(LAND_PARCEL)["fields"]}
    land_use = {f["name"]: f["type"] for f in load_parsed_schema(LAND_USE)["fields"]}
    for decimal_type in (fields["area_m2"], fields["legal_area_m2"][1], land_use["area_m2"]):
        assert decimal_type["logicalType"] == "decimal"
        assert (decimal_type["precision"], decimal_type["scale"]) == (AREA_PRECISION, AREA_SCALE)


@pytest.mark.parametrize("field", ["map_sheet_no", "parcel_no"])
def test_map_sheets_and_parcels_are_numbered_from_one(field: str) -> None:
    with pytest.raises(ValidationError):
        ParcelRef.model_validate(
            {"commune_code": "04570", "map_sheet_no": 5, "parcel_no": 78, field: 0}
        )
