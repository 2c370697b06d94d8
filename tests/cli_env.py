"""The environment of a `lienthong` child process in tests: the test's Settings, as an
operator would export them in LIENTHONG_* variables."""

import os
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from lienthong.settings import Settings
from tests.conftest import REPO_ROOT

__all__ = ["lienthong_env"]

PREFIX = "LIENTHONG_"


def lienthong_env(settings: Settings, **overrides: str) -> dict[str, str]:
    """This process's environment without its LIENTHONG_* variables, then every field set on
    `settings`, the repository on PYTHONPATH, and `overrides` (full variable names) last."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(PREFIX)}
    # Only what was given, not defaulted: the child's defaults are the same.
    env |= _flattened(settings.model_dump(exclude_unset=True), PREFIX)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env | overrides


def _flattened(values: Mapping[str, Any], prefix: str) -> dict[str, str]:
    variables: dict[str, str] = {}
    for field, value in values.items():
        name = f"{prefix}{field.upper()}"
        if isinstance(value, Mapping):
            variables |= _flattened(value, f"{name}__")
        elif value is not None:  # every optional setting defaults to None: nothing to export
            variables[name] = _text(value)
    return variables


def _text(value: object) -> str:
    match value:
        case SecretStr():
            return value.get_secret_value()
        case bool():
            return "true" if value else "false"
        case Enum():
            return str(value.value)
        case str() | int() | float() | Path():
            return str(value)
    raise TypeError(f"no environment form for {type(value).__name__}: {value!r}")
