"""An agency's key pair in a folder: `<agency>.pem` (private, 0600) and `<agency>.pub.pem`.

A new key is written under a temporary name and moved into place only once the registry has
it, so a failed registration never replaces the key a connector signs with.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lienthong.errors import ConfigurationError
from lienthong.trust.keys import public_key_pem, write_private_key

__all__ = ["PendingKey", "new_pending_key", "private_key_path"]

_AGENCY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def private_key_path(folder: Path, agency_id: str) -> Path:
    if not _AGENCY.match(agency_id):
        raise ConfigurationError(
            f"agency id {agency_id!r} must be letters, digits, dots, dashes or underscores"
        )
    return folder / f"{agency_id}.pem"


@dataclass
class PendingKey:
    private_key: Ed25519PrivateKey = field(repr=False)
    path: Path
    """Where the private key will be once kept; the public key goes beside it."""
    _staged: Path = field(repr=False)

    @property
    def public_path(self) -> Path:
        return self.path.with_name(self.path.name.removesuffix(".pem") + ".pub.pem")

    def keep(self) -> None:
        self._staged.replace(self.path)
        self.public_path.write_bytes(public_key_pem(self.private_key.public_key()))

    def discard(self) -> None:
        self._staged.unlink(missing_ok=True)


def new_pending_key(folder: Path, agency_id: str, *, replace: bool) -> PendingKey:
    """A fresh key, staged beside where it goes; an existing key file is an error unless
    `replace` (a rotation)."""
    path = private_key_path(folder, agency_id)
    if path.exists() and not replace:
        raise ConfigurationError(f"{path} exists: rotate the agency's key instead")
    staged = path.with_name(f".{path.name}.new")
    private_key = Ed25519PrivateKey.generate()
    try:
        write_private_key(staged, private_key)
    except OSError as exc:
        raise ConfigurationError(f"cannot write {staged}: {exc.strerror}") from exc
    return PendingKey(private_key, path, staged)
