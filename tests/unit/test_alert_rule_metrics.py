"""The alert rules only use metrics our processes export, and their thresholds follow the
settings' defaults they document."""

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from prometheus_client import CollectorRegistry

from connectors.metrics import connectors_registry
from lienthong.dashboard.exporter import BusCollector
from lienthong.dashboard.sample import DashboardState
from lienthong.registry.http_metrics import RegistryMetrics
from lienthong.registry.state import RegistryState
from lienthong.settings import ObserveSettings, StreamsSettings
from streams.metrics import WorkerMetrics
from tests.prometheus_text import exported_names
from tests.unit.dashboard_samples import bus_sample

ALERTS = Path(__file__).resolve().parents[2] / "docker" / "prometheus" / "alerts.yml"

PROMETHEUS_OWN = {"up"}
"""Written by Prometheus itself for every scrape target."""

_KEYWORDS = {"and", "or", "unless", "bool", "offset"}


def rule_expressions() -> list[str]:
    document = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    return [rule["expr"] for group in document["groups"] for rule in group["rules"]]


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (not functions, keywords or labels)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)
    expr = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    names = set()
    for match in re.finditer(r"\b([A-Za-z_:][A-Za-z0-9_:]*)\b(\s*\()?", expr):
        name, called = match.groups()
        if not called and name not in _KEYWORDS:
            names.add(name)
    return names


@dataclass
class LoadingStore:
    state: RegistryState = field(default_factory=RegistryState)
    ready: bool = False
    failure: str | None = None


def dashboard_registry() -> CollectorRegistry:
    """The bus-wide metrics the dashboard exports, over a sample of a busy bus."""
    registry = CollectorRegistry()
    state = DashboardState(bus_sample(), kafka_up=True)
    registry.register(BusCollector(lambda: state))
    return registry


def declared_names() -> set[str]:
    registries: list[CollectorRegistry] = [
        dashboard_registry(),
        connectors_registry([]),
        WorkerMetrics().registry,
        RegistryMetrics(LoadingStore()).registry,
    ]
    found = set(PROMETHEUS_OWN)
    for registry in registries:
        found |= exported_names(registry)
    return found


def test_metric_names_are_read_from_expressions() -> None:
    expr = 'sum by (group) (rate(a_total{x="b c"}[5m])) > 3 unless on (x) up{job="j"} == 0'
    assert metric_names(expr) == {"a_total", "up"}


def test_every_metric_an_alert_uses_is_exported_by_one_of_our_processes() -> None:
    used = set().union(*(metric_names(expr) for expr in rule_expressions()))
    assert {"lienthong_worker_dead_letters_total", "lienthong_connector_up", "up"} <= used
    assert used - declared_names() == set()


def test_the_thresholds_are_the_settings_defaults() -> None:
    expressions = "\n".join(rule_expressions())
    silent_s = ObserveSettings().silent_after_s
    assert f"lienthong_source_last_event_timestamp_seconds > {silent_s:g}" in expressions
    assert f'lienthong_consumer_group_members{{group="{StreamsSettings().app_id}"}}' in expressions
