"""One parcel as the land register holds it, and its row of the `parcels` table."""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from lienthong.events import AdminCodeList
from lienthong.events.land import LandCertificate, LandHolder, LandUse, ParcelRef

__all__ = ["ParcelRecord"]


@dataclass(frozen=True, slots=True)
class ParcelRecord:
    parcel_id: str
    commune_code: str
    code_list: AdminCodeList
    map_sheet_no: int
    parcel_no: int
    area_m2: Decimal
    land_uses: tuple[LandUse, ...]
    holders: tuple[LandHolder, ...]
    row_version: int = 1
    legal_area_m2: Decimal | None = None
    address: str | None = None
    certificate: LandCertificate | None = None
    previous_parcels: tuple[ParcelRef, ...] = ()
    change_reason: str | None = None
    dossier_no: str | None = None
    is_latest: bool = True
    deleted: bool = False

    @property
    def ref(self) -> ParcelRef:
        return ParcelRef(
            commune_code=self.commune_code,
            commune_code_list=self.code_list,
            map_sheet_no=self.map_sheet_no,
            parcel_no=self.parcel_no,
        )

    def next_version(self, **changes: Any) -> "ParcelRecord":
        """The record after one change: the given fields, and the row version one higher."""
        return replace(self, row_version=self.row_version + 1, **changes)

    def to_row(self) -> dict[str, Any]:
        certificate = self.certificate
        return {
            "parcel_id": self.parcel_id,
            "commune_code": self.commune_code,
            "code_list": self.code_list.value,
            "map_sheet_no": self.map_sheet_no,
            "parcel_no": self.parcel_no,
            "previous_parcels": _json(self.previous_parcels),
            "area_m2": self.area_m2,
            "legal_area_m2": self.legal_area_m2,
            "address": self.address,
            "land_uses": _json(self.land_uses),
            "holders": _json(self.holders),
            "certificate_serial": certificate.serial_no if certificate else None,
            "certificate_register_no": certificate.register_no if certificate else None,
            "certificate_register_date": certificate.register_date if certificate else None,
            "change_reason": self.change_reason,
            "dossier_no": self.dossier_no,
            "is_latest": self.is_latest,
            "row_version": self.row_version,
            "deleted": self.deleted,
        }

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> "ParcelRecord":
        serial = row["certificate_serial"]
        certificate = None
        if serial is not None:
            certificate = LandCertificate(
                serial_no=serial,
                register_no=row["certificate_register_no"],
                register_date=_date(row["certificate_register_date"]),
            )
        return cls(
            parcel_id=row["parcel_id"],
            commune_code=row["commune_code"],
            code_list=AdminCodeList(row["code_list"]),
            map_sheet_no=row["map_sheet_no"],
            parcel_no=row["parcel_no"],
            area_m2=_decimal(row["area_m2"]),
            legal_area_m2=None if row["legal_area_m2"] is None else _decimal(row["legal_area_m2"]),
            land_uses=tuple(LandUse.model_validate(u) for u in json.loads(row["land_uses"])),
            holders=tuple(LandHolder.model_validate(h) for h in json.loads(row["holders"])),
            previous_parcels=tuple(
                ParcelRef.model_validate(p) for p in json.loads(row["previous_parcels"])
            ),
            address=row["address"],
            certificate=certificate,
            change_reason=row["change_reason"],
            dossier_no=row["dossier_no"],
            is_latest=bool(row["is_latest"]),
            row_version=row["row_version"],
            deleted=bool(row["deleted"]),
        )


def _json(models: Sequence[BaseModel]) -> str:
    return json.dumps([m.model_dump(mode="json") for m in models], ensure_ascii=False)


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
