"""Made-up but realistic parcels, holders and certificates, drawn from a seeded RNG."""

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from random import Random

from connectors.land.records import ParcelRecord
from connectors.land.vocabulary import (
    CERTIFICATE_SERIES,
    FARMLAND,
    GARDEN,
    LEGACY_COMMUNES,
    LEGACY_DISTRICT,
    ORIGINS,
    RESIDENTIAL_RURAL,
    RESIDENTIAL_URBAN,
    LandUseKind,
)
from connectors.motcua.applicants import fake_applicant, person_name
from connectors.motcua.department import PROVINCE_TIME
from connectors.motcua.vocabulary import AGENCIES, COMMUNES, STREETS
from lienthong.events import AdminCodeList
from lienthong.events.land import LandCertificate, LandHolder, LandHolderKind, LandUse

__all__ = ["CENT", "ParcelMaker", "scaled_uses"]

CENT = Decimal("0.01")
_LEGACY_SHARE = 0.1
"""Share of parcels still recorded under the 2004 commune codes."""
_FARM_TERM_ENDS = date(2064, 7, 1)
_FIRST_CERTIFICATES = date(2005, 1, 1)


class ParcelMaker:
    """New parcels of Nghệ An's land register; `parcel_numbers` holds each sheet's highest."""

    def __init__(self, rng: Random, parcel_numbers: dict[tuple[str, str, int], int]) -> None:
        self._rng = rng
        self.parcel_numbers = parcel_numbers

    def new_id(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def next_parcel_no(self, code_list: AdminCodeList, commune_code: str, sheet: int) -> int:
        """The next free parcel number on a map sheet of a commune."""
        sheet_key = (code_list.value, commune_code, sheet)
        number = self.parcel_numbers.get(sheet_key, 0) + 1
        self.parcel_numbers[sheet_key] = number
        return number

    def new_parcel(self, now: datetime, reason: str) -> ParcelRecord:
        rng = self._rng
        if rng.random() < _LEGACY_SHARE:
            legacy = rng.choice(LEGACY_COMMUNES)
            code, name, urban = legacy.code, f"{legacy.name}, {LEGACY_DISTRICT}", legacy.urban
            code_list = AdminCodeList.VN2004
        else:
            commune = rng.choice(COMMUNES)
            code, name, urban = commune.code, commune.name, commune.urban
            code_list = AdminCodeList.VN2025
        sheet = rng.randint(1, 12)
        uses = self._uses(urban)
        area = sum((use.area_m2 for use in uses), Decimal(0))
        certified = rng.random() < 0.85
        legal = None
        if certified:  # the certificate's area often predates the cadastral map's
            legal = area if rng.random() < 0.7 else (area * self.factor(0.04)).quantize(CENT)
        address = (
            f"Số {rng.randint(1, 250)}, đường {rng.choice(STREETS)}, {name}, tỉnh Nghệ An"
            if urban
            else f"Xóm {rng.randint(1, 15)}, {name}, tỉnh Nghệ An"
        )
        return ParcelRecord(
            parcel_id=self.new_id(),
            commune_code=code,
            code_list=code_list,
            map_sheet_no=sheet,
            parcel_no=self.next_parcel_no(code_list, code, sheet),
            area_m2=area,
            legal_area_m2=legal,
            land_uses=uses,
            holders=self.holders(),
            address=address,
            certificate=self.certificate(now, organisation=False) if certified else None,
            change_reason=reason,
            dossier_no=self.dossier_no(now),
        )

    def holders(self) -> tuple[LandHolder, ...]:
        rng, roll = self._rng, self._rng.random()
        if roll < 0.05:
            business = fake_applicant(rng, business=True)
            return (LandHolder(kind=LandHolderKind.ORGANISATION, name=business.name,
                               id_number=business.id_number),)  # fmt: skip
        if roll < 0.25:
            name, female = person_name(rng)
            title = "bà" if female else "ông"
            return (LandHolder(kind=LandHolderKind.HOUSEHOLD, name=f"Hộ {title} {name}"),)
        people = 2 if roll < 0.7 else 1  # most certificates name a married couple
        return tuple(self._person() for _ in range(people))

    def certificate(self, now: datetime, *, organisation: bool) -> LandCertificate:
        rng = self._rng
        today = now.astimezone(PROVINCE_TIME).date()
        span = max(1, (today - _FIRST_CERTIFICATES).days)
        registered = _FIRST_CERTIFICATES + timedelta(days=rng.randrange(span))
        return LandCertificate(
            serial_no=f"{rng.choice(CERTIFICATE_SERIES)} {rng.randrange(1, 1_000_000):06d}",
            register_no=f"{'CT' if organisation else 'CS'}{rng.randrange(1, 100_000):05d}",
            register_date=registered,
        )

    def dossier_no(self, now: datetime) -> str:
        """The one-stop-shop dossier behind a change (a land procedure is one)."""
        day = now.astimezone(PROVINCE_TIME).strftime("%y%m%d")
        return f"{AGENCIES['land'].dossier_prefix}-{day}-{self._rng.randrange(1, 1_000_000):06d}"

    def factor(self, spread: float) -> Decimal:
        """A multiplier within `spread` of 1, for areas measured again."""
        return Decimal(str(round(1 + self._rng.uniform(-spread, spread), 4)))

    def _person(self) -> LandHolder:
        person = fake_applicant(self._rng, business=False)
        return LandHolder(
            kind=LandHolderKind.INDIVIDUAL, name=person.name, id_number=person.id_number
        )

    def _uses(self, urban: bool) -> tuple[LandUse, ...]:
        rng = self._rng
        if urban:
            kinds: Sequence[LandUseKind] = (RESIDENTIAL_URBAN,)
        elif rng.random() < 0.6:
            kinds = (RESIDENTIAL_RURAL, GARDEN) if rng.random() < 0.5 else (RESIDENTIAL_RURAL,)
        else:
            kinds = (rng.choice(FARMLAND),)
        return tuple(self._use(kind) for kind in kinds)

    def _use(self, kind: LandUseKind) -> LandUse:
        rng = self._rng
        area = Decimal(rng.randint(kind.min_m2 * 10, kind.max_m2 * 10)) / 10
        origins = ORIGINS.get(kind.code, ORIGINS["farm"])
        return LandUse(
            use_type_code=kind.code,
            area_m2=area.quantize(CENT),
            origin=rng.choice(origins),
            term="Lâu dài" if kind.lasting else f"Đến ngày {_FARM_TERM_ENDS:%d/%m/%Y}",
            expires_on=None if kind.lasting else _FARM_TERM_ENDS,
        )


def scaled_uses(uses: Sequence[LandUse], area: Decimal) -> tuple[LandUse, ...]:
    """The uses resized to add up to `area`, in proportion; the last takes the rounding."""
    total = sum((use.area_m2 for use in uses), Decimal(0))
    scaled: list[LandUse] = []
    left = area
    for index, use in enumerate(uses):
        share = left if index == len(uses) - 1 else (use.area_m2 * area / total).quantize(CENT)
        left -= share
        scaled.append(use.model_copy(update={"area_m2": share}))
    return tuple(scaled)
