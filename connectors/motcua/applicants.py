"""Made-up but realistic Vietnamese people, businesses and addresses, drawn from a seeded RNG."""

import unicodedata
from dataclasses import dataclass
from random import Random

from connectors.motcua.vocabulary import (
    BUSINESS_BRANDS,
    BUSINESS_FORMS,
    BUSINESS_SECTORS,
    COMMUNES,
    FAMILY_NAMES,
    FEMALE_GIVEN,
    FEMALE_MIDDLE,
    MALE_GIVEN,
    MALE_MIDDLE,
    PROVINCE_CODE,
    STREETS,
)

__all__ = ["FakeApplicant", "fake_applicant", "person_name"]

_FAMILIES = tuple(name for name, _ in FAMILY_NAMES)
_FAMILY_WEIGHTS = tuple(weight for _, weight in FAMILY_NAMES)
_MOBILE_PREFIXES = ("086", "096", "097", "098", "088", "091", "094", "089", "090", "093", "070")
_NFD_SHARE = 0.1
"""Share of records typed on systems that store decomposed (NFD) Unicode."""


@dataclass(frozen=True, slots=True)
class FakeApplicant:
    kind: str
    id_number: str
    name: str
    phone: str
    email: str | None
    address: str
    commune_code: str


def person_name(rng: Random) -> tuple[str, bool]:
    """A full name and whether it is a woman's."""
    female = rng.random() < 0.5
    family = rng.choices(_FAMILIES, weights=_FAMILY_WEIGHTS)[0]
    middle = rng.choice(FEMALE_MIDDLE if female else MALE_MIDDLE)
    given = rng.choice(FEMALE_GIVEN if female else MALE_GIVEN)
    return f"{family} {middle} {given}", female


def _citizen_id(rng: Random, female: bool) -> str:
    """12 digits: birth-province code, century-and-sex digit, birth year, serial number."""
    year = rng.randint(1950, 2006)
    century_sex = (0 if year < 2000 else 2) + (1 if female else 0)
    return f"0{PROVINCE_CODE}{century_sex}{year % 100:02d}{rng.randrange(1_000_000):06d}"


def _address(rng: Random, commune_name: str, urban: bool) -> str:
    if urban:
        return (
            f"Số {rng.randint(1, 250)}, đường {rng.choice(STREETS)}, {commune_name}, tỉnh Nghệ An"
        )
    return f"Xóm {rng.randint(1, 15)}, {commune_name}, tỉnh Nghệ An"


def _ascii_slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


def fake_applicant(rng: Random, business: bool) -> FakeApplicant:
    commune = rng.choice(COMMUNES)
    phone = f"{rng.choice(_MOBILE_PREFIXES)}{rng.randrange(10_000_000):07d}"
    if business:
        brand = rng.choice(BUSINESS_BRANDS)
        name = f"{rng.choice(BUSINESS_FORMS)} {rng.choice(BUSINESS_SECTORS)} {brand}"
        tax_code = f"29{rng.randrange(100_000_000):08d}"
        email: str | None = f"lienhe@{_ascii_slug(brand)}.vn"
        kind, id_number = "business", tax_code
    else:
        name, female = person_name(rng)
        id_number = _citizen_id(rng, female)
        email = (
            f"{_ascii_slug(name.split()[-1])}{rng.randint(1, 999)}@gmail.com"
            if rng.random() < 0.4
            else None
        )
        kind = "citizen"
    address = _address(rng, commune.name, commune.urban)
    if rng.random() < _NFD_SHARE:
        name, address = unicodedata.normalize("NFD", name), unicodedata.normalize("NFD", address)
    return FakeApplicant(kind, id_number, name, phone, email, address, commune.code)
