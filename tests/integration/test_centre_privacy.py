"""The privacy policy on the real path: events produced to the session's broker, applied by
`lienthong streams worker`, stored in the centre (SQLite, then PostgreSQL). The centre holds
the keyed hash of a citizen id, never the id, in current rows and history alike; a dossier's
applicant and a land holder with the same id hash equal; masked fields are masked and
dropped ones are gone; the audit chain is intact over what was stored."""

from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, select

from lienthong.events import LandHolder, LandHolderKind, Operation
from lienthong.privacy import keyed_hash
from lienthong.settings import PrivacySettings, Settings
from streams.centre import read_dossier, read_history, read_parcel
from streams.centre.audit_verify import verify_audit
from streams.centre.schema import METADATA
from tests.domain_factories import parcel_change
from tests.factories import CITIZEN, dossier_change
from tests.integration.test_streams_worker import centre_engine, running_worker
from tests.integration.worker_support import end_offsets, offsets_reached, produce_records, sent

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

HASH_KEY = "centre-privacy-test-key-0123456789abcdef"
CITIZEN_ID = CITIZEN.id_number or ""
POLICY = """
dossier:
  applicant.id_number: keyed_hash
  applicant.name: clear
  applicant.phone: masked
  applicant.email: dropped
  applicant.address: masked
  steps.officer: clear
land_parcel:
  holders.id_number: keyed_hash
  holders.name: clear
  address: clear
document:
  signer.full_name: clear
document_status:
  staff.staff_name: clear
  staff.mobile: masked
  staff.email: masked
"""


@pytest.fixture
def settings(centre_bus: Settings, tmp_path: Path) -> Settings:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    privacy = PrivacySettings(policy_file=policy, hash_key=SecretStr(HASH_KEY))
    return centre_bus.model_copy(update={"privacy": privacy})


def stored_text(engine: Engine) -> str:
    """Every value of every table of the centre, as one text to search."""
    with engine.connect() as conn:
        return "\n".join(
            repr(tuple(row))
            for table in METADATA.sorted_tables
            for row in conn.execute(select(table))
        )


async def test_the_centre_keeps_a_keyed_hash_and_never_the_citizen_id(
    settings: Settings, log_path: Path
) -> None:
    created = dossier_change("HS-PRIV-1", 1, Operation.CREATE)
    updated = dossier_change("HS-PRIV-1", 2)
    parcel = parcel_change("P-PRIV-1", 1, Operation.CREATE, dossier_no="HS-PRIV-1")
    assert parcel.after is not None
    holder = LandHolder(kind=LandHolderKind.INDIVIDUAL, name=CITIZEN.name, id_number=CITIZEN_ID)
    parcel = parcel.model_copy(
        update={"after": parcel.after.model_copy(update={"holders": (holder,)})}
    )
    changes = [created, updated, parcel]

    with running_worker(settings, log_path) as worker:
        async with centre_engine(settings) as engine:
            placed = await produce_records(settings, [sent(settings.topics, c) for c in changes])
            applied = offsets_reached(engine, settings.streams.app_id, end_offsets(placed))
            await worker.wait_for("the centre to apply the events", applied)

            hashed = keyed_hash(HASH_KEY.encode(), CITIZEN_ID)
            dossier = read_dossier(engine, "HS-PRIV-1")
            assert dossier is not None
            assert dossier.applicant.id_number == hashed
            assert dossier.applicant.phone == "*******678"
            assert dossier.applicant.email is None
            assert dossier.applicant.name == CITIZEN.name
            assert dossier.applicant.address == "***"  # "12 Lý Thường Kiệt, phường Hoàn Kiếm"
            stored_parcel = read_parcel(engine, "P-PRIV-1")
            assert stored_parcel is not None
            assert [h.id_number for h in stored_parcel.holders] == [hashed]

            history = read_history(engine, "HS-PRIV-1")
            assert [entry.entity_version for entry in history] == [1, 2]
            assert {e.dossier.applicant.id_number for e in history if e.dossier} == {hashed}

            everything = stored_text(engine)
            for personal in (CITIZEN_ID, CITIZEN.phone, CITIZEN.email):
                assert personal and personal not in everything
            assert verify_audit(engine).intact
