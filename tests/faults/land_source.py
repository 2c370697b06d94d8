"""The land register for the fault suite: a parcels table on the private PostgreSQL, read by
the pgcdc connector (an initial snapshot, then the write-ahead log), and an application that
keeps registering and changing parcels, one parcel per transaction, while the server lets it."""

import asyncio
import json
import random
from dataclasses import dataclass, field
from typing import Any

import psycopg

from lienthong.ids import ConnectorName
from tests.integration.pgcdc_support import table_options

__all__ = ["LandRegister", "land_connector_entry"]

_TABLE = """
CREATE SCHEMA land;
CREATE TABLE land.parcels (
    parcel_id text PRIMARY KEY,
    commune_code text NOT NULL,
    code_list text NOT NULL DEFAULT 'VN2025',
    so_to integer NOT NULL,
    so_thua integer NOT NULL,
    version integer NOT NULL,
    is_latest boolean NOT NULL DEFAULT true,
    area_m2 numeric(12, 2) NOT NULL,
    land_uses jsonb NOT NULL,
    holders text NOT NULL,
    address text
);
"""
_SEED = """
INSERT INTO land.parcels
    (parcel_id, commune_code, so_to, so_thua, version, area_m2, land_uses, holders, address)
SELECT 'SNAP-' || lpad(n::text, 6, '0'), '04570', 1 + n / 1000, 1 + n %% 1000, 1,
       100 + n %% 900, %s::jsonb, %s, 'Thôn Đông, xã Hoà'
FROM generate_series(1, %s) AS n
"""
_INSERT = """
INSERT INTO land.parcels
    (parcel_id, commune_code, so_to, so_thua, version, area_m2, land_uses, holders, address)
VALUES (%s, '04570', 99, %s, 1, 250.5, %s::jsonb, %s, 'Tổ 3, phường Yên Thịnh')
"""
_UPDATE = (
    "UPDATE land.parcels SET version = version + 1, area_m2 = area_m2 + 1 WHERE parcel_id = %s"
)
_USES = json.dumps([{"use_type_code": "ONT", "area_m2": 100.5}])
_HOLDERS = json.dumps([{"kind": "INDIVIDUAL", "name": "Nguyễn Thị Hoa"}], ensure_ascii=False)


def land_connector_entry(name: ConnectorName, agency: str) -> dict[str, Any]:
    """The connectors-file entry of the land register's pgcdc connector; its DSN comes from
    ${LAND_DSN}. Small batches, so the snapshot spans many transactions to be killed in."""
    return {
        "name": name,
        "kind": "pgcdc",
        "agency": agency,
        "system": "vbdlis",
        "domains": ["land_parcels"],
        "batch_size": 100,
        "options": {
            "dsn": "${LAND_DSN}",
            "poll_interval_s": 0.1,
            "snapshot_chunk": 200,
            "tables": [table_options()],
        },
    }


@dataclass
class LandRegister:
    dsn: str
    changes: int = 0
    """Transactions the application committed (a new parcel or a changed one), seed apart."""
    refused: int = 0
    """Attempts that failed because the server was down; retried with other work later."""
    _registered: list[str] = field(default_factory=list)

    def create(self, seeded: int) -> None:
        with psycopg.connect(self.dsn) as conn:
            conn.execute(_TABLE)
            conn.execute(_SEED, (_USES, _HOLDERS, seeded))

    async def work(self, rate_per_s: float, stop: asyncio.Event, seed: int = 8) -> None:
        """New parcels and changes to them, one per transaction, until `stop`."""
        chooser = random.Random(seed)
        while not stop.is_set():
            try:
                await self._one_change(chooser)
                self.changes += 1
            except psycopg.OperationalError:
                self.refused += 1
            try:
                await asyncio.wait_for(stop.wait(), 1 / rate_per_s)
            except TimeoutError:
                pass

    async def _one_change(self, chooser: random.Random) -> None:
        async with await psycopg.AsyncConnection.connect(self.dsn, connect_timeout=2) as conn:
            if self._registered and chooser.random() < 0.6:
                await conn.execute(_UPDATE, (chooser.choice(self._registered),))
                return
            parcel = f"NEW-{len(self._registered) + 1:05d}"
            await conn.execute(_INSERT, (parcel, len(self._registered) + 1, _USES, _HOLDERS))
            self._registered.append(parcel)

    def versions(self) -> dict[str, int]:
        with psycopg.connect(self.dsn) as conn:
            rows = conn.execute("SELECT parcel_id, version FROM land.parcels").fetchall()
        return {key: version for key, version in rows}
