"""Privacy policy files: the four actions, and every way a file can be unusable, reported
whole and by line before anything is applied."""

import pytest

from lienthong.errors import ConfigurationError
from lienthong.privacy import (
    PERSONAL_KINDS,
    FieldAction,
    PersonalSort,
    default_policy,
    keyed_hash,
    masked,
    parse_policy,
)

COMMUNE = "xã Yên Bình, tỉnh Nghệ An"
KEY = b"unit-test-privacy-key-0123456789abcdef"


def complete_policy(**overrides: str) -> str:
    """Every personal field clear, except `overrides` (`"dossier:applicant.name"` → action)."""
    lines = []
    for kind in PERSONAL_KINDS:
        lines.append(f"{kind.name}:")
        for field in kind.fields:
            action = overrides.get(f"{kind.name}:{field.path}", "clear")
            lines.append(f"  {field.path}: {action}")
    return "\n".join(lines) + "\n"


def problems_of(text: str) -> str:
    with pytest.raises(ConfigurationError) as raised:
        parse_policy(text, "policy.yaml")
    return str(raised.value)


def test_a_keyed_hash_is_stable_per_key_and_hides_the_value() -> None:
    hashed = keyed_hash(KEY, "001099012345")
    assert hashed == keyed_hash(KEY, " 001099012345 ")
    assert len(hashed) == 64 and "001099012345" not in hashed
    assert hashed != keyed_hash(b"another-key-another-key-another-key", "001099012345")


@pytest.mark.parametrize(
    ("sort", "value", "shown"),
    [
        (PersonalSort.ID_NUMBER, "001099012345", "*********345"),
        (PersonalSort.ID_NUMBER, "12", "*2"),
        (PersonalSort.PHONE, "0912345678", "*******678"),
        (PersonalSort.EMAIL, "hoa@example.vn", "h**@example.vn"),
        (PersonalSort.EMAIL, "not-an-email", "n***********"),
        (PersonalSort.NAME, "Lê Thị Hoà", "L* T** H**"),
        (
            PersonalSort.ADDRESS,
            "Số 12, đường Lê Lợi, xã Yên Bình, tỉnh Nghệ An",
            "***, xã Yên Bình, tỉnh Nghệ An",
        ),
        (PersonalSort.ADDRESS, "Xóm 3, xã Yên Bình", "***"),
    ],
)
def test_each_sort_of_data_has_its_mask(sort: PersonalSort, value: str, shown: str) -> None:
    assert masked(value, sort) == shown


def test_the_shipped_policy_hashes_ids_masks_contacts_and_keeps_names() -> None:
    policy = default_policy()
    actions = {(r.kind.name, r.field.path): r.action for r in policy.rules}
    assert actions[("dossier", "applicant.id_number")] is FieldAction.KEYED_HASH
    assert actions[("land_parcel", "holders.id_number")] is FieldAction.KEYED_HASH
    assert actions[("dossier", "applicant.phone")] is FieldAction.MASKED
    assert actions[("dossier", "applicant.email")] is FieldAction.MASKED
    assert actions[("dossier", "applicant.name")] is FieldAction.CLEAR
    assert len(actions) == sum(len(kind.fields) for kind in PERSONAL_KINDS)
    assert policy.needs_key


def test_a_complete_file_parses() -> None:
    policy = parse_policy(complete_policy(**{"dossier:applicant.email": "dropped"}), "p.yaml")
    dropped = [r for r in policy.rules if r.action is FieldAction.DROPPED]
    assert [(r.kind.name, r.field.path) for r in dropped] == [("dossier", "applicant.email")]
    assert not policy.needs_key


def test_unknown_kinds_fields_and_actions_are_named_with_their_line() -> None:
    text = complete_policy(**{"dossier:applicant.phone": "encrypted"}) + (
        "parcel:\n  holders.id_number: keyed_hash\nland_parcel:\n  holders.birth_date: dropped\n"
    )
    found = problems_of(text)
    assert "line 4: unknown action 'encrypted'" in found
    assert "unknown kind of entity 'parcel'" in found
    assert "unknown personal field of land_parcel 'holders.birth_date'" in found
    assert "known: dossier, land_parcel, document, document_status" in found


def test_every_personal_field_needs_an_action() -> None:
    text = complete_policy().replace("  applicant.email: clear\n", "")
    assert "dossier: applicant.email has no action" in problems_of(text)


def test_a_required_field_cannot_be_dropped_and_a_field_is_given_once() -> None:
    text = complete_policy(**{"dossier:applicant.name": "dropped"})
    assert "line 3: dossier.applicant.name is required by the schema" in problems_of(text)
    twice = complete_policy() + "dossier:\n  applicant.phone: masked\n"
    assert "dossier.applicant.phone is given twice" in problems_of(twice)


@pytest.mark.parametrize("text", ["dossier: [", "- a list\n", "dossier: clear\n"])
def test_a_file_of_the_wrong_shape_is_refused(text: str) -> None:
    assert "privacy policy policy.yaml" in problems_of(text)
