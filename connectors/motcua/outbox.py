"""The one-stop-shop's outbox as a connector of the `outbox` kind, in its own payload format.

Its events keep the ids they always had (name-based on agency, system and outbox row id), so
a centre fed earlier from this outbox recognises every re-published row. connectors.yaml
says the same with `payload_format: motcua` (see connectors/examples/province.yaml); this
module builds that entry from the `LIENTHONG_SOURCE__*` and `LIENTHONG_CONNECTOR__*`
settings, for the tools that run the one-stop-shop pipeline on its own (benchmarks, tests).
"""

from typing import Any

from connectors.motcua.source_db import source_url
from connectors.outbox import OutboxSource
from connectors.runner import ConnectorRunner
from connectors.spec import ConnectorSpec
from lienthong.settings import Settings

__all__ = ["motcua_outbox_options", "motcua_outbox_runner", "motcua_outbox_spec"]


def motcua_outbox_options(dsn: str, **overrides: Any) -> dict[str, Any]:
    """The `options:` of an outbox connector on the one-stop-shop database at `dsn`."""
    return {
        "dsn": dsn,
        "payload_format": "motcua",
        "routes": {"dossier": "dossiers"},
        "columns": {"correlation_id": "correlation_id", "causation_id": "causation_id"},
        **overrides,
    }


def motcua_outbox_spec(settings: Settings) -> ConnectorSpec:
    """The connector the settings describe: its name, batch size and poll interval, and the
    one-stop-shop database (PostgreSQL when `source.dsn` is set, else the SQLite file)."""
    return ConnectorSpec(
        name=settings.connector.name,
        kind="outbox",
        agency=settings.source.agency_id,
        system=settings.source.system_id,
        domains=("dossiers",),
        batch_size=settings.connector.batch_size,
        options=motcua_outbox_options(
            source_url(settings), poll_interval_s=settings.connector.poll_interval_s
        ),
    )


def motcua_outbox_runner(settings: Settings) -> ConnectorRunner:
    return ConnectorRunner(OutboxSource(motcua_outbox_spec(settings), settings), settings)
