"""Signed events through the real broker, key registry and `lienthong streams worker`:
only events signed by a live key of their own agency reach the centre; every other one is a
dead letter saying why, and the good events around it are applied.
"""

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, select

from lienthong.events import DossierChange, Operation
from lienthong.settings import Settings, TrustSettings
from lienthong.topics import bus_topics, ensure_topics
from lienthong.trust import EventSigner, key_id_for
from lienthong.trust.registry_admin import register_key, revoke_key, rotate_key
from streams.centre.schema import DOSSIERS
from tests.factories import BUSINESS, dossier_change
from tests.integration.test_streams_worker import Worker, centre_engine, running_worker
from tests.integration.worker_support import (
    Outgoing,
    end_offsets,
    offsets_reached,
    produce_records,
    read_to_end,
    sent,
    signed,
)

pytestmark = pytest.mark.integration

H41, G12 = "000.00.00.H41", "000.00.00.G12"
ERRORS = "__connect.errors."


@pytest.fixture
async def settings(bus_settings: Settings) -> Settings:
    """The test's bus, its topics created, with signatures required (the product default)."""
    chosen = bus_settings.model_copy(update={"trust": TrustSettings(require_signatures=True)})
    await ensure_topics(chosen, bus_topics(chosen))
    return chosen


def agency_signer(agency: str) -> EventSigner:
    return EventSigner.of(agency, Ed25519PrivateKey.generate())


async def registered(settings: Settings, agency: str) -> EventSigner:
    signer = agency_signer(agency)
    await register_key(settings, agency, signer.private_key.public_key(), datetime.now(UTC))
    return signer


def dossier(no: str, *, ingested_at: datetime | None = None) -> DossierChange:
    change = dossier_change(no, 1, Operation.CREATE, applicant=BUSINESS)
    if ingested_at is None:
        return change
    envelope = change.envelope.model_copy(update={"ingested_at": ingested_at})
    return change.model_copy(update={"envelope": envelope})


def one_byte_changed(record: Outgoing, text: bytes, by: bytes) -> Outgoing:
    """The record with one byte of its value changed, inside a string, so it still decodes."""
    assert isinstance(record.value, bytes)
    at = record.value.index(text) + len(text) - 1
    value = record.value[:at] + by + record.value[at + 1 :]
    assert len(value) == len(record.value) and value != record.value
    return replace(record, value=value)


async def produce_and_wait(
    worker: Worker, engine: Engine, settings: Settings, records: Sequence[Outgoing]
) -> None:
    placed = await produce_records(settings, records)
    applied = offsets_reached(engine, settings.streams.app_id, end_offsets(placed))
    await worker.wait_for("the centre to take every record", applied)


def dossiers_in_centre(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(DOSSIERS.c.dossier_no)).scalars())


async def dead_letters(settings: Settings) -> dict[str, tuple[str, str, str]]:
    """Per dossier key: the dead letter's stage, exception class and message."""
    found = {}
    for record in await read_to_end(
        settings, settings.topics.dead_letter(settings.topics.dossiers)
    ):
        headers = {
            name: value.decode() for name, value in record.headers if name.startswith(ERRORS)
        }
        assert record.key is not None
        found[record.key.decode()] = (
            headers[ERRORS + "stage"],
            headers[ERRORS + "exception.class.name"].rsplit(".", 1)[-1],
            headers[ERRORS + "exception.message"],
        )
    return found


async def test_only_events_signed_by_a_live_key_of_their_agency_are_applied(
    settings: Settings, log_path: Path
) -> None:
    province = await registered(settings, H41)
    land_office = await registered(settings, G12)
    stolen = await registered(settings, H41)
    await revoke_key(settings, stolen.key_id, "laptop stolen", datetime.now(UTC))
    unregistered = agency_signer(H41)
    records = [
        await signed(settings, dossier("HS-GOOD-1"), province),
        one_byte_changed(
            await signed(settings, dossier("HS-TAMPERED"), province), b"1.004227", b"8"
        ),
        sent(settings.topics, dossier("HS-UNSIGNED")),
        await signed(settings, dossier("HS-UNKNOWN-KEY"), unregistered),
        await signed(settings, dossier("HS-OTHER-AGENCY"), land_office),  # claims H41
        await signed(settings, dossier("HS-REVOKED"), stolen),
        await signed(settings, dossier("HS-GOOD-2"), province),
    ]
    with running_worker(settings, log_path) as worker:
        async with centre_engine(settings) as engine:
            await produce_and_wait(worker, engine, settings, records)
            assert dossiers_in_centre(engine) == {"HS-GOOD-1", "HS-GOOD-2"}
    letters = await dead_letters(settings)
    assert {key: letter[:2] for key, letter in letters.items()} == {
        "HS-TAMPERED": ("SIGNATURE", "BadSignatureError"),
        "HS-UNSIGNED": ("SIGNATURE", "UnsignedEventError"),
        "HS-UNKNOWN-KEY": ("SIGNATURE", "UnknownKeyError"),
        "HS-OTHER-AGENCY": ("SIGNATURE", "WrongAgencyError"),
        "HS-REVOKED": ("SIGNATURE", "RevokedKeyError"),
    }
    assert unregistered.key_id in letters["HS-UNKNOWN-KEY"][2]
    assert f"belongs to agency {G12}" in letters["HS-OTHER-AGENCY"][2]
    assert "laptop stolen" in letters["HS-REVOKED"][2]


async def test_after_a_rotation_the_old_key_verifies_only_what_it_signed_before(
    settings: Settings, log_path: Path
) -> None:
    old = await registered(settings, H41)
    with running_worker(settings, log_path) as worker:
        async with centre_engine(settings) as engine:
            await produce_and_wait(
                worker, engine, settings, [await signed(settings, dossier("HS-BEFORE"), old)]
            )
            new = agency_signer(H41)
            rotated_at = datetime.now(UTC)
            rotation = await rotate_key(settings, H41, new.private_key.public_key(), rotated_at)
            assert [r.key_id for r in rotation.retired] == [old.key_id]
            assert rotation.added.key_id == key_id_for(new.private_key.public_key())
            backlog = dossier("HS-BACKLOG", ingested_at=rotated_at - timedelta(seconds=5))
            late = dossier("HS-LATE", ingested_at=rotated_at + timedelta(seconds=1))
            records = [
                await signed(settings, backlog, old),  # ingested before the rotation
                await signed(settings, late, old),
                await signed(settings, dossier("HS-NEW-KEY"), new),
            ]
            await produce_and_wait(worker, engine, settings, records)
            assert dossiers_in_centre(engine) == {"HS-BEFORE", "HS-BACKLOG", "HS-NEW-KEY"}
    letters = await dead_letters(settings)
    assert {key: letter[1] for key, letter in letters.items()} == {"HS-LATE": "RetiredKeyError"}
