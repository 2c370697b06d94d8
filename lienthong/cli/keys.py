"""`lienthong keys`: the agencies' signing keys in the key registry.

Private keys are written to files (owner-only) and never printed; the registry holds only
public keys.
"""

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.table import Table

from lienthong.cli.errors import exit_on_error
from lienthong.cli.observing import ONE_SHOT_TIMEOUT_S, echo_json, one_shot_settings
from lienthong.cli.tables import moment, stdout_console
from lienthong.settings import Settings
from lienthong.trust import KeyRecord, load_public_key
from lienthong.trust.key_files import PendingKey, new_pending_key
from lienthong.trust.registry_admin import (
    read_key_registry,
    register_key,
    revoke_key,
    rotate_key,
)

__all__ = ["keys_app"]

T = TypeVar("T")

keys_app = typer.Typer(
    help="Agencies' Ed25519 signing keys: generate, register, rotate, revoke.",
    no_args_is_help=True,
)

AgencyArgument = Annotated[str, typer.Argument(help="The agency's electronic id (OrganId).")]
OutOption = Annotated[
    Path, typer.Option("--out", help="Folder for <agency>.pem (private, 0600) and .pub.pem.")
]


@keys_app.command()
def generate(agency: AgencyArgument, out: OutOption) -> None:
    """Make a key pair for AGENCY and register its public key."""
    settings = _settings()
    with exit_on_error():
        pending = new_pending_key(out, agency, replace=False)
    public_key = pending.private_key.public_key()
    record = _registered(pending, register_key(settings, agency, public_key, _now()))
    typer.echo(f"key {record.key_id} registered for agency {agency}; private key in {pending.path}")


@keys_app.command()
def add(
    agency: AgencyArgument,
    public_key: Annotated[
        Path, typer.Option("--public-key", help="The agency's Ed25519 public key (PEM).")
    ],
) -> None:
    """Register a public key AGENCY made itself."""
    settings = _settings()
    with exit_on_error():
        key = load_public_key(public_key)
    record = _run(register_key(settings, agency, key, _now()))
    typer.echo(f"key {record.key_id} registered for agency {agency}")


@keys_app.command()
def rotate(agency: AgencyArgument, out: OutOption) -> None:
    """Replace AGENCY's key: a new one is registered, the current ones retire now."""
    settings = _settings()
    with exit_on_error():
        pending = new_pending_key(out, agency, replace=True)
    public_key = pending.private_key.public_key()
    rotation = _registered(pending, rotate_key(settings, agency, public_key, _now()))
    retired = ", ".join(r.key_id for r in rotation.retired) or "none"
    typer.echo(
        f"key {rotation.added.key_id} registered for agency {agency}; retired: {retired}; "
        f"private key in {pending.path}"
    )


@keys_app.command()
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key id, as `keys list` shows it.")],
    reason: Annotated[str, typer.Option("--reason", help="Why, e.g. `laptop stolen`.")],
) -> None:
    """Revoke a key: no event it signed is applied from now on, whenever it was signed."""
    settings = _settings()
    record = _run(revoke_key(settings, key_id, reason, _now()))
    typer.echo(f"key {record.key_id} of agency {record.agency_id} revoked at {record.revoked_at}")


@keys_app.command("list")
def list_keys(
    json_output: Annotated[bool, typer.Option("--json", help="One JSON array.")] = False,
) -> None:
    """Every registered key with its agency and status."""
    settings = _settings()
    records = _run(read_key_registry(settings)).records()
    now = _now()
    if json_output:
        echo_json([_document(record, now) for record in records])
        return
    table = Table("key id", "agency", "status", "added", "retired", "revoked", "reason")
    for r in records:
        retired, revoked = moment(r.retired_at), moment(r.revoked_at)
        row = (r.key_id, r.agency_id, r.status(now).value, moment(r.added_at), retired, revoked)
        table.add_row(*row, r.reason or "")
    stdout_console().print(table)


def _document(record: KeyRecord, now: datetime) -> dict[str, str | None]:
    return record.model_dump(mode="json") | {"status": record.status(now).value}


def _settings() -> Settings:
    settings = one_shot_settings()
    kafka = settings.kafka.model_copy(update={"request_timeout_s": ONE_SHOT_TIMEOUT_S})
    return settings.model_copy(update={"kafka": kafka})


def _now() -> datetime:
    return datetime.now(UTC)


def _run(work: Awaitable[T]) -> T:
    async def run() -> T:
        return await work

    with exit_on_error():
        return asyncio.run(run())


def _registered(pending: PendingKey, registering: Awaitable[T]) -> T:
    """Keep the new key file only once the registry has its public key."""
    try:
        result = _run(registering)
    except BaseException:
        pending.discard()
        raise
    pending.keep()
    return result
