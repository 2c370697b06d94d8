"""Where domain errors meet the terminal: one readable line on stderr and an exit code."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.text import Text

from lienthong.errors import ConfigurationError, LienthongError

__all__ = ["exit_on_error", "fail"]


def fail(message: str, exit_code: int) -> NoReturn:
    Console(stderr=True, soft_wrap=True).print(Text("error: ", style="bold red") + Text(message))
    raise typer.Exit(code=exit_code)


@contextmanager
def exit_on_error() -> Iterator[None]:
    """Domain errors become one readable line on stderr and their exit code, not a traceback."""
    try:
        yield
    except ValidationError as exc:
        fail(f"invalid LIENTHONG_* settings: {exc}", ConfigurationError.exit_code)
    except LienthongError as exc:
        fail(str(exc), exc.exit_code)
