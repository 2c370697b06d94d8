"""The one-stop-shop ("Một cửa điện tử"): its database, a simulator, and the mapping of its
outbox payload that the `outbox` kind applies (`payload_format: motcua`).

The connector itself is the `outbox` kind; `connectors.motcua.outbox` builds its entry from
the settings. It is not re-exported here: the outbox kind imports this package's mapping.
"""

from connectors.motcua.department import DeptDossier, DeptStep, OutboxEventType
from connectors.motcua.lifecycle import Action, Status
from connectors.motcua.mapping import SourceIdentity, event_id_for, to_dossier_change
from connectors.motcua.outbox_reader import OutboxReader, OutboxRow
from connectors.motcua.simulator import Activity, Simulator
from connectors.motcua.source_db import (
    create_source_engine,
    ensure_source_schema,
    write_change,
)

__all__ = [
    "Action",
    "Activity",
    "DeptDossier",
    "DeptStep",
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
