"""Several registry instances on one topic, and restarts: ids are never lost, never shared.

Instances run as operators run them, `python -m lienthong registry serve` configured by
LIENTHONG_* variables, stopped with SIGTERM and required to exit 0. The fencing test drives
two stores in-process, to order their steps exactly.
"""

import asyncio
import json
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from lienthong.ids import Subject, TopicName
from lienthong.registry.avro_schemas import ParsedSchema, parse_schema
from lienthong.registry.compatibility import CompatibilityLevel
from lienthong.registry.state import RegistryState, SchemaVersion
from lienthong.registry.store import SchemaStore
from lienthong.registry.writer import SchemaLogWriter, WriterFencedError
from lienthong.registry.writes import Decision, register_schema
from lienthong.settings import RegistrySettings, Settings
from tests.cli_env import lienthong_env
from tests.conftest import free_port

pytestmark = pytest.mark.integration

WAIT_S = 60.0
STOP_S = 30.0
JSON = {"Content-Type": "application/vnd.schemaregistry.v1+json"}
T = TypeVar("T")


def schema(*fields: str) -> str:
    body = [{"name": name, "type": "string", "default": ""} for name in fields]
    return json.dumps({"type": "record", "name": "Dossier", "fields": body})


@pytest.fixture
def settings(bus_settings: Settings) -> Settings:
    registry = RegistrySettings(
        port=free_port(), topic=TopicName(f"_schemas_{uuid.uuid4().hex[:10]}"), request_timeout_s=30
    )
    return bus_settings.model_copy(update={"registry": registry})


def on_port(settings: Settings, port: int) -> Settings:
    return settings.model_copy(
        update={"registry": settings.registry.model_copy(update={"port": port})}
    )


