"""The `edxml_folder` kind: edXML packages and status packets dropped into a folder.

    - name: edoc-inbox
      kind: edxml_folder
      agency: 000.00.00.H41
      system: qlvb
      domains: [documents, document_statuses]
      options:
        path: /srv/edxml/inbox
        pattern: ["*.edxml", "*.xml"]   # the default
        poll_interval_s: 1.0
        done_dir: done                  # relative to path; the default
        failed_dir: failed              # the default
        attachments_dir: /srv/edxml/attachments   # optional claim-check store

Delivery guarantee: exactly once for `read_committed` consumers, provided writers give every
package a new name. A file is published (or dead-lettered) in a Kafka transaction and only
then moved to `done_dir` (or `failed_dir`), so a crash in between leaves it in the folder;
each position names the files read but not yet moved, and a restarted connector first moves
those the last committed position names, so they are not published twice. A file modified
after it was read is read again as new input. Should a position be lost, re-published
packages keep their event ids (name-based on the package), so consumers can drop repeats.

Order: files are read oldest first by (modification time, name), once they are complete:
unchanged across two polls. Writers should write `name.tmp` then rename it into place.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar
from uuid import UUID

import structlog
from pydantic import BaseModel

from connectors.contract import Change, Domain, Receipt, Rejected, Source, SourceItem
from connectors.edxml.attachments import AttachmentStore
from connectors.edxml.folder_files import (
    FolderFile,
    Outcome,
    StableFiles,
    decode_position,
    list_files,
    move_file,
    position_entry,
    position_of,
)
from connectors.edxml.folder_items import item_for_file
from connectors.edxml.folder_options import EdxmlFolderOptions
from connectors.spec import ConnectorSpec
from connectors.waiting import sleep_unless
from lienthong.errors import ConfigurationError
from lienthong.settings import Settings

__all__ = ["EdxmlFolderOptions", "EdxmlFolderSource"]

log = structlog.get_logger(__name__)

_FILES_PER_READ = 32
"""Files read and parsed per trip to a worker thread."""
_SETTLE_WAIT_S = 2.0
"""How long a new session or `close` waits for the outcome of files still in flight."""


@dataclass(slots=True)
class _InFlight:
    file: FolderFile
    position_entry: str
    """The file in a position, with where it goes if it commits as read (rejects: failed)."""
    waiter: "asyncio.Task[UUID | None]"


class EdxmlFolderSource(Source):
    kind: ClassVar[str] = "edxml_folder"
    Options: ClassVar[type[BaseModel]] = EdxmlFolderOptions

    def __init__(self, spec: ConnectorSpec, settings: Settings) -> None:
        super().__init__(spec, settings)
        options: EdxmlFolderOptions = self.options
        self._folder = options.path
        self._targets = {
            Outcome.DONE: options.under_path(options.done_dir),
            Outcome.FAILED: options.under_path(options.failed_dir),
        }
        store_dir = options.attachments_dir
        self._store = AttachmentStore(options.under_path(store_dir)) if store_dir else None
        self._rejects_to = Domain.DOCUMENTS if Domain.DOCUMENTS in self.domains else self.domains[0]
        self._max_in_flight = min(2 * spec.batch_size, 1000)
        """Bounds the files a position names, and so its size."""
        self._in_flight: dict[str, _InFlight] = {}
        self._stuck: set[FolderFile] = set()
        """Files that could not be moved: not read again by this process."""

    async def prepare(self) -> None:
        folders = [*self._targets.values(), *([self._store.root] if self._store else [])]
        await asyncio.to_thread(self._make_folders, folders)

    async def read(self, after: str | None, stop: asyncio.Event) -> AsyncIterator[SourceItem]:
        await self._forget_in_flight()
        committed = decode_position(after, self.name)
        moved = await asyncio.to_thread(self._move_all, [(c.file, c.outcome) for c in committed])
        if moved:
            log.info(
                "edxml files committed before a restart moved", connector=self.name, files=moved
            )
        stable = StableFiles()
        while not stop.is_set():
            await self._settle()
            listing = await asyncio.to_thread(list_files, self._folder, self.options.pattern)
            ready = [
                file
                for file in stable.ready(listing)
                if file.name not in self._in_flight and file not in self._stuck
            ]
            while ready and not stop.is_set():
                room = self._max_in_flight - len(self._in_flight)
                if room <= 0:
                    break
                chunk, ready = (
                    ready[: min(room, _FILES_PER_READ)],
                    ready[min(room, _FILES_PER_READ) :],
                )
                for file, items in await asyncio.to_thread(self._read_files, chunk):
                    for item in self._tracked(items, file):
                        yield item
            await self._pause(stop)

    async def close(self) -> None:
        await self._forget_in_flight()

    def _read_files(self, files: list[FolderFile]) -> list[tuple[FolderFile, list[SourceItem]]]:
        options: EdxmlFolderOptions = self.options
        return [
            (
                file,
                item_for_file(
                    self._folder / file.name,
                    file,
                    domain=self._rejects_to,
                    store=self._store,
                    max_bytes=options.max_file_bytes,
                ),
            )
            for file in files
        ]

    def _tracked(self, items: list[SourceItem], file: FolderFile) -> list[SourceItem]:
        """The items with the file's receipt and position on the last one: the file is safe
        to move once that one has committed."""
        if not items:
            return []
        last = items[-1]
        receipt = Receipt()
        outcome = Outcome.FAILED if isinstance(last, Rejected) else Outcome.DONE
        self._in_flight[file.name] = _InFlight(
            file, position_entry(file, outcome), asyncio.ensure_future(receipt.wait())
        )
        position = position_of(entry.position_entry for entry in self._in_flight.values())
        tracked: Change | Rejected = replace(last, position=position, receipt=receipt)
        return [*items[:-1], tracked]

    async def _settle(self) -> None:
        """Move the files whose transaction has ended; forget those that did not commit, so
        they are read again."""
        moves: list[tuple[FolderFile, Outcome]] = []
        for name, entry in list(self._in_flight.items()):
            waiter = entry.waiter
            if not waiter.done():
                continue
            del self._in_flight[name]
            if waiter.cancelled() or waiter.exception() is not None:
                continue
            moves.append((entry.file, Outcome.DONE if waiter.result() else Outcome.FAILED))
        if moves:
            await asyncio.to_thread(self._move_all, moves)

    async def _forget_in_flight(self) -> None:
        """Settle what a previous session left in flight; files with no outcome are read
        again (or moved by the position, if it covers them)."""
        waiters = [entry.waiter for entry in self._in_flight.values()]
        if waiters:
            await asyncio.wait(waiters, timeout=_SETTLE_WAIT_S)
        await self._settle()
        for entry in self._in_flight.values():
            entry.waiter.cancel()
        self._in_flight.clear()

    async def _pause(self, stop: asyncio.Event) -> None:
        """Until the next poll, or sooner when full and a file's transaction ends."""
        if len(self._in_flight) < self._max_in_flight:
            await sleep_unless(stop, self.options.poll_interval_s)
            return
        stopping = asyncio.ensure_future(stop.wait())
        waiters = {entry.waiter for entry in self._in_flight.values()}
        await asyncio.wait(
            {stopping, *waiters},
            timeout=self.options.poll_interval_s,
            return_when=asyncio.FIRST_COMPLETED,
        )
        stopping.cancel()

    def _make_folders(self, folders: list[Path]) -> None:
        if not self._folder.is_dir():
            raise ConfigurationError(f"connector {self.name}: no folder {self._folder}")
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)

    def _move_all(self, moves: list[tuple[FolderFile, Outcome]]) -> int:
        moved = 0
        for file, outcome in moves:
            try:
                if move_file(self._folder, file, self._targets[outcome]) is not None:
                    moved += 1
            except OSError as exc:
                self._stuck.add(file)
                log.error(
                    "edxml file published but not moved; it stays and is not read again",
                    connector=self.name,
                    file=file.name,
                    error=str(exc),
                )
        return moved
