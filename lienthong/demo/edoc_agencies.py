"""The agencies exchanging e-documents: edXML packages and status packets written into the
folder the `edxml_folder` connector watches, as the document-management system drops them.

The folder is not a database the demo can compare with the centre, so the demo remembers
what it sent: each document's newest version, as the bus numbers versions (the newest
trace timestamp of its packages).
"""

import asyncio
from pathlib import Path

from sqlalchemy import Engine, select

from connectors.contract import Change, Domain
from connectors.edxml import changes_from_edxml
from connectors.edxml.folder_files import list_files
from connectors.edxml.simulated_sinks import write_atomically
from connectors.edxml.simulator import EdocSimulator, SimulatedInput
from connectors.stats import ConnectorStats
from lienthong.demo.snapshot import SyncState, compare_versions
from lienthong.ids import ConnectorName
from lienthong.settings import Settings
from streams.centre.document_kind import DOCUMENTS

__all__ = ["EdocAgencies", "edoc_inbox"]

_PATTERNS = ("*.edxml",)


def edoc_inbox(var_dir: Path) -> Path:
    return var_dir / "source" / "edoc" / "inbox"


class EdocAgencies:
    title = "e-documents"
    connector = ConnectorName("edoc-inbox")

    def __init__(self, settings: Settings, seed: int) -> None:
        self.inbox = edoc_inbox(settings.var_dir).resolve()
        self.inbox.mkdir(parents=True, exist_ok=True)
        self.variables = {"EDOC_INBOX": str(self.inbox)}
        self._simulator = EdocSimulator(seed)
        self._sent: dict[str, int] = {}
        """Document id to the newest version sent."""

    @property
    def activities(self) -> int:
        return self._simulator.counts.total()

    async def simulate(self, rate_per_s: float, events: int | None, stop: asyncio.Event) -> int:
        return await self._simulator.run(self._deliver, rate_per_s, events, stop)

    async def _deliver(self, made: SimulatedInput) -> None:
        await asyncio.to_thread(self._write, made)

    def _write(self, made: SimulatedInput) -> None:
        for change in changes_from_edxml(made.data, received_as=made.name):
            if isinstance(change, Change) and change.domain is Domain.DOCUMENTS:
                self._sent[change.key] = max(change.version, self._sent.get(change.key, 0))
        write_atomically(self.inbox, made.name, made.data)

    def sync(self, centre: Engine, connector: ConnectorStats) -> SyncState:
        """Every document sent is in the centre at its newest version; documents of earlier
        runs (the centre keeps them) are not this run's to compare."""
        sent = dict(self._sent)
        with centre.connect() as conn:
            rows = conn.execute(select(DOCUMENTS.c.document_id, DOCUMENTS.c.entity_version))
            in_centre = {key: version for key, version in rows if key in sent}
        waiting = len(list_files(self.inbox, _PATTERNS))
        return compare_versions("documents", sent, in_centre, pending=waiting)

    def close(self) -> None:
        return None
