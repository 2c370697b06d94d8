"""The connector framework on a real broker, with a department kept in this test's memory:
the contract suite itself, plus what the runner adds (stored positions, receipts, encodings)."""

import asyncio
import json
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

import pytest

from connectors.contract import Change, Domain, Receipt, Rejected, Source, SourceItem
from connectors.offsets import read_committed_value
from connectors.runner import position_from_value
from connectors.spec import ConnectorSpec
from lienthong.events import ChangeEvent, DossierChange, Operation
from lienthong.ids import ConnectorName
from lienthong.settings import Settings
from tests.factories import AT, dossier_change
from tests.integration.connector_contract import (
    ConnectorContract,
    published_events,
    running_connector,
    wait_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


@dataclass
class Department:
    """A department system's change log, in memory: what a source reads after a position."""

    items: list[SourceItem] = field(default_factory=list)
    grown: asyncio.Event = field(default_factory=asyncio.Event)

    def append(self, item: SourceItem) -> None:
        self.items.append(item)
        self.grown.set()


class DepartmentSource(Source):
    kind = "department-in-memory"

    def __init__(self, spec: ConnectorSpec, settings: Settings, department: Department) -> None:
        super().__init__(spec, settings)
        self.department = department

    async def read(self, after: str | None, stop: asyncio.Event) -> AsyncIterator[SourceItem]:
        index = int(after or 0)
        while not stop.is_set():
            items = self.department.items
            while index < len(items):
                item, index = items[index], index + 1
                yield _at(item, str(index))
            self.department.grown.clear()
            try:
                await asyncio.wait_for(self.department.grown.wait(), 0.1)
            except TimeoutError:
                pass


def _at(item: SourceItem, position: str) -> SourceItem:
    if isinstance(item, Change):
        return Change(**{**_fields(item), "position": position, "source_position": position})
    return Rejected(**{**_fields(item), "position": position, "source_position": position})


def _fields(item: SourceItem) -> dict[str, object]:
    return {name: getattr(item, name) for name in item.__dataclass_fields__}


def dossier_item(key: str, seq: int, receipt: Receipt | None = None) -> Change:
    dossier = dossier_change(key, seq).after
    assert dossier is not None
    return Change(
        domain=Domain.DOSSIERS,
        key=key,
        operation=Operation.CREATE if seq == 1 else Operation.UPDATE,
        version=seq,
        occurred_at=AT,
        after=dossier.model_dump(mode="json"),
        receipt=receipt,
    )


@dataclass
class DepartmentHarness:
    spec: ConnectorSpec
    settings: Settings
    department: Department = field(default_factory=Department)
    coalesces: bool = False

    def make_source(self) -> Source:
        return DepartmentSource(self.spec, self.settings, self.department)

    async def write(self, changes: Sequence[tuple[str, int]]) -> None:
        for key, seq in changes:
            self.department.append(dossier_item(key, seq))

    def seq_of(self, event: ChangeEvent) -> int:
        assert isinstance(event, DossierChange) and event.after is not None
        found = re.fullmatch(r"processing-v(\d+)", event.after.status)
        assert found is not None
        return int(found.group(1))

    async def write_invalid(self) -> str:
        entity = dict(dossier_item("broken", 1).after or {})
        del entity["applicant"]
        self.department.append(
            Change(Domain.DOSSIERS, "broken", Operation.CREATE, 1, AT, after=entity)
        )
        return "after.applicant: Field required"


def spec_for(settings: Settings, **update: object) -> ConnectorSpec:
    spec = ConnectorSpec(
        name=ConnectorName(f"{settings.connector.name}-mem"),
        kind=DepartmentSource.kind,
        agency="000.00.00.H41",
        system="motcua",
        domains=("dossiers",),
        batch_size=4,
    )
    return spec.model_copy(update=update)


@pytest.fixture
def harness(bus_settings: Settings) -> DepartmentHarness:
    return DepartmentHarness(spec_for(bus_settings), bus_settings)


class TestInMemoryDepartmentContract(ConnectorContract):
    pass


async def test_the_position_is_stored_with_the_batches_and_read_back(
    harness: DepartmentHarness, bus_settings: Settings
) -> None:
    await harness.write([("D-1", 1), ("D-2", 1), ("D-1", 2)])
    async with running_connector(harness.make_source(), bus_settings) as (runner, task):
        await wait_for(bus_settings, Domain.DOSSIERS, task, lambda found: len(found) == 3)
    assert runner.stats.position == "3"
    stored = await read_committed_value(bus_settings, harness.spec.name)
    assert position_from_value(stored) == "3"
    assert stored is not None and json.loads(stored)["source_agency"] == "000.00.00.H41"


async def test_a_receipt_answers_with_the_event_id_after_kafka_acknowledged(
    harness: DepartmentHarness, bus_settings: Settings
) -> None:
    async with running_connector(harness.make_source(), bus_settings) as (_, task):
        receipt = Receipt()
        harness.department.append(dossier_item("D-7", 1, receipt))
        event_id = await asyncio.wait_for(receipt.wait(), 60)
        rejected = Receipt()
        harness.department.append(
            Rejected(Domain.DOSSIERS, "not a dossier", "PARSE", b"{}", receipt=rejected)
        )
        assert await asyncio.wait_for(rejected.wait(), 60) is None
        events = await published_events(bus_settings, Domain.DOSSIERS)
        assert not task.done(), "a dead letter does not stop the connector"
    assert [p.event.envelope.event_id for p in events] == [event_id]


async def test_decomposed_text_is_published_in_nfc(
    harness: DepartmentHarness, bus_settings: Settings
) -> None:
    item = dossier_item("D-9", 1)
    entity = json.loads(json.dumps(item.after))
    entity["applicant"]["name"] = "Nguye\u0302\u0303n Va\u0306n Hoa\u0300"
    harness.department.append(Change(**{**_fields(item), "after": entity}))
    async with running_connector(harness.make_source(), bus_settings) as (_, task):
        events = await wait_for(bus_settings, Domain.DOSSIERS, task, lambda found: bool(found))
    change = events[0].event
    assert isinstance(change, DossierChange) and change.after is not None
    assert change.after.applicant.name == "Nguyễn Văn Hoà"
