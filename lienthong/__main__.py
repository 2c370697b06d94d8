"""`python -m lienthong` runs the command line, for processes the bus starts itself."""

from lienthong.cli.main import app

app()
