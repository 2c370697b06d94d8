"""`lienthong audit`: check that the centre's history is as it was written.

Exit codes of `verify`: 0 intact, 1 tampered (one line per problem, the first ones), 2 no
centre to check.
"""

import json
from dataclasses import asdict
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError

from lienthong.cli.errors import exit_on_error, fail
from lienthong.errors import ConfigurationError
from lienthong.settings import Settings
from streams.centre import open_centre
from streams.centre.audit_verify import AuditReport, verify_audit

__all__ = ["audit_app"]

NO_CENTRE_EXIT = ConfigurationError.exit_code

audit_app = typer.Typer(
    help="The centre's hash-chained audit log of every change applied.",
    no_args_is_help=True,
)


@audit_app.command()
def verify(
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Walk the audit chain and the history: report edited, deleted or unrecorded rows."""
    with exit_on_error():
        report = _verified(Settings())
    if json_output:
        shown = [asdict(problem) for problem in report.problems]
        typer.echo(json.dumps(asdict(report) | {"intact": report.intact, "problems": shown}))
    elif report.intact:
        typer.echo(
            f"audit log intact: {report.audit_rows:,} audit entries and "
            f"{report.history_rows:,} history rows checked"
        )
    else:
        for problem in report.problems:
            typer.echo(problem.line)
        hidden = report.problem_count - len(report.problems)
        if hidden:
            typer.echo(f"... and {hidden:,} more")
        typer.echo(f"audit log TAMPERED: {report.problem_count:,} problems", err=True)
    if not report.intact:
        raise typer.Exit(code=1)


def _verified(settings: Settings) -> AuditReport:
    if settings.centre.dsn is None and not settings.centre_sqlite_path.exists():
        fail(f"no centre at {settings.centre_sqlite_path}: nothing to verify", NO_CENTRE_EXIT)
    try:
        engine = open_centre(settings)
        try:
            return verify_audit(engine)
        finally:
            engine.dispose()
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "no answer"
        fail(f"the centre's database cannot be read: {reason}", NO_CENTRE_EXIT)
