"""`lienthong agencies`: the principals of a secure bus, their passwords and their ACLs.

Run as the admin (LIENTHONG_KAFKA__SASL_USERNAME and its password, as `dev up --secure`
prints them). A generated password is shown once, or written to a 0600 file instead.
"""

import asyncio
import json
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table

from lienthong.agencies import (
    AgencyDomain,
    NewPrincipal,
    Principal,
    ServiceRole,
    add_agency,
    add_service,
    list_principals,
    revoke_principal,
)
from lienthong.cli.errors import exit_on_error
from lienthong.cli.observing import one_shot_settings
from lienthong.devkafka.tls import write_private
from lienthong.errors import ConfigurationError

__all__ = ["agencies_app"]

T = TypeVar("T")

agencies_app = typer.Typer(
    help="Principals of the secure bus: one per agency, one per service, and their ACLs.",
    no_args_is_help=True,
)

PasswordFile = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        help="Write the generated password to this file (mode 0600) instead of printing it.",
    ),
]
PasswordFrom = Annotated[
    Path | None,
    typer.Option("--password-from", help="Use the password on the first line of this file."),
]


@agencies_app.command()
def add(
    agency_id: Annotated[str, typer.Argument(help="The agency's id, e.g. 000.00.00.H41.")],
    domain: Annotated[AgencyDomain, typer.Option(help="What the agency publishes.")],
    connector: Annotated[
        list[str] | None,
        typer.Option(help="A connector the agency runs (its transactional id); repeatable."),
    ] = None,
    password_file: PasswordFile = None,
    password_from: PasswordFrom = None,
) -> None:
    """Create (or reset) an agency's principal: it may publish to its domain's topics only."""
    settings = one_shot_settings()
    given = _given_password(password_from)
    created = _run(add_agency(settings, agency_id, domain, connector or [], given))
    _announce(created, f"agency {agency_id} ({domain})", password_file, given is not None)


@agencies_app.command("add-service")
def add_service_principal(
    role: Annotated[ServiceRole, typer.Argument(help="What the service does on the bus.")],
    name: Annotated[str, typer.Argument(help="Its principal, e.g. centre-worker.")],
    password_file: PasswordFile = None,
    password_from: PasswordFrom = None,
) -> None:
    """Create (or reset) the principal of the stream worker, the registry or an operator."""
    settings = one_shot_settings()
    given = _given_password(password_from)
    created = _run(add_service(settings, role, name, given))
    _announce(created, f"{role} {name}", password_file, given is not None)


@agencies_app.command("list")
def list_command(
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON array.")] = False,
) -> None:
    """Every principal with a SCRAM credential or an ACL, and what it may do."""
    settings = one_shot_settings()
    principals = _run(list_principals(settings))
    if json_output:
        typer.echo(json.dumps([_principal_json(p) for p in principals], ensure_ascii=False))
        return
    table = Table(title=f"Principals on {settings.kafka.bootstrap_servers}")
    for column in ("principal", "credential", "resource", "operations"):
        table.add_column(column)
    for principal in principals:
        credential = "SCRAM-SHA-512" if principal.has_credential else "none"
        rows = _grouped(principal) or [("(no ACL)", "")]
        for index, (resource, operations) in enumerate(rows):
            first = index == 0
            table.add_row(
                principal.name if first else "", credential if first else "", resource, operations
            )
    Console().print(table)


@agencies_app.command()
def revoke(
    name: Annotated[str, typer.Argument(help="The agency id or service principal.")],
) -> None:
    """Remove a principal's credential and every ACL: its clients are refused from now on."""
    settings = one_shot_settings()
    removed = _run(revoke_principal(settings, name))
    typer.echo(
        f"Revoked {name}: credential {'removed' if removed.has_credential else 'absent'}, "
        f"{len(removed.grants)} ACLs removed."
    )


def _run(step: Coroutine[Any, Any, T]) -> T:
    with exit_on_error():
        return asyncio.run(step)
    raise AssertionError("unreachable")  # exit_on_error exits on every error


def _given_password(path: Path | None) -> SecretStr | None:
    if path is None:
        return None
    with exit_on_error():
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigurationError(f"cannot read --password-from {path}: {exc.strerror}") from exc
        if not lines or not lines[0]:
            raise ConfigurationError(f"--password-from {path} is empty")
    return SecretStr(lines[0])


def _announce(created: NewPrincipal, what: str, password_file: Path | None, given: bool) -> None:
    typer.echo(f"Added {what}: principal User:{created.name}, {len(created.grants)} ACLs.")
    if given:
        return
    if password_file is not None:
        write_private(password_file, f"{created.password.get_secret_value()}\n".encode())
        typer.echo(f"Its password is in {password_file} (mode 0600).")
        return
    typer.echo("Its password, shown this once:")
    typer.echo(created.password.get_secret_value())


def _grouped(principal: Principal) -> list[tuple[str, str]]:
    by_resource: dict[str, list[str]] = {}
    for grant in principal.grants:
        pattern = "*" if grant.pattern_type.name == "PREFIXED" else ""
        resource = f"{grant.resource_type.name.lower()} {grant.resource_name}{pattern}"
        by_resource.setdefault(resource, []).append(grant.operation.name)
    return [(resource, ", ".join(ops)) for resource, ops in by_resource.items()]


def _principal_json(principal: Principal) -> dict[str, Any]:
    return {
        "principal": principal.name,
        "scram_credential": principal.has_credential,
        "acls": [
            {
                "resource_type": grant.resource_type.name,
                "resource_name": grant.resource_name,
                "pattern_type": grant.pattern_type.name,
                "operation": grant.operation.name,
                "permission": "ALLOW",
            }
            for grant in principal.grants
        ],
    }
