"""A policy applied to change events: personal fields only, in every state the event carries,
the envelope untouched; the same citizen id hashes alike in every kind."""

import pytest

from lienthong.events import LandHolder, LandHolderKind, Operation, StaffInfo
from lienthong.privacy import DataProtection, keyed_hash, parse_policy
from tests.domain_factories import parcel_change, status_change
from tests.factories import CITIZEN, dossier_change
from tests.unit.test_privacy_policy import KEY, complete_policy

ID = CITIZEN.id_number or ""
PROTECTING = complete_policy(
    **{
        "dossier:applicant.id_number": "keyed_hash",
        "dossier:applicant.email": "dropped",
        "dossier:applicant.phone": "masked",
        "dossier:steps.officer": "masked",
        "land_parcel:holders.id_number": "keyed_hash",
        "document_status:staff.mobile": "masked",
    }
)


@pytest.fixture
def protection() -> DataProtection:
    return DataProtection(parse_policy(PROTECTING, "p.yaml"), KEY)


def test_a_dossier_keeps_only_what_the_policy_allows(protection: DataProtection) -> None:
    change = dossier_change("HS-1", 2)
    protected = protection.protect(change)
    assert protected.envelope == change.envelope
    assert protected.after is not None and change.after is not None
    applicant = protected.after.applicant
    assert applicant.id_number == keyed_hash(KEY, ID)
    assert (applicant.email, applicant.phone, applicant.name) == (None, "*******678", CITIZEN.name)
    assert [step.officer for step in protected.after.steps] == ["P*** V** Đ**"] * 2
    assert protected.after.model_copy(update={"applicant": CITIZEN, "steps": ()}) == (
        change.after.model_copy(update={"steps": ()})
    )


def test_a_delete_protects_its_before_state(protection: DataProtection) -> None:
    protected = protection.protect(dossier_change("HS-1", 3, Operation.DELETE))
    assert protected.after is None and protected.before is not None
    assert protected.before.applicant.id_number == keyed_hash(KEY, ID)


def test_the_same_id_hashes_alike_for_an_applicant_and_a_land_holder(
    protection: DataProtection,
) -> None:
    parcel = parcel_change("P-1", 1)
    assert parcel.after is not None
    holders = (
        LandHolder(kind=LandHolderKind.INDIVIDUAL, name="Lê Thị Hoà", id_number=ID),
        LandHolder(kind=LandHolderKind.HOUSEHOLD, name="Hộ bà Hoà"),
    )
    held = parcel.model_copy(update={"after": parcel.after.model_copy(update={"holders": holders})})
    protected = protection.protect(held)
    dossier = protection.protect(dossier_change("HS-1", 1)).after
    assert protected.after is not None and dossier is not None
    assert [h.id_number for h in protected.after.holders] == [dossier.applicant.id_number, None]


def test_a_status_staff_member_is_protected_and_an_absent_one_stays_absent(
    protection: DataProtection,
) -> None:
    change = status_change(1, 1)
    staffed = change.model_copy(
        update={
            "status": change.status.model_copy(update={"staff": StaffInfo(mobile="0987654321")})
        }
    )
    assert protection.protect(staffed).status.staff == StaffInfo(mobile="*******321")
    unstaffed = change.model_copy(
        update={"status": change.status.model_copy(update={"staff": None})}
    )
    assert protection.protect(unstaffed) == unstaffed


def test_a_hashing_policy_without_a_key_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a key"):
        DataProtection(parse_policy(PROTECTING, "p.yaml"))
    clear = DataProtection(parse_policy(complete_policy(), "p.yaml"))
    change = dossier_change("HS-1", 1)
    assert clear.protect(change) is change
    assert KEY.decode() not in repr(DataProtection(parse_policy(PROTECTING, "p.yaml"), KEY))
