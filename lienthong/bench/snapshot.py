"""How fast the pgcdc connector publishes a land register's initial snapshot.

N land parcels are written into a fresh schema of the given PostgreSQL database (one
INSERT ... SELECT over generate_series, on the server), with their uses, certificate and
holders as jsonb. The connector then runs as `lienthong connect run` would (ConnectorRunner,
an in-process registry, the broker of the settings) until every parcel is committed to
Kafka. Timed: from the runner's start to the poll that sees the last parcel committed
(polled every 50 ms). The replication slot is created before the clock starts: creating
one waits for the transactions running on the server, which is not the connector's speed.
Everything the run made (schema, slot, publication, topics) is dropped afterwards.
"""

import asyncio
import time
from dataclasses import dataclass
from typing import Any, Final

import psycopg
from psycopg import sql

from connectors.pgcdc import PgCdcSource
from connectors.pgcdc.connection import translated_errors
from connectors.pgcdc.replication import ensure_slot
from connectors.runner import ConnectorRunner
from connectors.spec import ConnectorSpec
from lienthong.bench.topics import delete_topics, fresh_suffix
from lienthong.devkafka import find_free_port
from lienthong.errors import FatalError
from lienthong.ids import ConnectorName, TopicName
from lienthong.registry import running_registry
from lienthong.settings import Settings
from lienthong.topics import bus_topics, ensure_topics

__all__ = ["SnapshotBench", "SnapshotPlan", "run_snapshot_bench"]

_STALL_S: Final = 120.0
_POLL_S: Final = 0.05

_TABLE = """
CREATE TABLE {table} (
    parcel_id text PRIMARY KEY,
    commune_code text NOT NULL,
    map_sheet_no integer NOT NULL,
    parcel_no integer NOT NULL,
    version integer NOT NULL,
    is_latest boolean NOT NULL,
    area_m2 numeric(12, 2) NOT NULL,
    legal_area_m2 numeric(12, 2),
    land_uses jsonb NOT NULL,
    address text,
    certificate jsonb,
    holders jsonb NOT NULL,
    change_reason text,
    dossier_no text
)
"""
_ROWS = """
INSERT INTO {table}
SELECT 'VBD-' || lpad(i::text, 9, '0'),
       lpad((4570 + i %% 97)::text, 5, '0'),
       1 + i / 500 %% 400, 1 + i %% 500, 1, true,
       100 + (i %% 9000) / 4.0, 100 + (i %% 9000) / 4.0,
       jsonb_build_array(
           jsonb_build_object('use_type_code', 'ONT', 'area_m2', 60 + (i %% 9000) / 4.0,
                              'origin', 'Nhà nước công nhận quyền sử dụng đất', 'term', 'Lâu dài'),
           jsonb_build_object('use_type_code', 'CLN', 'area_m2', 40 + (i %% 9000) / 4.0,
                              'origin', 'Nhận chuyển nhượng', 'term', 'Đến ngày 15/10/2043',
                              'expires_on', '2043-10-15')),
       'Thửa ' || (1 + i %% 500) || ', tờ ' || (1 + i / 500 %% 400) || ', xã Hoà Bình',
       jsonb_build_object('serial_no', 'CS ' || lpad(i::text, 6, '0'),
                          'register_no', 'CH' || lpad((i %% 100000)::text, 5, '0'),
                          'register_date', '2019-05-20'),
       jsonb_build_array(jsonb_build_object('kind', 'INDIVIDUAL', 'name', 'Nguyễn Văn An',
                                            'id_number', lpad(i::text, 12, '0'))),
       NULL, 'HS-' || i
FROM generate_series(1, %s) AS i
"""


@dataclass(frozen=True)
class SnapshotPlan:
    parcels: int = 1_000_000
    chunk: int = 1000
    """Rows per snapshot query (the connector's snapshot_chunk)."""
    batch_size: int = 500
    """Source items per Kafka transaction."""


@dataclass(frozen=True)
class SnapshotBench:
    parcels: int
    chunk: int
    batch_size: int
    partitions: int
    load_s: float
    """Writing the parcels into PostgreSQL (not part of the rate)."""
    snapshot_s: float
    parcels_per_s: float
    batches: int


