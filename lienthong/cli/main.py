"""Entry point of the `lienthong` command: one sub-command group per role."""

import typer

from lienthong.cli.agencies import agencies_app
from lienthong.cli.audit import audit_app
from lienthong.cli.bench import bench_app
from lienthong.cli.centre import centre_app
from lienthong.cli.connect import connect_app
from lienthong.cli.connectors import connectors_app
from lienthong.cli.dashboard import dashboard
from lienthong.cli.demo import demo
from lienthong.cli.dev import dev_app
from lienthong.cli.dlq import dlq_app
from lienthong.cli.keys import keys_app
from lienthong.cli.lag import lag
from lienthong.cli.reconcile import reconcile
from lienthong.cli.registry import registry_app
from lienthong.cli.schemas import schemas_app
from lienthong.cli.simulate import simulate_app
from lienthong.cli.status import status
from lienthong.cli.streams import streams_app
from lienthong.cli.topics import topics_app

__all__ = ["app"]

app = typer.Typer(
    name="lienthong",
    help="Event-driven integration bus for a province's shared databases.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command()(demo)
app.command()(reconcile)
app.command()(dashboard)
app.command()(lag)
app.command()(status)
app.add_typer(topics_app, name="topics")
app.add_typer(dev_app, name="dev")
app.add_typer(connect_app, name="connect")
app.add_typer(connectors_app, name="connectors")
app.add_typer(simulate_app, name="simulate")
app.add_typer(streams_app, name="streams")
app.add_typer(registry_app, name="registry")
app.add_typer(schemas_app, name="schemas")
app.add_typer(bench_app, name="bench")
app.add_typer(dlq_app, name="dlq")
app.add_typer(centre_app, name="centre")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")
app.add_typer(agencies_app, name="agencies")
