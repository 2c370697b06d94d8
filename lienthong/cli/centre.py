"""`lienthong centre`: what the data integration centre holds, the scores the province is
judged on, and the links between dossiers, parcels and documents."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from lienthong.cli.errors import exit_on_error
from lienthong.errors import ConfigurationError
from lienthong.settings import Settings
from streams.centre import (
    documents_of_dossier,
    dossiers_of_parcel,
    open_centre,
    parcels_of_dossier,
    read_daily_scores,
    read_dossier,
    read_history,
    read_kind_counts,
    read_overdue,
    read_parcel,
    refresh_overdue,
)

__all__ = ["centre_app"]

centre_app = typer.Typer(
    help="Read the data integration centre: holdings, daily scores, overdue, links.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


@centre_app.command()
def status(json_output: JsonOption = False) -> None:
    """Per kind of entity: live rows, deleted entities and change events in the history."""
    with exit_on_error(), _centre() as engine:
        counts = {name: asdict(held) for name, held in read_kind_counts(engine).items()}
    if json_output:
        typer.echo(json.dumps(counts))
        return
    table = Table("kind", "live", "deleted", "history", title="The centre holds")
    for name, held in counts.items():
        table.add_row(name, *(f"{held[column]:,}" for column in ("live", "deleted", "history")))
    Console().print(table)


@centre_app.command()
def scores(
    since: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD.")] = None,
    json_output: JsonOption = False,
) -> None:
    """Dossiers received and resolved (on time, late) per day, procedure, agency, commune."""
    with exit_on_error():
        first, last = _day(since, "--since"), _day(until, "--until")
        with _centre() as engine:
            daily = read_daily_scores(engine, first, last)
    rows = [
        {**score.key._asdict(), **{k: v for k, v in asdict(score).items() if k != "key"}}
        for score in daily
    ]
    if json_output:
        typer.echo(json.dumps(rows, default=str, ensure_ascii=False))
        return
    columns = ["day", "procedure_code", "receiving_agency", "commune_code"]
    measures = ["received", "resolved", "resolved_on_time", "resolved_late"]
    table = Table(*columns, *measures, title="Dossiers per day (Vietnam calendar days)")
    for row in rows:
        table.add_row(*(str(row[c]) for c in columns), *(f"{row[m]:,}" for m in measures))
    Console().print(table)


@centre_app.command()
def overdue(json_output: JsonOption = False) -> None:
    """Recount the open dossiers past their due date now, per procedure, agency, commune."""
    with exit_on_error(), _centre() as engine:
        refresh_overdue(engine, datetime.now(UTC))
        counted = read_overdue(engine)
    rows = [asdict(count) for count in counted]
    if json_output:
        typer.echo(json.dumps(rows, default=str, ensure_ascii=False))
        return
    table = Table("procedure_code", "receiving_agency", "commune_code", "open", "overdue")
    for row in rows:
        table.add_row(
            row["procedure_code"],
            row["receiving_agency"],
            row["commune_code"],
            f"{row['open']:,}",
            f"{row['overdue']:,}",
        )
    Console().print(table)


@centre_app.command()
def dossier(
    dossier_no: Annotated[str, typer.Argument(help="The dossier number (MaHoSo).")],
    json_output: JsonOption = False,
) -> None:
    """A dossier as the centre holds it, its versions, the documents that answer it and the
    land parcel changes it caused."""
    with exit_on_error(), _centre() as engine:
        held = read_dossier(engine, dossier_no)
        history = read_history(engine, dossier_no)
        documents = documents_of_dossier(engine, dossier_no)
        parcels = parcels_of_dossier(engine, dossier_no)
    if held is None and not history:
        typer.echo(f"the centre has never seen dossier {dossier_no}", err=True)
        raise typer.Exit(code=1)
    report: dict[str, Any] = {
        "dossier_no": dossier_no,
        "status": None if held is None else held.status,
        "deleted": held is None,
        "versions": [(e.entity_version, e.operation.value) for e in history],
        "documents": documents,
        "parcel_changes": [(p.parcel_id, p.entity_version) for p in parcels],
    }
    _print(report, json_output)


@centre_app.command()
def parcel(
    parcel_id: Annotated[str, typer.Argument(help="The land register's parcel id.")],
    json_output: JsonOption = False,
) -> None:
    """A land parcel as the centre holds it and the dossiers that changed it."""
    with exit_on_error(), _centre() as engine:
        held = read_parcel(engine, parcel_id)
        links = dossiers_of_parcel(engine, parcel_id)
    if held is None and not links:
        typer.echo(f"the centre holds no parcel {parcel_id}", err=True)
        raise typer.Exit(code=1)
    report: dict[str, Any] = {
        "parcel_id": parcel_id,
        "parcel": None if held is None else held.model_dump(mode="json"),
        "changed_by": [
            {"dossier_no": link.dossier_no, "version": link.entity_version} for link in links
        ],
    }
    _print(report, json_output)


def _print(report: dict[str, Any], json_output: bool) -> None:
    if json_output:
        typer.echo(json.dumps(report, default=str, ensure_ascii=False))
        return
    for name, value in report.items():
        shown = (
            json.dumps(value, default=str, ensure_ascii=False)
            if not isinstance(value, str)
            else value
        )
        typer.echo(f"{name}: {shown}")


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(f"{option} wants a day as YYYY-MM-DD, got {text!r}") from None


@contextmanager
def _centre() -> Iterator[Engine]:
    settings = Settings()
    if settings.centre.dsn is None and not settings.centre_sqlite_path.exists():
        raise ConfigurationError(
            f"no centre at {settings.centre_sqlite_path}: run `lienthong demo` or "
            "`lienthong streams worker` first, or set LIENTHONG_CENTRE__DSN"
        )
    engine = open_centre(settings)
    try:
        yield engine
    finally:
        engine.dispose()
