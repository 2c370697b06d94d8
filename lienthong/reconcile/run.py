"""One reconciliation: both databases compared key by key, and optionally repaired."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from connectors.motcua.mapping import SourceIdentity
from connectors.motcua.source_db import create_source_engine
from lienthong.errors import ConfigurationError
from lienthong.privacy import load_data_protection
from lienthong.reconcile.compare import compare_states
from lienthong.reconcile.reading import centre_states, source_states
from lienthong.reconcile.repair import Repairer
from lienthong.reconcile.report import ReconcileReport, RepairReport
from lienthong.settings import Settings
from streams.centre.store import create_centre_engine

__all__ = ["reconcile"]


def reconcile(
    settings: Settings,
    *,
    repair: bool = False,
    chunk_size: int = 1000,
    sample_limit: int = 10,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ReconcileReport:
    """Compare the source's dossiers with the centre's; with `repair`, re-publish the drift."""
    _require_sqlite_file("source", settings.source.dsn is None, settings.source_sqlite_path)
    _require_sqlite_file("centre", settings.centre.dsn is None, settings.centre_sqlite_path)
    # The policy and key the worker stores with, so a hashed or masked field is no drift.
    protection = load_data_protection(settings)
    source = create_source_engine(settings)
    centre = create_centre_engine(settings)
    try:
        _require_tables(source, "source", ["dossiers", "outbox"] if repair else ["dossiers"])
        _require_tables(centre, "centre", ["dossiers"])
        report = ReconcileReport(_shown(source), _shown(centre), sample_limit)
        repairer = None
        if repair:
            report.repair = RepairReport(str(uuid.uuid4()), sample_limit)
            repairer = Repairer(source, report.repair, chunk_size=chunk_size, clock=clock)
        identity = SourceIdentity(settings.source.agency_id, settings.source.system_id)
        for comparison in compare_states(
            source_states(source, identity, protection, chunk_size=chunk_size),
            centre_states(centre, chunk_size=chunk_size),
        ):
            report.add(comparison)
            if repairer is not None:
                repairer.add(comparison)
        if repairer is not None:
            repairer.flush()
        return report
    finally:
        source.dispose()
        centre.dispose()


def _require_sqlite_file(side: str, is_sqlite: bool, path: Path) -> None:
    # Connecting would create an empty file, and every dossier would look missing or extra.
    if is_sqlite and not path.is_file():
        raise ConfigurationError(
            f"no {side} database at {path}: set LIENTHONG_VAR_DIR or LIENTHONG_"
            f"{side.upper()}__DSN (or __SQLITE_PATH)"
        )


def _require_tables(engine: Engine, side: str, tables: list[str]) -> None:
    try:
        present = set(inspect(engine).get_table_names())
    except SQLAlchemyError as exc:
        raise ConfigurationError(
            f"cannot open the {side} database {_shown(engine)}: {exc}"
        ) from exc
    if missing := [table for table in tables if table not in present]:
        raise ConfigurationError(
            f"the {side} database {_shown(engine)} has no {', '.join(missing)} table"
        )


def _shown(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
