"""Whether an event may be applied, given the key registry: unsigned, unknown, wrong agency,
revoked, retired before ingestion, tampered; rotation keeps older events verifiable."""

from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lienthong.events import DossierChange
from lienthong.trust import (
    BadSignatureError,
    EventSigner,
    KeyRecord,
    KeyRing,
    KeyStatus,
    MalformedKeyRecordError,
    RetiredKeyError,
    RevokedKeyError,
    SignedRecord,
    UnknownKeyError,
    UnsignedEventError,
    UntrustedEventError,
    WrongAgencyError,
    check_event,
)
from tests.factories import AT, dossier_change

H41, G12 = "000.00.00.H41", "000.00.00.G12"
TOPIC = "motcua.dossiers"
OLD = EventSigner.of(H41, Ed25519PrivateKey.generate())
NEW = EventSigner.of(H41, Ed25519PrivateKey.generate())
OTHER = EventSigner.of(G12, Ed25519PrivateKey.generate())
NOW = AT + timedelta(days=1)


def registered(signer: EventSigner, **update: object) -> KeyRecord:
    record = KeyRecord.new(signer.agency_id, signer.private_key.public_key(), AT)
    return record.model_copy(update=update)


def ring_of(*records: KeyRecord) -> KeyRing:
    ring = KeyRing()
    for offset, record in enumerate(records):
        ring.apply(record.key_id.encode(), record.to_json(), offset)
    return ring


def event(signer: EventSigner | None, ingested_at: datetime = AT) -> DossierChange:
    change = dossier_change("H41-0001", 2)
    envelope = change.envelope.model_copy(
        update={
            "ingested_at": ingested_at,
            "signature_key_id": None if signer is None else signer.key_id,
        }
    )
    return change.model_copy(update={"envelope": envelope})


def record_of(change: DossierChange, signer: EventSigner | None, value: bytes) -> SignedRecord:
    key = change.envelope.entity_key.encode()
    signature = None if signer is None else signer.sign(TOPIC, key, value)
    return SignedRecord(TOPIC, key, value, signature)


def check(ring: KeyRing, change: DossierChange, record: SignedRecord) -> KeyRecord | None:
    return check_event(ring, record, change.envelope, now=NOW, require_signatures=True)


VALUE = b"\x00\x00\x00\x00\x01framed-event"


def test_an_event_signed_by_a_live_key_of_its_agency_is_trusted() -> None:
    change = event(OLD)
    trusted = check(ring_of(registered(OLD)), change, record_of(change, OLD, VALUE))
    assert trusted is not None and trusted.key_id == OLD.key_id


@pytest.mark.parametrize(
    ("ring", "signer", "refusal"),
    [
        (ring_of(registered(OLD)), None, UnsignedEventError),
        (ring_of(registered(OLD)), NEW, UnknownKeyError),
        (ring_of(registered(OLD, revoked_at=AT + timedelta(hours=1))), OLD, RevokedKeyError),
        (ring_of(registered(OLD, retired_at=AT - timedelta(seconds=1))), OLD, RetiredKeyError),
    ],
)
def test_refusals(ring: KeyRing, signer: EventSigner | None, refusal: type[Exception]) -> None:
    change = event(signer)
    with pytest.raises(refusal):
        check(ring, change, record_of(change, signer, VALUE))


def test_an_agency_cannot_sign_for_another() -> None:
    change = event(OTHER)  # claims H41, signed with G12's key
    with pytest.raises(WrongAgencyError, match=f"belongs to agency {G12}"):
        check(ring_of(registered(OTHER)), change, record_of(change, OTHER, VALUE))


def test_a_changed_value_is_refused_with_its_key_id() -> None:
    change = event(OLD)
    record = record_of(change, OLD, VALUE)
    tampered = SignedRecord(TOPIC, record.key, VALUE[:-1] + b"X", record.signature)
    with pytest.raises(BadSignatureError, match=OLD.key_id):
        check(ring_of(registered(OLD)), change, tampered)


def test_half_a_signature_is_refused_even_when_signatures_are_optional() -> None:
    ring = ring_of(registered(OLD))
    named_only = event(OLD)
    with pytest.raises(UnsignedEventError, match="carries no signature"):
        check_event(
            ring,
            record_of(named_only, None, VALUE),
            named_only.envelope,
            now=NOW,
            require_signatures=False,
        )
    unsigned = event(None)
    assert (
        check_event(
            ring,
            record_of(unsigned, None, VALUE),
            unsigned.envelope,
            now=NOW,
            require_signatures=False,
        )
        is None
    )


def test_a_header_naming_another_key_than_the_envelope_is_refused() -> None:
    change = event(OLD)
    record = record_of(change, OLD, VALUE)
    mismatched = SignedRecord(TOPIC, record.key, VALUE, record.signature, NEW.key_id)
    with pytest.raises(BadSignatureError, match="header names key"):
        check(ring_of(registered(OLD)), change, mismatched)


def test_after_a_rotation_old_events_verify_and_new_ones_need_the_new_key() -> None:
    rotated_at = AT + timedelta(hours=1)
    ring = ring_of(registered(OLD, retired_at=rotated_at), registered(NEW))
    before = event(OLD, ingested_at=rotated_at - timedelta(seconds=1))
    assert check(ring, before, record_of(before, OLD, VALUE)) is not None
    after_old = event(OLD, ingested_at=rotated_at)
    with pytest.raises(RetiredKeyError):
        check(ring, after_old, record_of(after_old, OLD, VALUE))
    after_new = event(NEW, ingested_at=rotated_at + timedelta(seconds=1))
    assert check(ring, after_new, record_of(after_new, NEW, VALUE)) is not None


def test_a_revocation_refuses_events_signed_before_it() -> None:
    ring = ring_of(registered(OLD, revoked_at=AT + timedelta(hours=2), reason="laptop stolen"))
    early = event(OLD, ingested_at=AT)
    with pytest.raises(RevokedKeyError, match="laptop stolen"):
        check(ring, early, record_of(early, OLD, VALUE))


def test_a_revocation_is_final_and_the_latest_offset_wins() -> None:
    revoked = registered(OLD, revoked_at=AT, reason="compromised")
    ring = ring_of(registered(OLD), revoked, registered(OLD))
    assert ring.get(OLD.key_id) is not None
    assert ring.records()[0].status(NOW) is KeyStatus.REVOKED
    stale = KeyRing()
    stale.apply(OLD.key_id.encode(), revoked.to_json(), 5)
    stale.apply(OLD.key_id.encode(), registered(OLD, agency_id=G12).to_json(), 3)
    assert stale.records()[0].agency_id == H41  # an older record read again changes nothing


def test_a_tombstone_removes_a_key() -> None:
    ring = ring_of(registered(OLD))
    ring.apply(OLD.key_id.encode(), None, 7)
    assert ring.get(OLD.key_id) is None


def test_a_record_claiming_another_keys_id_is_refused() -> None:
    forged = registered(OLD).model_copy(update={"key_id": NEW.key_id})
    with pytest.raises(MalformedKeyRecordError, match="not the id of its public key"):
        KeyRing().apply(NEW.key_id.encode(), forged.to_json(), 0)


def test_current_keys_leave_out_retired_and_revoked_ones() -> None:
    ring = ring_of(
        registered(OLD, retired_at=AT),
        registered(NEW),
        registered(OTHER),
    )
    assert [r.key_id for r in ring.current_keys(H41, NOW)] == [NEW.key_id]


def test_every_refusal_is_a_dead_letter_at_the_signature_stage() -> None:
    assert UntrustedEventError("x").stage == "SIGNATURE"
