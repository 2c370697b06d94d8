"""The demo's connectors: connectors/examples/demo.yaml, its ${VARIABLES} set to the stores
of the simulated departments, one runner per entry, each signing with its agency's key."""

from collections.abc import Mapping, Sequence
from importlib.resources import files
from pathlib import Path

from connectors.kinds import source_for
from connectors.runner import ConnectorRunner
from connectors.spec import ConnectorSpec, load_connectors
from lienthong.demo.departments import Department
from lienthong.errors import ConfigurationError
from lienthong.settings import Settings

__all__ = ["demo_connectors_path", "demo_runners", "demo_specs"]


def demo_connectors_path() -> Path:
    return Path(str(files("connectors").joinpath("examples", "demo.yaml")))


def demo_specs(departments: Sequence[Department]) -> list[ConnectorSpec]:
    """The file's connectors; every department must find its own there."""
    path = demo_connectors_path()
    variables = {name: value for d in departments for name, value in d.variables.items()}
    specs = load_connectors(path, variables).connectors
    named = {spec.name for spec in specs}
    for department in departments:
        if department.connector not in named:
            raise ConfigurationError(
                f"{path} has no connector {department.connector} for the {department.title}"
            )
    return specs


def demo_runners(
    settings: Settings, specs: Sequence[ConnectorSpec], signing_keys: Mapping[str, Path]
) -> list[ConnectorRunner]:
    """A runner per connector, signing with the key of its agency in `signing_keys`."""
    signed = [spec.model_copy(update={"signing_key": signing_keys[spec.agency]}) for spec in specs]
    return [ConnectorRunner(source_for(spec, settings), settings) for spec in signed]
