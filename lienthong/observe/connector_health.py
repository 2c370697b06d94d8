"""The connectors as the status sees them, from the states they report on the status topic."""

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

from lienthong.observe.status_records import ComponentHealth
from lienthong.settings import Settings

if TYPE_CHECKING:
    from connectors.control import ConnectorState

__all__ = ["read_connectors"]

FAILING_STATES = frozenset({"FAILED", "UNASSIGNED"})
"""A connector in one of these is down; PAUSED and STOPPED are what an operator asked for."""


async def read_connectors(
    settings: Settings, now: datetime
) -> tuple[ComponentHealth, tuple["ConnectorState", ...]]:
    """Raises BusUnavailableError when Kafka does not answer, like every read of the bus."""
    try:
        from connectors.control import read_connector_states
    except ImportError:
        return ComponentHealth("connectors", True, "unknown: no connector states here"), ()
    states = tuple(await read_connector_states(settings))
    if not states:
        return ComponentHealth("connectors", True, "none reported"), ()
    heartbeat_s = settings.connector.heartbeat_every_s
    effective = {state.name: state.effective_state(now, heartbeat_s) for state in states}
    counts = Counter(effective.values())
    summary = ", ".join(f"{count} {state}" for state, count in sorted(counts.items()))
    failing = sorted(name for name, state in effective.items() if state in FAILING_STATES)
    if failing:
        return ComponentHealth("connectors", False, f"{summary}: {', '.join(failing)}"), states
    return ComponentHealth("connectors", True, summary), states