class Instance:
    def __init__(self, process: asyncio.subprocess.Process, url: str, log_path: Path) -> None:
        self.process, self.url, self.log_path = process, url, log_path
        self.http = aiohttp.ClientSession(base_url=url, timeout=aiohttp.ClientTimeout(total=WAIT_S))

    def log(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    async def call(self, method: str, path: str, body: object = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body)
        async with self.http.request(method, path, data=data, headers=JSON) as response:
            return response.status, await response.json(content_type=None)

    async def register(self, subject: str, text: str) -> int:
        status, body = await self.call("POST", f"/subjects/{subject}/versions", {"schema": text})
        assert status == 200, (body, self.log())
        return int(body["id"])

    async def wait_ready(self) -> None:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            if self.process.returncode is not None:
                pytest.fail(f"registry exited {self.process.returncode} before ready\n{self.log()}")
            try:
                if (await self.call("GET", "/_ready"))[0] == 200:
                    return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
        pytest.fail(f"registry not ready within {WAIT_S}s\n{self.log()}")


@asynccontextmanager
async def instance(settings: Settings, log_path: Path) -> AsyncIterator[Instance]:
    """`lienthong registry serve` in a subprocess, ready; SIGTERM on exit, which must end it
    with 0."""
    env = lienthong_env(settings, LIENTHONG_LOG__JSON_LINES="true")
    with log_path.open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "lienthong",
            "registry",
            "serve",
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    running = Instance(process, f"http://127.0.0.1:{settings.registry.port}", log_path)
    try:
        await running.wait_ready()
        yield running
    finally:
        await running.http.close()
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(process.wait(), STOP_S)
        except TimeoutError:
            process.kill()
            await process.wait()
            pytest.fail(f"registry ignored SIGTERM for {STOP_S}s\n{running.log()}")
    assert code == 0, f"registry exited {code}\n{running.log()}"


async def snapshot(registry: Instance) -> dict[str, Any]:
    """Everything the registry knows, soft-deleted versions included."""
    view: dict[str, Any] = {"config": await registry.call("GET", "/config")}
    for subject in (await registry.call("GET", "/subjects?deleted=true"))[1]:
        versions = (await registry.call("GET", f"/subjects/{subject}/versions?deleted=true"))[1]
        view[subject] = {
            "config": await registry.call("GET", f"/config/{subject}"),
            "live": (await registry.call("GET", f"/subjects/{subject}/versions"))[1],
            "versions": [
                (await registry.call("GET", f"/subjects/{subject}/versions/{v}?deleted=true"))[1]
                for v in versions
            ],
        }
    ids = {entry["id"] for s, v in view.items() if s != "config" for entry in v["versions"]}
    view["ids"] = {i: (await registry.call("GET", f"/schemas/ids/{i}"))[1] for i in sorted(ids)}
    return view


async def test_a_restarted_registry_keeps_every_id_and_version(
    settings: Settings, tmp_path: Path
) -> None:
    log_path = tmp_path / "registry.log"
    async with instance(settings, log_path) as first:
        for n in range(3):
            for fields in (("a",), ("a", "b"), ("a", "b", "c")):
                await first.register(f"subject-{n}-value", schema(*fields, f"n{n}"))
        await first.call("PUT", "/config/subject-1-value", {"compatibility": "FULL"})
        await first.call("PUT", "/config", {"compatibility": "FORWARD"})
        assert (await first.call("DELETE", "/subjects/subject-0-value/versions/2"))[0] == 200
        assert (await first.call("DELETE", "/subjects/subject-2-value"))[0] == 200
        before = await snapshot(first)
    assert sorted(before["ids"]) == list(range(1, 10))

    async with instance(on_port(settings, free_port()), log_path) as second:
        assert await snapshot(second) == before
        assert await second.register("subject-1-value", schema("a", "b", "c", "d", "n1")) == 10


async def test_two_instances_agree_under_concurrent_registrations(
    settings: Settings, tmp_path: Path
) -> None:
    other = on_port(settings, free_port())
    async with (
        instance(settings, tmp_path / "a.log") as a,
        instance(other, tmp_path / "b.log") as b,
    ):
        jobs: list[tuple[Instance, str, str]] = []
        for n in range(60):
            text = schema(f"f{n}")
            jobs.append(((a, b)[n % 2], f"subject-{n % 3}-value", text))
        # The same schema sent to both at once must get one id.
        jobs += [(a, "shared-value", schema("shared")), (b, "shared-value", schema("shared"))]
        ids = await asyncio.gather(*(registry.register(s, text) for registry, s, text in jobs))

        assert ids[-1] == ids[-2]
        distinct = {text: i for (_, _, text), i in zip(jobs, ids, strict=True)}
        assert sorted(distinct.values()) == list(range(1, 62))  # no id twice, none skipped

        views = await settle(lambda: snapshot(a), lambda: snapshot(b))
        for view in views:
            assert {i: json.loads(v["schema"]) for i, v in view["ids"].items()} == {
                i: json.loads(parse_schema(t).text) for t, i in distinct.items()
            }
            for n in range(3):
                versions = view[f"subject-{n}-value"]["versions"]
                assert [v["version"] for v in versions] == list(range(1, 21))
    logs = (tmp_path / "a.log").read_text() + (tmp_path / "b.log").read_text()
    assert "registry write retried" in logs, "the instances never contended for the writer"


async def settle(*reads: Callable[[], Any]) -> list[Any]:
    """Every instance's view, once they are equal (a read may lag another's write briefly)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        views = [await read() for read in reads]
        if all(view == views[0] for view in views) or time.monotonic() > deadline:
            assert all(view == views[0] for view in views), "instances disagree"
            return views
        await asyncio.sleep(0.2)


async def test_a_fenced_writer_cannot_commit_a_stale_decision(settings: Settings) -> None:
    a, b = SchemaStore(settings), SchemaStore(settings)
    subject = Subject("s-value")
    mine, theirs = parse_schema(schema("mine")), parse_schema(schema("theirs"))

    def register(parsed: ParsedSchema) -> Callable[[RegistryState], Decision[SchemaVersion]]:
        return lambda state: register_schema(state, subject, parsed, CompatibilityLevel.BACKWARD)

    for store in (a, b):
        await store.start()
        await store.load(WAIT_S)
    stale_writer = SchemaLogWriter(settings)
    try:
        await stale_writer.open()
        stale = register(mine)(a.state)  # id 1, decided before B's write
        assert (await b.write(register(theirs))).schema_id == 1  # B takes the id and commits
        with pytest.raises(WriterFencedError):
            await stale_writer.publish(stale.records)
        await stale_writer.close()

        # The store's own protocol: fenced once by B, it catches up and decides again.
        assert (await a.write(register(schema_of("first")))).schema_id == 2
        assert (await b.write(register(schema_of("second")))).schema_id == 3
        decisions = 0

        def counted(state: RegistryState) -> Decision[SchemaVersion]:
            nonlocal decisions
            decisions += 1
            return register(schema_of("third"))(state)

        assert (await a.write(counted)).schema_id == 4
        assert decisions == 2
    finally:
        await stale_writer.close()
        for store in (a, b):
            await store.stop()

    committed = await read_ids(settings, "read_committed")
    assert committed == [1, 2, 3, 4]
    # Fenced writers were refused before they wrote: no aborted record for a
    # read_uncommitted reader (such as Confluent's registry by default) to stumble on.
    assert await read_ids(settings, "read_uncommitted") == committed


def schema_of(field: str) -> ParsedSchema:
    return parse_schema(schema(field))


async def read_ids(settings: Settings, isolation: str) -> list[int]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        isolation_level=isolation,
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        tp = TopicPartition(settings.registry.topic, 0)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        end = (await consumer.end_offsets([tp]))[tp]
        ids: list[int] = []
        deadline = time.monotonic() + WAIT_S
        while await consumer.position(tp) < end:
            assert time.monotonic() < deadline
            batches = await consumer.getmany(tp, timeout_ms=500)
            ids += [json.loads(m.value)["id"] for m in batches.get(tp, []) if m.value]
        return ids
    finally:
        await consumer.stop()
