"""The key of keyed hashes. Hashes are stored for good and joined across kinds, so the key
must never change: a new key makes every stored hash unmatchable."""

import os
import secrets
from pathlib import Path
from typing import Final

from lienthong.errors import ConfigurationError
from lienthong.settings import Settings

__all__ = ["MIN_KEY_CHARS", "hash_key_file", "resolve_hash_key"]

MIN_KEY_CHARS: Final = 32
_ENV: Final = "LIENTHONG_PRIVACY__HASH_KEY"


def hash_key_file(settings: Settings) -> Path:
    return settings.var_dir / "privacy" / "hash.key"


def resolve_hash_key(settings: Settings) -> bytes:
    """The configured key; for a centre on SQLite without one, the key kept under var/,
    made on first use. A PostgreSQL centre must be given one: its workers, readers and
    `lienthong reconcile` may run on different hosts and must all hash alike."""
    given = settings.privacy.hash_key
    if given is not None:
        value = given.get_secret_value()
        if len(value) < MIN_KEY_CHARS:
            # Its length only: the key itself is never shown.
            raise ConfigurationError(
                f"{_ENV} has {len(value)} characters; it needs at least {MIN_KEY_CHARS}"
            )
        return value.encode("utf-8")
    if settings.centre.dsn is not None:
        raise ConfigurationError(
            f"the privacy policy hashes personal fields and the centre is on PostgreSQL: set "
            f"{_ENV} (at least {MIN_KEY_CHARS} characters, the same for every process that "
            "writes or compares the centre, and never changed)"
        )
    return _kept_key(hash_key_file(settings))


def _kept_key(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _create_once(path, secrets.token_hex(32))
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_KEY_CHARS:
        raise ConfigurationError(f"the privacy key in {path} is damaged (too short)")
    return key.encode("ascii")


def _create_once(path: Path, key: str) -> None:
    """Write the key readable by its owner only; when two processes start together, the
    first key written wins and both use it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(key + "\n")
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)
