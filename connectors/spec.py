"""connectors.yaml: which connectors run, per agency, with each kind's own options.

    defaults:                      # optional, merged under every connector
      agency: 000.00.00.H41
    connectors:
      - name: land-outbox
        kind: outbox
        agency: 000.00.00.G12
        system: vbdlis
        domains: [land_parcels]
        code_list: VN2025
        text_encoding: unicode     # or tcvn3 / vni for legacy systems
        signing_key: keys/000.00.00.G12.pem   # the agency's Ed25519 key (`lienthong keys`)
        options:
          dsn: ${LAND_DB_DSN}

`${NAME}` is replaced by the environment variable NAME (an error when unset), so secrets stay
out of the file. Key files are relative to the connectors file; each is read when the file is
loaded, so a missing or unreadable key stops the connectors before they start.
"""

import os
import re
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from lienthong.errors import ConfigurationError
from lienthong.events import AdminCodeList
from lienthong.ids import ConnectorName
from lienthong.trust.signers import load_signers

__all__ = ["ConnectorSpec", "ConnectorsFile", "TextEncoding", "load_connectors"]

_NAME = r"^[a-z0-9][a-z0-9._-]{0,62}$"
_DOMAINS = ("dossiers", "land_parcels", "documents", "document_statuses")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class TextEncoding(StrEnum):
    """How a source system stores Vietnamese text."""

    UNICODE = "unicode"
    TCVN3 = "tcvn3"
    """TCVN 5712:1993 (ABC), one byte per letter."""
    VNI = "vni"
    """VNI Windows: a base letter followed by a byte for its marks."""


class ConnectorSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: ConnectorName = Field(pattern=_NAME)
    """Unique on the bus: it names the stored position and the transactional id."""
    kind: str = Field(min_length=1)
    agency: str = Field(min_length=1)
    """The sending agency's electronic identifier (OrganId), e.g. 000.00.00.H41."""
    system: str = Field(min_length=1)
    domains: tuple[str, ...] = Field(min_length=1)
    code_list: AdminCodeList = AdminCodeList.VN2025
    """The administrative-unit code list the source's commune codes follow."""
    text_encoding: TextEncoding = TextEncoding.UNICODE
    batch_size: int = Field(default=500, ge=1, le=100_000)
    """Most source items in one Kafka transaction."""
    options: dict[str, Any] = Field(default_factory=dict)
    signing_key: Path | None = None
    """The agency's Ed25519 private key (PEM) its events are signed with; when unset, the
    setting LIENTHONG_TRUST__SIGNING_KEY_FILE, else its events go unsigned."""
    signing_keys: dict[str, Path] = Field(default_factory=dict)
    """Keys of other agencies whose changes this connector carries (push API callers), by
    agency id; a change of an agency with no key here is a dead letter."""

    @field_validator("domains")
    @classmethod
    def _known_domains(cls, domains: tuple[str, ...]) -> tuple[str, ...]:
        for domain in domains:
            if domain not in _DOMAINS:
                raise ValueError(
                    f"unknown domain {domain!r}; expected one of {', '.join(_DOMAINS)}"
                )
        return domains


class ConnectorsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defaults: dict[str, Any] = Field(default_factory=dict)
    connectors: list[ConnectorSpec] = Field(min_length=1)

    @field_validator("connectors")
    @classmethod
    def _unique_names(cls, connectors: list[ConnectorSpec]) -> list[ConnectorSpec]:
        seen: set[str] = set()
        for spec in connectors:
            if spec.name in seen:
                raise ValueError(f"connector name {spec.name!r} is used twice")
            seen.add(spec.name)
        return connectors


def load_connectors(path: Path, environ: dict[str, str] | None = None) -> ConnectorsFile:
    """Read and validate a connectors file; every problem is a ConfigurationError naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path} is not valid YAML: {_yaml_problem(exc)}") from exc
    if not isinstance(document, dict):
        raise ConfigurationError(f"{path} must hold a mapping with a `connectors:` list")
    document = _substitute(document, os.environ if environ is None else environ, path)
    defaults = document.get("defaults") or {}
    connectors = document.get("connectors")
    if isinstance(defaults, dict) and isinstance(connectors, list):
        document["connectors"] = [
            {**defaults, **entry} if isinstance(entry, dict) else entry for entry in connectors
        ]
    try:
        loaded = ConnectorsFile.model_validate(document)
    except ValidationError as exc:
        raise ConfigurationError(f"{path}: {_describe(exc)}") from exc
    loaded.connectors = [_with_readable_keys(spec, path.parent) for spec in loaded.connectors]
    return loaded


def _with_readable_keys(spec: ConnectorSpec, base: Path) -> ConnectorSpec:
    """The spec with its key files resolved against `base`, each read once to check it."""
    signing_key = None if spec.signing_key is None else base / spec.signing_key
    others = {agency: base / key for agency, key in spec.signing_keys.items()}
    try:
        load_signers(spec.agency, signing_key, others)
    except ConfigurationError as exc:
        raise ConfigurationError(f"connector {spec.name}: {exc}") from exc
    return spec.model_copy(update={"signing_key": signing_key, "signing_keys": others})


def _yaml_problem(error: yaml.YAMLError) -> str:
    """What is wrong and where, on one line (PyYAML's own message spans several)."""
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        return f"{error.problem} (line {mark.line + 1}, column {mark.column + 1})"
    return " ".join(str(error).split())


def _substitute(value: Any, environ: Any, path: Path) -> Any:
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in environ:
                raise ConfigurationError(f"{path} uses ${{{name}}}, which is not set")
            text: str = environ[name]
            return text

        return _VARIABLE.sub(replace, value)
    if isinstance(value, dict):
        return {key: _substitute(item, environ, path) for key, item in value.items()}
    if isinstance(value, list):
        return [_substitute(item, environ, path) for item in value]
    return value


def _describe(error: ValidationError) -> str:
    problems = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"])
        problems.append(f"{where}: {problem['msg']}")
    return "; ".join(problems)
