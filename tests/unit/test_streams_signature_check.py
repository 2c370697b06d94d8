"""The worker's signature step without Kafka: a record's headers to a change or a dead letter
at the SIGNATURE stage, named so `lienthong dlq` tells the reasons apart."""

from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from connectors.headers import SIGNATURE_HEADER, SIGNATURE_KEY_HEADER
from lienthong.events import DossierChange
from lienthong.trust import EventSigner, KeyRecord, KeyRing
from streams.transforms import DeadLetter, ErrorStage, signed_record, unknown_key, verified
from tests.factories import AT, dossier_change

TOPIC, VALUE = "motcua.dossiers", b"framed"
SIGNER = EventSigner.of("000.00.00.H41", Ed25519PrivateKey.generate())


def change_signed_by(signer: EventSigner) -> DossierChange:
    change = dossier_change("HS-1", 1)
    envelope = change.envelope.model_copy(update={"signature_key_id": signer.key_id})
    return change.model_copy(update={"envelope": envelope})


def ring() -> KeyRing:
    keys = KeyRing()
    keys.put(KeyRecord.new(SIGNER.agency_id, SIGNER.private_key.public_key(), AT))
    return keys


def headers(signer: EventSigner, value: bytes = VALUE) -> list[tuple[str, bytes]]:
    signature = signer.sign(TOPIC, b"HS-1", value)
    return [(SIGNATURE_HEADER, signature), (SIGNATURE_KEY_HEADER, signer.key_id.encode())]


def test_a_signed_record_passes_as_its_change() -> None:
    change = change_signed_by(SIGNER)
    record = signed_record(TOPIC, b"HS-1", VALUE, headers(SIGNER))
    now = AT + timedelta(days=1)
    assert verified(change, record, ring(), now=now, require_signatures=True) is change


def test_a_changed_value_is_a_dead_letter_with_the_event_ids() -> None:
    change = change_signed_by(SIGNER)
    record = signed_record(TOPIC, b"HS-1", b"framEd", headers(SIGNER))
    now = AT + timedelta(days=1)
    letter = verified(change, record, ring(), now=now, require_signatures=True)
    assert isinstance(letter, DeadLetter)
    assert letter.stage is ErrorStage.SIGNATURE
    assert letter.exception_class == "lienthong.trust.errors.BadSignatureError"
    assert letter.event_id == str(change.envelope.event_id)
    assert not unknown_key(letter)


def test_an_unknown_key_is_told_apart_so_the_registry_is_read_again() -> None:
    stranger = EventSigner.of("000.00.00.H41", Ed25519PrivateKey.generate())
    record = signed_record(TOPIC, b"HS-1", VALUE, headers(stranger))
    now = AT + timedelta(days=1)
    letter = verified(change_signed_by(stranger), record, ring(), now=now, require_signatures=True)
    assert unknown_key(letter)
