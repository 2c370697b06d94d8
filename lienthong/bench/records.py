"""Realistic dossier changes for benchmarks: the mix of sizes a province's one-stop shop sends.

Built with the typed event models, so every record is one the connector could publish.
"""

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Final

from lienthong.events import (
    Applicant,
    ApplicantKind,
    Dossier,
    DossierChange,
    Envelope,
    Operation,
    ProcessingStep,
)

__all__ = ["dossier_changes"]

_START: Final = datetime(2025, 7, 1, 1, 30, tzinfo=UTC)
_SURNAMES: Final = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi")
_GIVEN: Final = ("Thị Hoà", "Văn Đức", "Minh Tuấn", "Thu Hương", "Quốc Bảo", "Ngọc Lan")
_STREETS: Final = ("Lý Thường Kiệt", "Trần Phú", "Hai Bà Trưng", "Nguyễn Trãi", "Lê Lợi")
_ACTIONS: Final = ("receive", "transfer", "review", "request_supplement", "approve", "return")
_STATUSES: Final = ("receiving", "processing", "waiting_supplement", "done", "returned")
_PROCEDURES: Final = ("1.004227", "1.001612", "2.000889", "1.010736")


def dossier_changes(count: int, *, seed: int = 0) -> list[DossierChange]:
    """`count` changes: citizens and businesses, 0 to 8 processing steps, a few deletes."""
    rng = random.Random(seed)
    return [_change(rng, i) for i in range(count)]


def _applicant(rng: random.Random) -> Applicant:
    province = rng.choice(("01", "15", "24", "79"))
    address = f"số {rng.randint(1, 300)} đường {rng.choice(_STREETS)}"
    if rng.random() < 0.2:
        return Applicant(
            kind=ApplicantKind.BUSINESS,
            id_number=f"01{rng.randrange(10**8):08d}",
            name=f"Công ty TNHH {rng.choice(_SURNAMES)} {rng.choice(('Phát', 'Hưng', 'Thịnh'))}",
            address=address,
            province_code=province,
            commune_code=f"{rng.randrange(100000):05d}",
        )
    return Applicant(
        kind=ApplicantKind.CITIZEN,
        id_number=f"0{rng.randrange(10**11):011d}",
        name=f"{rng.choice(_SURNAMES)} {rng.choice(_GIVEN)}",
        phone=f"09{rng.randrange(10**8):08d}",
        email=f"cong.dan{rng.randrange(10**5)}@example.vn" if rng.random() < 0.5 else None,
        address=address,
        province_code=province,
        commune_code=f"{rng.randrange(100000):05d}",
    )


def _change(rng: random.Random, i: int) -> DossierChange:
    submitted = _START + timedelta(minutes=7 * i)
    version = rng.randint(1, 9)
    dossier = Dossier(
        dossier_no=f"000.00.00.H41-{250701 + i // 1000}-{i % 10000:04d}",
        procedure_code=rng.choice(_PROCEDURES),
        local_procedure_code=f"2.000{rng.randrange(1000):03d}.000.00.00.H41",
        field_code=rng.choice(("G09-TP", "G01-DD", "G05-XD")),
        receiving_agency="000.00.00.H41",
        applicant=_applicant(rng),
        status=rng.choice(_STATUSES),
        submitted_at=submitted,
        received_at=submitted + timedelta(hours=1),
        due_at=submitted + timedelta(days=15),
        finished_at=submitted + timedelta(days=9) if rng.random() < 0.3 else None,
        fee_vnd=rng.choice((0, 50_000, 100_000, 250_000)),
        steps=tuple(
            ProcessingStep(
                at=submitted + timedelta(hours=4 * step),
                action=rng.choice(_ACTIONS),
                officer=f"{rng.choice(_SURNAMES)} {rng.choice(_GIVEN)}",
                unit="Bộ phận một cửa",
                note="Đã kiểm tra hồ sơ" if rng.random() < 0.3 else None,
            )
            for step in range(rng.randint(0, 8))
        ),
    )
    operation = Operation.DELETE if rng.random() < 0.05 else Operation.UPDATE
    envelope = Envelope(
        event_id=uuid.UUID(int=rng.getrandbits(128)),
        source_agency="000.00.00.H41",
        source_system="motcua",
        operation=operation,
        occurred_at=submitted + timedelta(minutes=version),
        ingested_at=submitted + timedelta(minutes=version, seconds=1),
        entity_key=dossier.dossier_no,
        entity_version=version,
        admin_unit_code=dossier.applicant.commune_code,
        source_position=str(i + 1),
    )
    if operation is Operation.DELETE:
        return DossierChange(envelope=envelope, before=dossier)
    return DossierChange(envelope=envelope, after=dossier)
