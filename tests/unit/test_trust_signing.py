"""Signing a record's exact bytes: any changed byte of topic, key or value is refused."""

import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lienthong.errors import ConfigurationError
from lienthong.trust import (
    EventSigner,
    key_id_for,
    load_private_key,
    load_public_key,
    load_signers,
    public_key_pem,
    signature_valid,
    signed_message,
    write_private_key,
)

PRIVATE = Ed25519PrivateKey.generate()
SIGNER = EventSigner.of("000.00.00.H41", PRIVATE)
TOPIC, KEY, VALUE = "motcua.dossiers", b"H41-0001", b"\x00\x00\x00\x00\x07avro-bytes"


def flipped(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def test_a_signature_verifies_over_the_same_topic_key_and_value() -> None:
    signature = SIGNER.sign(TOPIC, KEY, VALUE)
    assert signature_valid(PRIVATE.public_key(), signature, TOPIC, KEY, VALUE)


@pytest.mark.parametrize("index", range(len(VALUE)))
def test_any_changed_byte_of_the_value_is_refused(index: int) -> None:
    signature = SIGNER.sign(TOPIC, KEY, VALUE)
    assert not signature_valid(PRIVATE.public_key(), signature, TOPIC, KEY, flipped(VALUE, index))


@pytest.mark.parametrize("index", range(len(KEY)))
def test_any_changed_byte_of_the_key_is_refused(index: int) -> None:
    signature = SIGNER.sign(TOPIC, KEY, VALUE)
    assert not signature_valid(PRIVATE.public_key(), signature, TOPIC, flipped(KEY, index), VALUE)


def test_another_topic_or_a_missing_key_is_refused() -> None:
    signature = SIGNER.sign(TOPIC, KEY, VALUE)
    public = PRIVATE.public_key()
    assert not signature_valid(public, signature, "land.parcels", KEY, VALUE)
    assert not signature_valid(public, signature, TOPIC, None, VALUE)
    assert not signature_valid(public, flipped(signature, 0), TOPIC, KEY, VALUE)


def test_parts_cannot_be_shifted_between_topic_key_and_value() -> None:
    assert signed_message("ab", b"c", b"d") != signed_message("a", b"bc", b"d")
    assert signed_message("a", b"", b"d") != signed_message("a", None, b"d")
    assert signed_message("a", b"b", b"cd") != signed_message("a", b"bc", b"d")


def test_another_agencys_key_does_not_verify() -> None:
    signature = SIGNER.sign(TOPIC, KEY, VALUE)
    other = Ed25519PrivateKey.generate().public_key()
    assert not signature_valid(other, signature, TOPIC, KEY, VALUE)


def test_the_key_id_is_derived_from_the_public_key() -> None:
    assert SIGNER.key_id == key_id_for(PRIVATE.public_key())
    assert len(SIGNER.key_id) == 32 and int(SIGNER.key_id, 16) >= 0
    assert key_id_for(Ed25519PrivateKey.generate().public_key()) != SIGNER.key_id


def test_the_private_key_never_shows_in_a_repr() -> None:
    assert "private_key" not in repr(SIGNER)


def test_a_private_key_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "000.00.00.H41.pem"
    write_private_key(path, PRIVATE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key_id_for(load_private_key(path).public_key()) == SIGNER.key_id


def test_a_public_key_file_loads_to_the_same_key_id(tmp_path: Path) -> None:
    path = tmp_path / "agency.pub.pem"
    path.write_bytes(public_key_pem(PRIVATE.public_key()))
    assert key_id_for(load_public_key(path)) == SIGNER.key_id


def test_an_unreadable_key_is_a_configuration_error_naming_only_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    with pytest.raises(ConfigurationError, match=r"cannot read the signing key .*missing\.pem"):
        load_signers("000.00.00.H41", missing)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n")
    with pytest.raises(ConfigurationError) as raised:
        load_private_key(garbage)
    assert "c2VjcmV0" not in str(raised.value)
    assert "garbage.pem" in str(raised.value)


def test_a_key_of_another_algorithm_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ec.pem"
    ec_key = ec.generate_private_key(ec.SECP256R1())
    path.write_bytes(
        ec_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(ConfigurationError, match="not an Ed25519 key"):
        load_private_key(path)
