"""Which class implements each connector `kind:` of connectors.yaml.

Kinds are imported when used, so a process loads only the drivers its connectors need.
"""

import importlib

from pydantic import ValidationError

from connectors.building import describe_validation
from connectors.contract import Source
from connectors.spec import ConnectorSpec
from lienthong.errors import ConfigurationError
from lienthong.settings import Settings

__all__ = ["KINDS", "source_for"]

KINDS: dict[str, str] = {
    "outbox": "connectors.outbox:OutboxSource",
    "http": "connectors.http:HttpPushSource",
    "edxml_folder": "connectors.edxml:EdxmlFolderSource",
    "polling": "connectors.polling:PollingSource",
    "pgcdc": "connectors.pgcdc:PgCdcSource",
}
"""Kind name to `module:Class`."""


def source_for(spec: ConnectorSpec, settings: Settings) -> Source:
    """The source a connectors.yaml entry describes, its options validated."""
    target = KINDS.get(spec.kind)
    if target is None:
        known = ", ".join(sorted(KINDS)) or "none"
        raise ConfigurationError(
            f"connector {spec.name}: unknown kind {spec.kind!r} (known: {known})"
        )
    module_name, class_name = target.split(":")
    kind: type[Source] = getattr(importlib.import_module(module_name), class_name)
    try:
        return kind(spec, settings)
    except ValidationError as exc:  # the kind's options
        raise ConfigurationError(
            f"connector {spec.name} ({spec.kind}): options: {describe_validation(exc)}"
        ) from exc
    except ValueError as exc:
        raise ConfigurationError(f"connector {spec.name} ({spec.kind}): {exc}") from exc
