"""The demo's agencies sign their events: one Ed25519 key per agency under `<var>/keys`,
made on the first run and reused after, each registered in the key registry."""

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lienthong.settings import Settings
from lienthong.trust import load_private_key, write_private_key
from lienthong.trust.key_files import private_key_path
from lienthong.trust.registry_admin import register_key

__all__ = ["demo_signing_keys"]

log = structlog.get_logger(__name__)


async def demo_signing_keys(settings: Settings, agencies: Iterable[str]) -> dict[str, Path]:
    """Each agency's private key file, its public key in the registry."""
    folder = settings.var_dir / "keys"
    found: dict[str, Path] = {}
    for agency in sorted(set(agencies)):
        path = private_key_path(folder, agency)
        if path.exists():
            private_key = load_private_key(path)
        else:
            private_key = Ed25519PrivateKey.generate()
            write_private_key(path, private_key)
        record = await register_key(settings, agency, private_key.public_key(), datetime.now(UTC))
        log.info("agency signs its events", agency=agency, key_id=record.key_id)
        found[agency] = path
    return found
