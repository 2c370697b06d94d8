"""Ed25519 keys as files and as key ids.

A key id is derived from the public key, so two keys never share one and an id cannot be
mistyped into another valid one: the first 16 bytes of SHA-256 over the raw 32-byte key.
"""

import hashlib
import os
from pathlib import Path
from typing import NewType

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lienthong.errors import ConfigurationError

__all__ = [
    "KeyId",
    "key_id_for",
    "load_private_key",
    "load_public_key",
    "private_key_pem",
    "public_key_pem",
    "raw_public_key",
    "write_private_key",
]

KeyId = NewType("KeyId", str)


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_for(public_key: Ed25519PublicKey) -> KeyId:
    return KeyId(hashlib.sha256(raw_public_key(public_key)).digest()[:16].hex())


def private_key_pem(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_key_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in a PEM file; ConfigurationError naming the file (never its
    content) when it cannot be read or holds something else."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"cannot read the signing key {path}: {exc.strerror}") from exc
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        # The library's message may quote the file; only its name is reported.
        raise ConfigurationError(
            f"the signing key {path} is not an unencrypted PEM private key"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(f"the signing key {path} is not an Ed25519 key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """The Ed25519 public key in a PEM file (SubjectPublicKeyInfo)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"cannot read the public key {path}: {exc.strerror}") from exc
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise ConfigurationError(f"{path} is not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigurationError(f"the public key in {path} is not an Ed25519 key")
    return key


def write_private_key(path: Path, private_key: Ed25519PrivateKey) -> None:
    """Write the key readable by its owner only, from the first byte (never world-readable,
    not even between a write and a chmod)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(private_key_pem(private_key))
    os.chmod(path, 0o600)  # an existing file keeps its mode through O_TRUNC
