"""The files of a watched folder: which are complete, in what order, and where they go after.

A file is read once it has kept its size and modification time across two polls: a writer
still appending changes them. Writers should still write `name.tmp` (a name the patterns do
not match) and then rename it into place, so a matching name never shows half a file even
when the writer pauses longer than a poll.
"""

import fnmatch
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from lienthong.errors import ConfigurationError

__all__ = [
    "CommittedFile",
    "FolderFile",
    "Outcome",
    "StableFiles",
    "decode_position",
    "list_files",
    "move_file",
    "position_entry",
    "position_of",
]


class Outcome(StrEnum):
    """Where a file goes once its transaction has committed."""

    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class FolderFile:
    name: str
    mtime_ns: int
    size: int

    @property
    def order(self) -> tuple[int, str]:
        return self.mtime_ns, self.name


@dataclass(frozen=True, slots=True)
class CommittedFile:
    """A file some committed position covers, and where it was headed."""

    file: FolderFile
    outcome: Outcome


def list_files(folder: Path, patterns: tuple[str, ...]) -> dict[str, FolderFile]:
    """The regular files directly in `folder` whose name matches a pattern."""
    found: dict[str, FolderFile] = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(".") or not _matches(entry.name, patterns):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                stat = entry.stat(follow_symlinks=False)
            except FileNotFoundError:  # moved away while listing
                continue
            found[entry.name] = FolderFile(entry.name, stat.st_mtime_ns, stat.st_size)
    return found


class StableFiles:
    """Remembers the last listing; a file is ready when it is unchanged since then."""

    def __init__(self) -> None:
        self._previous: dict[str, FolderFile] = {}

    def ready(self, listing: dict[str, FolderFile]) -> list[FolderFile]:
        """The complete files of `listing`, oldest first (modification time, then name)."""
        stable = [file for name, file in listing.items() if self._previous.get(name) == file]
        self._previous = listing
        return sorted(stable, key=lambda file: file.order)


def move_file(folder: Path, file: FolderFile, target_dir: Path) -> Path | None:
    """Move `file` into `target_dir` unless it changed since it was read (then it is new
    input and stays). Never overwrites: a name already there gets a numbered suffix."""
    source = folder / file.name
    try:
        stat = source.stat()
    except FileNotFoundError:
        return None
    if (stat.st_mtime_ns, stat.st_size) != (file.mtime_ns, file.size):
        return None
    target = target_dir / file.name
    number = 1
    while target.exists():
        target = target_dir / f"{file.name}.{number}"
        number += 1
    os.replace(source, target)
    return target


def position_entry(file: FolderFile, outcome: Outcome) -> str:
    """One file of a position, encoded once: positions are taken for every file read."""
    entry = [file.name, file.mtime_ns, file.size, outcome.value]
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def position_of(entries: Iterable[str]) -> str:
    """A position: the files read but not yet moved when it was taken, and where each goes."""
    return '{"files":[' + ",".join(entries) + "]}"


def decode_position(position: str | None, connector: str) -> list[CommittedFile]:
    if position is None:
        return []
    try:
        entries = json.loads(position)["files"]
        return [
            CommittedFile(FolderFile(str(name), int(mtime), int(size)), Outcome(outcome))
            for name, mtime, size, outcome in entries
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigurationError(
            f"connector {connector}: its stored position {position[:80]!r} is not an "
            "edxml_folder position; `lienthong connect forget` it to read the folder afresh"
        ) from exc


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    lowered = name.lower()
    return any(fnmatch.fnmatchcase(lowered, pattern.lower()) for pattern in patterns)
