"""Per-connector counters in the Prometheus text format, served by `lienthong connect run`."""

from collections.abc import Sequence
from datetime import datetime

from aiohttp import web

from connectors.runner import ConnectorRunner

__all__ = ["metrics_app", "render_metrics"]

_COUNTERS = (
    ("published", "Change events published (committed to Kafka)."),
    ("tombstones", "Tombstones published after deletes."),
    ("dead_lettered", "Source inputs sent to the dead-letter topic."),
    ("batches", "Kafka transactions committed."),
    ("failures", "Sessions ended by an unavailable source or Kafka, then retried."),
)


def render_metrics(runners: Sequence[ConnectorRunner]) -> str:
    lines: list[str] = []
    for field, help_text in _COUNTERS:
        name = f"lienthong_connector_{field}_total"
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} counter"]
        for runner in runners:
            lines.append(f"{name}{{{_labels(runner)}}} {getattr(runner.stats, field)}")
    name = "lienthong_connector_last_commit_timestamp_seconds"
    lines += [f"# HELP {name} When the connector last committed a batch.", f"# TYPE {name} gauge"]
    for runner in runners:
        lines.append(f"{name}{{{_labels(runner)}}} {_epoch(runner.stats.last_commit_at)}")
    return "\n".join(lines) + "\n"


def metrics_app(runners: Sequence[ConnectorRunner]) -> web.Application:
    async def metrics(_: web.Request) -> web.Response:
        return web.Response(text=render_metrics(runners), content_type="text/plain")

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    return app


def _labels(runner: ConnectorRunner) -> str:
    spec = runner.source.spec
    pairs = {"connector": spec.name, "kind": spec.kind, "agency": spec.agency}
    return ",".join(f'{key}="{_escaped(value)}"' for key, value in pairs.items())


def _escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _epoch(at: datetime | None) -> float:
    return 0.0 if at is None else at.timestamp()
