"""The external programs the development broker needs, found on PATH or refused clearly."""

import re
import shutil
from pathlib import Path

from lienthong.errors import ConfigurationError

__all__ = ["find_java", "find_maven", "output_tail"]

_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_EMPTY_LINES = frozenset({"", "[ERROR]"})
_JAVA_HINT = (
    "the development broker runs on a JDK 17 or newer: install one "
    "(e.g. `apt-get install openjdk-17-jdk-headless`) and put `java` on PATH"
)
_MAVEN_HINT = (
    "the development broker's jars are resolved from Maven Central with Maven 3.8 or newer: "
    "install it (e.g. `apt-get install maven`) and put `mvn` on PATH"
)


def _require(program: str, hint: str) -> Path:
    found = shutil.which(program)
    if found is None:
        raise ConfigurationError(f"`{program}` was not found on PATH; {hint}")
    return Path(found)


def find_java() -> Path:
    return _require("java", _JAVA_HINT)


def find_maven() -> Path:
    return _require("mvn", _MAVEN_HINT)


def output_tail(text: str, lines: int = 25) -> str:
    """The last lines of a program's output, indented to sit under an error message."""
    plain = _ANSI_ESCAPE.sub("", text)
    tail = [line for line in plain.splitlines() if line.strip() not in _EMPTY_LINES][-lines:]
    return "\n".join(f"    {line}" for line in tail) if tail else "    (no output)"
