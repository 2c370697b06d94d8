"""The demo's connectors: connectors/examples/demo.yaml, its ${VARIABLES} set to the stores
of the simulated departments, one runner per entry."""

from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

from connectors.kinds import source_for
from connectors.runner import ConnectorRunner
from connectors.spec import load_connectors
from lienthong.demo.departments import Department
from lienthong.errors import ConfigurationError
from lienthong.settings import Settings

__all__ = ["demo_connectors_path", "demo_runners"]


def demo_connectors_path() -> Path:
    return Path(str(files("connectors").joinpath("examples", "demo.yaml")))


def demo_runners(settings: Settings, departments: Sequence[Department]) -> list[ConnectorRunner]:
    """A runner per connector of the file; every department must find its own there."""
    path = demo_connectors_path()
    variables = {name: value for d in departments for name, value in d.variables.items()}
    specs = load_connectors(path, variables).connectors
    named = {spec.name for spec in specs}
    for department in departments:
        if department.connector not in named:
            raise ConfigurationError(
                f"{path} has no connector {department.connector} for the {department.title}"
            )
    return [ConnectorRunner(source_for(spec, settings), settings) for spec in specs]
