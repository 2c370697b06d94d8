"""Showing where a database is without showing its password."""

import re
from typing import Final

from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

__all__ = ["HIDDEN", "shown_dsn", "without_secrets"]

HIDDEN: Final = "***"
_USERINFO: Final = re.compile(r"(?P<user>[^:/@\s]*):[^/\s]*@")
_KEYWORD_PASSWORD: Final = re.compile(r"(?i)(password\s*=\s*)('[^']*'|\S+)")


def shown_dsn(dsn: str) -> str:
    """`postgresql://centre:***@db:5432/centre` for `postgresql://centre:s3cret@db:5432/centre`;
    libpq's `key=value` form gets `password=***`; text that is no URL at all is masked the
    same way rather than echoed."""
    try:
        return make_url(dsn).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        masked = _USERINFO.sub(lambda m: f"{m['user']}:{HIDDEN}@", dsn)
        return _KEYWORD_PASSWORD.sub(lambda m: f"{m.group(1)}{HIDDEN}", masked)


def without_secrets(message: str, *secrets: str | None) -> str:
    """`message` (a driver's error, say) with every given secret replaced by `***`."""
    for secret in secrets:
        if secret:
            message = message.replace(secret, HIDDEN)
    return message
