"""The connectors' process endpoints, served by `lienthong connect run --metrics-port`.

- `/metrics`: per connector (labels connector, kind, agency) the counters of committed work,
  when it last committed, whether it is up (running without a pending error) and its state.
  Values are read from the runners when scraped, so the hot path counts nothing twice.
- `/livez`, `/readyz`: ready while every connector is running, paused or stopped; a
  connector still starting or failed makes the process not ready.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Final

from aiohttp import web
from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from connectors.control_records import FAILED, PAUSED, RUNNING, STARTING, STOPPED
from connectors.runner import ConnectorRunner
from lienthong.health import add_operational_routes, process_registry

__all__ = ["ConnectorCollector", "connector_readiness", "connectors_registry", "metrics_app"]

LABELS: Final = ("connector", "kind", "agency")

_COUNTERS: Final = (
    ("published", "Change events published (committed to Kafka)."),
    ("tombstones", "Tombstones published after deletes."),
    ("dead_lettered", "Source inputs sent to the dead-letter topic."),
    ("batches", "Kafka transactions committed."),
    ("failures", "Sessions ended by an unavailable source or Kafka, then retried."),
)
STATES: Final = (STARTING, RUNNING, PAUSED, STOPPED, FAILED)
READY_STATES: Final = frozenset({RUNNING, PAUSED, STOPPED})
"""A connector still starting (or retrying) or failed makes the process not ready."""


class ConnectorCollector(Collector):
    """Reads each runner's stats and state at scrape time."""

    def __init__(self, runners: Sequence[ConnectorRunner]) -> None:
        self._runners = runners

    def describe(self) -> Iterable[Metric]:
        return self._families([])

    def collect(self) -> Iterable[Metric]:
        return self._families(self._runners)

    def _families(self, runners: Sequence[ConnectorRunner]) -> list[Metric]:
        families: list[Metric] = []
        for field, help_text in _COUNTERS:
            counter = CounterMetricFamily(f"lienthong_connector_{field}", help_text, labels=LABELS)
            for runner in runners:
                counter.add_metric(_labels(runner), getattr(runner.stats, field))
            families.append(counter)
        last_commit = GaugeMetricFamily(
            "lienthong_connector_last_commit_timestamp_seconds",
            "When the connector last committed a batch (0: not yet).",
            labels=LABELS,
        )
        up = GaugeMetricFamily(
            "lienthong_connector_up",
            "1 while the connector runs without error; 0 paused, stopped, starting or failing.",
            labels=LABELS,
        )
        state = GaugeMetricFamily(
            "lienthong_connector_state",
            "1 for the connector's current state, 0 for the others.",
            labels=(*LABELS, "state"),
        )
        for runner in runners:
            labels = _labels(runner)
            current = runner.state
            last_commit.add_metric(labels, _epoch(runner.stats.last_commit_at))
            up.add_metric(labels, 1.0 if is_up(runner) else 0.0)
            for name in dict.fromkeys((*STATES, current)):  # a state not listed still shows
                state.add_metric([*labels, name], 1.0 if name == current else 0.0)
        return [*families, last_commit, up, state]


def is_up(runner: ConnectorRunner) -> bool:
    return runner.state == RUNNING and runner.last_error is None


def connectors_registry(runners: Sequence[ConnectorRunner]) -> CollectorRegistry:
    registry = process_registry()
    registry.register(ConnectorCollector(runners))
    return registry


def connector_readiness(runners: Sequence[ConnectorRunner]) -> str | None:
    """None when every connector is running, paused or stopped; else which are not."""
    waiting = [f"{r.name} is {r.state}" for r in runners if r.state not in READY_STATES]
    return "; ".join(waiting) or None


def metrics_app(runners: Sequence[ConnectorRunner]) -> web.Application:
    """The aiohttp app serving /metrics, /livez and /readyz for these runners."""

    async def readiness() -> str | None:
        return connector_readiness(runners)

    app = web.Application()
    add_operational_routes(app, connectors_registry(runners), readiness)
    return app


def _labels(runner: ConnectorRunner) -> list[str]:
    spec = runner.source.spec
    return [spec.name, spec.kind, spec.agency]


def _epoch(at: datetime | None) -> float:
    return 0.0 if at is None else at.timestamp()