async def run_snapshot_bench(settings: Settings, dsn: str, plan: SnapshotPlan) -> SnapshotBench:
    suffix = fresh_suffix()
    schema = f"bench_pgcdc_{suffix}"
    settings = _isolated(settings, suffix)
    spec = _spec(settings, dsn, schema, suffix, plan)
    source = PgCdcSource(spec, settings)
    started = time.monotonic()
    async with translated_errors():
        await _load(dsn, schema, plan.parcels)
    load_s = time.monotonic() - started
    try:
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
            await ensure_slot(conn, source.slot)
        async with running_registry(settings) as registry_url:
            registry = settings.registry.model_copy(update={"url": registry_url})
            settings = settings.model_copy(update={"registry": registry})
            await ensure_topics(settings, bus_topics(settings))
            runner = ConnectorRunner(PgCdcSource(spec, settings), settings)
            snapshot_s = await _timed_snapshot(runner, plan.parcels)
    finally:
        async with translated_errors():
            await _drop(dsn, schema, source)
        await delete_topics(settings, _topics(settings))
    return SnapshotBench(
        parcels=plan.parcels,
        chunk=plan.chunk,
        batch_size=plan.batch_size,
        partitions=settings.topics.partitions,
        load_s=load_s,
        snapshot_s=snapshot_s,
        parcels_per_s=plan.parcels / snapshot_s,
        batches=runner.stats.batches,
    )


async def _timed_snapshot(runner: ConnectorRunner, parcels: int) -> float:
    stop = asyncio.Event()
    started = time.monotonic()
    task = asyncio.create_task(runner.run(stop))
    progress, progressed_at = -1, started
    try:
        while (done := runner.stats.published + runner.stats.dead_lettered) < parcels:
            if task.done():
                task.result()
                raise FatalError("the connector stopped before the snapshot was published")
            now = time.monotonic()
            if done != progress:
                progress, progressed_at = done, now
            elif now - progressed_at > _STALL_S:
                raise FatalError(f"the snapshot stalled at {done:,} of {parcels:,} parcels")
            await asyncio.sleep(_POLL_S)
        return time.monotonic() - started
    finally:
        stop.set()
        await asyncio.gather(task, return_exceptions=True)


async def _load(dsn: str, schema: str, parcels: int) -> None:
    table = sql.Identifier(schema, "land_parcels")
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        await conn.execute(sql.SQL(_TABLE).format(table=table))
        await conn.execute(sql.SQL(_ROWS).format(table=table), (parcels,))


async def _drop(dsn: str, schema: str, source: PgCdcSource) -> None:
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await conn.execute(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
            "WHERE slot_name = %s",
            (source.slot,),
        )
        await conn.execute(
            sql.SQL("DROP PUBLICATION IF EXISTS {}").format(sql.Identifier(source.publication))
        )
        await conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def _spec(
    settings: Settings, dsn: str, schema: str, suffix: str, plan: SnapshotPlan
) -> ConnectorSpec:
    options: dict[str, Any] = {
        "dsn": dsn,
        "slot": f"bench_pgcdc_{suffix}",
        "tables": [
            {
                "table": f"{schema}.land_parcels",
                "domain": "land_parcels",
                "json_columns": ["land_uses", "certificate", "holders"],
                "admin_unit_column": "commune_code",
            }
        ],
        "snapshot_chunk": plan.chunk,
    }
    return ConnectorSpec(
        name=settings.connector.name,
        kind=PgCdcSource.kind,
        agency="000.00.00.G12",
        system="vbdlis",
        domains=("land_parcels",),
        batch_size=plan.batch_size,
        options=options,
    )


def _isolated(settings: Settings, suffix: str) -> Settings:
    """Topics, connector and registry of this run's own, so nothing else mixes in."""
    topics = settings.topics.model_copy(
        update={
            name: TopicName(f"bench.{suffix}.{getattr(settings.topics, name)}")
            for name in _topic_fields()
        }
    )
    return settings.model_copy(
        update={
            "topics": topics,
            "connector": settings.connector.model_copy(
                update={"name": ConnectorName(f"bench-snapshot-{suffix}")}
            ),
            "registry": settings.registry.model_copy(
                update={"topic": TopicName(f"bench.{suffix}._schemas"), "port": find_free_port()}
            ),
        }
    )


def _topic_fields() -> list[str]:
    return [
        "dossiers",
        "land_parcels",
        "documents",
        "document_statuses",
        "connector_offsets",
        "connector_status",
        "connector_control",
    ]


def _topics(settings: Settings) -> list[TopicName]:
    return [*(spec.name for spec in bus_topics(settings)), settings.registry.topic]
