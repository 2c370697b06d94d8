"""Splits and merges: the old parcels are closed (`is_latest` false), new ones name them."""

from datetime import datetime
from decimal import Decimal
from random import Random

from connectors.land.parcels import ParcelMaker, scaled_uses
from connectors.land.records import ParcelRecord
from lienthong.events.land import LandUse

__all__ = ["merged_parcels", "split_parcel"]

_TENTH = Decimal("0.1")


def split_parcel(
    rng: Random, maker: ParcelMaker, parcel: ParcelRecord, now: datetime, dossier_no: str
) -> tuple[list[ParcelRecord], list[ParcelRecord]]:
    parts = 2 if rng.random() < 0.8 else 3
    weights = [rng.uniform(0.3, 0.7) for _ in range(parts)]
    areas = [
        (parcel.area_m2 * Decimal(str(w)) / Decimal(str(sum(weights)))).quantize(_TENTH)
        for w in weights[:-1]
    ]
    areas.append(parcel.area_m2 - sum(areas, Decimal(0)))
    numbers = [
        maker.next_parcel_no(parcel.code_list, parcel.commune_code, parcel.map_sheet_no)
        for _ in areas
    ]
    children = [
        ParcelRecord(
            parcel_id=maker.new_id(),
            commune_code=parcel.commune_code,
            code_list=parcel.code_list,
            map_sheet_no=parcel.map_sheet_no,
            parcel_no=number,
            area_m2=area,
            legal_area_m2=area,
            land_uses=scaled_uses(parcel.land_uses, area),
            holders=parcel.holders,
            address=parcel.address,
            certificate=maker.certificate(now, organisation=False),
            previous_parcels=(parcel.ref,),
            dossier_no=dossier_no,
            change_reason=f"Tách từ thửa số {parcel.parcel_no}, tờ bản đồ số {parcel.map_sheet_no}",
        )
        for number, area in zip(numbers, areas, strict=True)
    ]
    listed = ", ".join(str(n) for n in numbers)
    closed = parcel.next_version(
        is_latest=False, change_reason=f"Tách thành các thửa số {listed}", dossier_no=dossier_no
    )
    return [closed], children


def merged_parcels(
    maker: ParcelMaker, first: ParcelRecord, second: ParcelRecord, now: datetime, dossier_no: str
) -> tuple[list[ParcelRecord], list[ParcelRecord]]:
    number = maker.next_parcel_no(first.code_list, first.commune_code, first.map_sheet_no)
    uses: dict[str, LandUse] = {}
    for use in (*first.land_uses, *second.land_uses):
        held = uses.get(use.use_type_code)
        area = use.area_m2 + (held.area_m2 if held else 0)
        uses[use.use_type_code] = (held or use).model_copy(update={"area_m2": area})
    area = first.area_m2 + second.area_m2
    merged = ParcelRecord(
        parcel_id=maker.new_id(),
        commune_code=first.commune_code,
        code_list=first.code_list,
        map_sheet_no=first.map_sheet_no,
        parcel_no=number,
        area_m2=area,
        legal_area_m2=area,
        land_uses=tuple(uses.values()),
        holders=first.holders,
        address=first.address,
        certificate=maker.certificate(now, organisation=False),
        previous_parcels=(first.ref, second.ref),
        dossier_no=dossier_no,
        change_reason=f"Hợp thửa số {first.parcel_no} và thửa số {second.parcel_no}",
    )
    closed = [
        record.next_version(
            is_latest=False, change_reason=f"Hợp vào thửa số {number}", dossier_no=dossier_no
        )
        for record in (first, second)
    ]
    return closed, [merged]
