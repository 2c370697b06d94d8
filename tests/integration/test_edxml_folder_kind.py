"""The `edxml_folder` kind on a real broker with real files: packages and status packets
land on their topics, broken files become dead letters in the failed folder, and a restart
neither loses nor repeats a file. Then the contract suite every kind passes."""

import asyncio
import hashlib
import itertools
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.contract import Domain
from connectors.dead_letter import ERRORS_EXCEPTION_MESSAGE, ERRORS_STAGE
from connectors.edxml import EdxmlFolderSource
from connectors.edxml.folder_files import StableFiles, list_files
from connectors.edxml.simulated_sinks import FolderSink, write_atomically
from connectors.edxml.simulator import EdocSimulator
from connectors.edxml.writing import package_xml
from connectors.kinds import source_for
from connectors.spec import ConnectorSpec
from lienthong.errors import ConfigurationError
from lienthong.events import (
    BusinessDocType,
    ChangeEvent,
    Document,
    DocumentChange,
    DocumentCode,
    DocumentStatusChange,
    DocumentStatusCode,
    DocumentType,
    Organization,
    PromulgationInfo,
    SignerInfo,
    TraceHeader,
)
from lienthong.events.edoc import OtherInfo
from lienthong.ids import ConnectorName
from lienthong.settings import Settings
from tests.integration.connector_contract import (
    ConnectorContract,
    kill,
    read_committed,
    running_connector,
    wait_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "edxml"
DOCUMENT_ID = "000.00.00.H41,2025/09/30,123/UBND-VP"
BASE = datetime(2025, 9, 30, 2, 0, tzinfo=UTC)


def folder_spec(settings: Settings, folder: Path, **options: Any) -> ConnectorSpec:
    return ConnectorSpec(
        name=ConnectorName(f"{settings.connector.name}-edxml"),
        kind="edxml_folder",
        agency="000.00.00.H41",
        system="qlvb",
        domains=("documents", "document_statuses"),
        batch_size=4,
        options={"path": str(folder), "poll_interval_s": 0.1, **options},
    )


def drop(folder: Path, name: str, data: bytes) -> Path:
    return write_atomically(folder, name, data)


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


async def settle(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not await asyncio.to_thread(condition):
        assert time.monotonic() < deadline, f"{what} within {seconds} s"
        await asyncio.sleep(0.1)


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


async def test_documents_and_statuses_land_on_their_topics_and_files_move_to_done(
    bus_settings: Settings, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    spec = folder_spec(bus_settings, inbox, attachments_dir=str(tmp_path / "attachments"))
    source = source_for(spec, bus_settings)
    assert isinstance(source, EdxmlFolderSource)
    drop(inbox, "01-document_new.edxml", sample("document_new.edxml"))
    drop(inbox, "02-status.xml", sample("status_processing.edxml"))
    drop(inbox, "03-revocation.EDXML", sample("revocation.edxml"))
    drop(inbox, "04-notes.txt", b"not a package: the pattern leaves it alone")
    async with running_connector(source, bus_settings) as (runner, task):
        found = await wait_for(bus_settings, Domain.DOCUMENTS, task, lambda e: len(e) >= 2)
        statuses = await wait_for(
            bus_settings, Domain.DOCUMENT_STATUSES, task, lambda e: len(e) >= 1
        )
        await settle(lambda: names(inbox) == ["04-notes.txt"], "files moved to done")
        assert runner.stats.published == 3 and runner.stats.dead_lettered == 0
    assert names(inbox / "done") == [
        "01-document_new.edxml",
        "02-status.xml",
        "03-revocation.EDXML",
    ]
    created, revoked = (p.event for p in found)
    assert isinstance(created, DocumentChange) and isinstance(revoked, DocumentChange)
    assert created.envelope.entity_key == revoked.envelope.entity_key == DOCUMENT_ID
    assert created.envelope.source_position == "01-document_new.edxml"
    assert revoked.after is not None
    assert revoked.after.business_doc_type is BusinessDocType.REVOCATION
    assert created.after is not None and len(created.after.attachments) == 2
    for ref in created.after.attachments:
        stored = Path(ref.uri.removeprefix("file://"))
        assert stored.is_relative_to(tmp_path / "attachments")
        assert hashlib.sha256(await asyncio.to_thread(stored.read_bytes)).hexdigest() == ref.sha256
    (status,) = (p.event for p in statuses)
    assert isinstance(status, DocumentStatusChange)
    assert status.status.status_code is DocumentStatusCode.PROCESSING_05
    assert status.envelope.entity_key == DOCUMENT_ID


async def test_broken_files_are_dead_lettered_and_moved_to_failed(
    bus_settings: Settings, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    spec = folder_spec(bus_settings, inbox, max_file_bytes=5000, failed_dir=str(tmp_path / "bad"))
    drop(inbox, "01-broken.edxml", sample("broken.edxml"))
    drop(inbox, "02-too-large.edxml", sample("document_new.edxml"))
    drop(inbox, "03-revocation.edxml", sample("revocation.edxml"))
    async with running_connector(EdxmlFolderSource(spec, bus_settings), bus_settings) as (
        runner,
        task,
    ):
        await wait_for(bus_settings, Domain.DOCUMENTS, task, lambda e: len(e) == 1)
        await settle(lambda: names(inbox) == [], "every file moved")
        assert runner.stats.dead_lettered == 2
    assert names(tmp_path / "bad") == ["01-broken.edxml", "02-too-large.edxml"]
    assert names(inbox / "done") == ["03-revocation.edxml"]
    topic = bus_settings.topics.dead_letter(bus_settings.topics.documents)
    broken, too_large = await read_committed(bus_settings, topic)
    reasons = [{k: v.decode() for k, v in r.headers} for r in (broken, too_large)]
    assert (
        "01-broken.edxml: the package is not well-formed XML"
        in reasons[0][ERRORS_EXCEPTION_MESSAGE]
    )
    assert reasons[0][ERRORS_STAGE] == "PARSE"
    assert broken.value == sample("broken.edxml"), "the dead letter keeps the file to fix it"
    assert "more than the 5000 allowed" in reasons[1][ERRORS_EXCEPTION_MESSAGE]
    assert too_large.value is not None and b"failed folder" in too_large.value


async def test_a_restart_resumes_without_losing_or_repeating_a_file(
    bus_settings: Settings, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    spec = folder_spec(bus_settings, inbox)
    harness = EdxmlHarness(spec, bus_settings, inbox)
    keys = [f"r{i}" for i in range(3)]
    await harness.write([(key, seq) for seq in (1, 2) for key in keys])
    async with running_connector(harness.make_source(), bus_settings) as (_, task):
        await wait_for(bus_settings, Domain.DOCUMENTS, task, lambda e: len(e) >= 2)
        await kill(task)
    await harness.write([(key, seq) for seq in (3, 4) for key in keys])
    async with running_connector(harness.make_source(), bus_settings) as (_, task):
        events = await wait_for(bus_settings, Domain.DOCUMENTS, task, lambda e: len(e) >= 12)
        await settle(lambda: names(inbox) == [], "every file moved")
    seen = sorted((harness.key_of(p.event), harness.seq_of(p.event)) for p in events)
    assert seen == sorted((key, seq) for key in keys for seq in range(1, 5)), "once each"
    assert len(names(inbox / "done")) == 12


async def test_files_committed_but_not_yet_moved_are_moved_on_restart_not_republished(
    bus_settings: Settings, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    spec = folder_spec(bus_settings, inbox)
    written = drop(inbox, "01-document_new.edxml", sample("document_new.edxml"))
    stat = written.stat()
    kept = tmp_path / "kept.edxml"
    shutil.copy2(written, kept)
    async with running_connector(EdxmlFolderSource(spec, bus_settings), bus_settings) as (_, task):
        await wait_for(bus_settings, Domain.DOCUMENTS, task, lambda e: len(e) == 1)
        await settle(lambda: names(inbox) == [], "the file moved")
    # As if the process had died between the commit and the move: the file is back, unchanged.
    shutil.copy2(kept, written)
    os.utime(written, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    async with running_connector(EdxmlFolderSource(spec, bus_settings), bus_settings) as (_, task):
        await settle(lambda: names(inbox) == [], "the committed file moved at start")
        drop(inbox, "02-revocation.edxml", sample("revocation.edxml"))
        events = await wait_for(bus_settings, Domain.DOCUMENTS, task, lambda e: len(e) >= 2)
    assert [p.event.envelope.source_position for p in events] == [
        "01-document_new.edxml",
        "02-revocation.edxml",
    ]


async def test_a_missing_folder_or_a_foreign_position_is_a_configuration_error(
    bus_settings: Settings, tmp_path: Path
) -> None:
    missing = EdxmlFolderSource(folder_spec(bus_settings, tmp_path / "nowhere"), bus_settings)
    with pytest.raises(ConfigurationError, match="no folder"):
        await missing.prepare()
    source = EdxmlFolderSource(folder_spec(bus_settings, tmp_path), bus_settings)
    with pytest.raises(ConfigurationError, match="not an edxml_folder position"):
        await anext(source.read('{"outbox_id": 17}', asyncio.Event()))


async def test_the_simulators_traffic_flows_through_the_folder_kind(
    bus_settings: Settings, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    simulator = EdocSimulator(seed=3)
    spec = folder_spec(bus_settings, inbox)
    async with running_connector(EdxmlFolderSource(spec, bus_settings), bus_settings) as (
        runner,
        task,
    ):
        made = await simulator.run(FolderSink(inbox).put, 200.0, 40, asyncio.Event())
        statuses = simulator.counts["status"]
        await wait_for(bus_settings, Domain.DOCUMENTS, task, lambda e: len(e) == made - statuses)
        await wait_for(bus_settings, Domain.DOCUMENT_STATUSES, task, lambda e: len(e) == statuses)
        await settle(lambda: names(inbox) == [], "every file moved")
        assert runner.stats.dead_lettered == 0
    assert len(names(inbox / "done")) == made == 40


def test_a_file_is_ready_only_once_unchanged_across_two_listings(tmp_path: Path) -> None:
    stable = StableFiles()
    growing = tmp_path / "b.edxml"
    growing.write_bytes(b"<edXML>")
    (tmp_path / "a.edxml").write_bytes(b"<edXML/>")
    (tmp_path / ".b.edxml.tmp").write_bytes(b"<ed")
    assert stable.ready(list_files(tmp_path, ("*.edxml",))) == [], "nothing on first sight"
    with growing.open("ab") as file:
        file.write(b"<more/>")
    ready = stable.ready(list_files(tmp_path, ("*.edxml",)))
    assert [f.name for f in ready] == ["a.edxml"], "a growing file waits"
    assert [f.name for f in stable.ready(list_files(tmp_path, ("*.edxml",)))] == [
        "a.edxml",
        "b.edxml",
    ]


@dataclass
class EdxmlHarness:
    """Writes one package per change: the harness key is the document's notation, the seq
    is in its content and its trace timestamp."""

    spec: ConnectorSpec
    settings: Settings
    folder: Path
    coalesces: bool = False
    _files: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def make_source(self) -> EdxmlFolderSource:
        return EdxmlFolderSource(self.spec, self.settings)

    async def write(self, changes: Sequence[tuple[str, int]]) -> None:
        def write_all() -> None:
            for key, seq in changes:
                drop(self.folder, f"{next(self._files):06d}.edxml", package_xml(document(key, seq)))

        await asyncio.to_thread(write_all)

    def seq_of(self, event: ChangeEvent) -> int:
        assert isinstance(event, DocumentChange) and event.after is not None
        assert event.after.content is not None
        return int(event.after.content.removeprefix("seq="))

    def key_of(self, event: ChangeEvent) -> str:
        assert isinstance(event, DocumentChange) and event.after is not None
        return event.after.code.notation

    async def write_invalid(self) -> str:
        await asyncio.to_thread(drop, self.folder, f"{next(self._files):06d}.edxml", b"<edXML>")
        return "not well-formed XML"


def document(key: str, seq: int) -> Document:
    sender = Organization(organ_id="000.00.00.H41", name="Ủy ban nhân dân tỉnh")
    return Document(
        document_id=f"000.00.00.H41,2025/09/30,1/{key}",
        from_organization=sender,
        to_organizations=(
            Organization(organ_id="000.00.12.H41", name="Sở Nông nghiệp và Môi trường"),
        ),
        code=DocumentCode(number="1", notation=key),
        promulgation=PromulgationInfo(place="Nghệ An", promulgation_date=date(2025, 9, 30)),
        document_type=DocumentType(type=1, type_name="Công văn"),
        subject=f"V/v kiểm thử kết nối, lần {seq}",
        content=f"seq={seq}",
        signer=SignerInfo(position="CHỦ TỊCH", full_name="Nguyễn Văn Đệ"),
        other_info=OtherInfo(),
        trace_headers=(TraceHeader(organ_id="000.00.00.H41", at=BASE + timedelta(seconds=seq)),),
        business_doc_type=BusinessDocType.NEW if seq == 1 else BusinessDocType.UPDATE,
    )


@pytest.fixture
def harness(bus_settings: Settings, tmp_path: Path) -> EdxmlHarness:
    inbox = tmp_path / "contract-inbox"
    inbox.mkdir()
    return EdxmlHarness(folder_spec(bus_settings, inbox), bus_settings, inbox)


class TestEdxmlFolderContract(ConnectorContract):
    pass
