"""The one-stop-shop ("Một cửa điện tử"): its database, a simulator, the outbox connector."""

from connectors.motcua.department import DeptDossier, DeptStep, OutboxEventType
from connectors.motcua.lifecycle import Action, Status
from connectors.motcua.mapping import SourceIdentity, event_id_for, to_dossier_change
from connectors.motcua.outbox import OutboxConnector
from connectors.motcua.outbox_reader import OutboxReader, OutboxRow
from connectors.motcua.simulator import Activity, Simulator
from connectors.motcua.source_db import (
    create_source_engine,
    ensure_source_schema,
    write_change,
)
from connectors.stats import ConnectorStats

__all__ = [
    "Action",
    "Activity",
    "ConnectorStats",
    "DeptDossier",
    "DeptStep",
    "OutboxConnector",
    "OutboxEventType",
    "OutboxReader",
    "OutboxRow",
    "Simulator",
    "SourceIdentity",
    "Status",
    "create_source_engine",
    "ensure_source_schema",
    "event_id_for",
    "to_dossier_change",
    "write_change",
]
