"""A connector kind for benchmarks: changes built beforehand, handed over as fast as the
runner takes them, so what is measured is the connector framework and Kafka alone."""

import asyncio
import time
from collections.abc import AsyncIterator, Sequence

from connectors.contract import Change, Domain, Source, SourceItem
from connectors.spec import ConnectorSpec
from lienthong.bench.records import dossier_changes
from lienthong.settings import Settings

__all__ = ["MemorySource", "bench_dossier_changes"]


def bench_dossier_changes(count: int, *, seed: int = 0) -> list[Change]:
    """`count` dossier changes as a source reads them: the dossier in its JSON shape, the
    position after each one its 1-based index."""
    changes = []
    for index, event in enumerate(dossier_changes(count, seed=seed), start=1):
        envelope = event.envelope
        changes.append(
            Change(
                domain=Domain.DOSSIERS,
                key=envelope.entity_key,
                operation=envelope.operation,
                version=envelope.entity_version,
                occurred_at=envelope.occurred_at,
                after=None if event.after is None else event.after.model_dump(mode="json"),
                before=None if event.before is None else event.before.model_dump(mode="json"),
                position=str(index),
                admin_unit_code=envelope.admin_unit_code,
                source_position=str(index),
            )
        )
    return changes


class MemorySource(Source):
    """Replays a list of changes held in memory, then waits for the stop.

    Delivery: exactly once for `read_committed` consumers; a position is an index into the
    list, so a restarted runner continues after the last committed change.
    """

    kind = "memory"

    def __init__(self, spec: ConnectorSpec, settings: Settings, changes: Sequence[Change]) -> None:
        super().__init__(spec, settings)
        self._changes = changes
        self.first_read_at: float | None = None
        """`time.perf_counter()` when the runner took the first change."""

    async def read(self, after: str | None, stop: asyncio.Event) -> AsyncIterator[SourceItem]:
        for change in self._changes[0 if after is None else int(after) :]:
            if self.first_read_at is None:
                self.first_read_at = time.perf_counter()
            yield change
        await stop.wait()
