"""Land parcel change events (schemas/vn.lienthong.land.*.avsc).

Areas are exact decimals (Avro `bytes` with logical type `decimal`, precision 12, scale 2), not
doubles: they are legal quantities, the uses of a parcel must add up to its area, and the centre
compares them with the register's DECIMAL columns, where a binary fraction would drift.
"""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Final

from pydantic import AfterValidator, Field

from lienthong.events.envelope import AdminCodeList, ChangeEvent
from lienthong.events.fields import Code, StrictRecord, Text

__all__ = [
    "AREA_PRECISION",
    "AREA_SCALE",
    "CadastralNumber",
    "LandCertificate",
    "LandHolder",
    "LandHolderKind",
    "LandParcel",
    "LandParcelChange",
    "LandUse",
    "ParcelRef",
    "SquareMetres",
]

AREA_PRECISION: Final = 12
AREA_SCALE: Final = 2
_AREA_QUANTUM: Final = Decimal(1).scaleb(-AREA_SCALE)


def _at_area_scale(area: Decimal) -> Decimal:
    # The Avro writer refuses a decimal whose exponent is finer than the schema's scale (12.500).
    return area.quantize(_AREA_QUANTUM)


SquareMetres = Annotated[
    Decimal,
    Field(ge=0, max_digits=AREA_PRECISION, decimal_places=AREA_SCALE),
    AfterValidator(_at_area_scale),
]
"""An area in m², exact to the hundredth; more decimal places are refused, never rounded."""

CadastralNumber = Annotated[int, Field(ge=1)]
"""Map sheets and parcels are numbered from 1 within their commune and sheet."""


class LandHolderKind(StrEnum):
    UNKNOWN = "UNKNOWN"
    INDIVIDUAL = "INDIVIDUAL"
    HOUSEHOLD = "HOUSEHOLD"
    ORGANISATION = "ORGANISATION"
    COMMUNITY = "COMMUNITY"
    RELIGIOUS = "RELIGIOUS"
    OVERSEAS_VIETNAMESE = "OVERSEAS_VIETNAMESE"
    FOREIGN = "FOREIGN"


class ParcelRef(StrictRecord):
    commune_code: Code = Field(min_length=1)
    commune_code_list: AdminCodeList = AdminCodeList.UNKNOWN
    map_sheet_no: CadastralNumber
    parcel_no: CadastralNumber


class LandUse(StrictRecord):
    use_type_code: Code = Field(min_length=1)
    area_m2: SquareMetres
    origin: Text | None = None
    term: Text | None = None
    expires_on: date | None = None


class LandCertificate(StrictRecord):
    serial_no: Code = Field(min_length=1)
    register_no: Code = Field(min_length=1)
    register_date: date


class LandHolder(StrictRecord):
    kind: LandHolderKind
    name: Text = Field(min_length=1)
    id_number: Code | None = None


class LandParcel(StrictRecord):
    parcel_id: Code = Field(min_length=1)
    commune_code: Code = Field(min_length=1)
    commune_code_list: AdminCodeList = AdminCodeList.UNKNOWN
    map_sheet_no: CadastralNumber
    parcel_no: CadastralNumber
    previous_parcels: tuple[ParcelRef, ...] = ()
    version: int = Field(ge=0)
    is_latest: bool
    area_m2: SquareMetres
    legal_area_m2: SquareMetres | None = None
    land_uses: tuple[LandUse, ...] = ()
    address: Text | None = None
    certificate: LandCertificate | None = None
    holders: tuple[LandHolder, ...] = ()
    change_reason: Text | None = None
    dossier_no: Code | None = None


class LandParcelChange(ChangeEvent):
    before: LandParcel | None = None
    after: LandParcel | None = None
