"""Connecting to a department database from its `dsn`, with the drivers this project ships."""

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from connectors.department_db import reader_engine, shown, sqlalchemy_url
from lienthong.errors import ConfigurationError
from lienthong.privacy import shown_dsn

__all__ = ["polling_engine", "sqlalchemy_url"]


def polling_engine(dsn: str) -> Engine:
    try:
        return reader_engine(make_url(sqlalchemy_url(dsn)), "dsn")
    except ArgumentError:
        # SQLAlchemy's message quotes the whole string, password included.
        raise ConfigurationError(f"dsn {shown_dsn(dsn)} is not a database URL") from None
    except ImportError as exc:
        raise ConfigurationError(f"cannot use dsn {_shown(dsn)}: {exc}") from exc


def _shown(dsn: str) -> str:
    try:
        return shown(make_url(sqlalchemy_url(dsn)))
    except (ArgumentError, ConfigurationError):
        return "(not a URL)"
