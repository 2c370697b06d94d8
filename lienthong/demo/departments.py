"""The departments the demo simulates, each with its own store and its connector's name in
the demo's connectors file: the one-stop-shop (a database with an outbox), the agencies
exchanging e-documents (edXML files in a folder) and the land register (a polled table).

Each says how its source compares with the centre; the reads block, so callers run them in
a worker thread.
"""

import asyncio
from collections.abc import Mapping
from typing import Protocol

from sqlalchemy import Engine, func, select

from connectors.land import LandSimulator, ensure_land_schema, land_engine, parcels_table
from connectors.land.database import default_land_path
from connectors.motcua import Simulator, create_source_engine, ensure_source_schema
from connectors.motcua.source_db import dossiers_table, outbox_table, source_url
from connectors.stats import ConnectorStats
from lienthong.demo.edoc_agencies import EdocAgencies
from lienthong.demo.snapshot import SyncState, compare_versions
from lienthong.ids import ConnectorName
from lienthong.settings import Settings
from streams.centre.land_kind import LAND_PARCELS
from streams.centre.schema import DOSSIERS

__all__ = ["Department", "LandRegister", "OneStopShop", "open_departments"]


class Department(Protocol):
    title: str
    connector: ConnectorName
    """Its connector's name in connectors/examples/demo.yaml."""

    @property
    def variables(self) -> Mapping[str, str]:
        """The ${VARIABLES} of the connectors file that say where its source is."""
        ...

    @property
    def activities(self) -> int: ...

    async def simulate(self, rate_per_s: float, events: int | None, stop: asyncio.Event) -> int:
        """Change the source at `rate_per_s` until `events` changes are made or `stop` is set."""
        ...

    def sync(self, centre: Engine, connector: ConnectorStats) -> SyncState: ...

    def close(self) -> None: ...


class OneStopShop:
    title = "one-stop-shop"
    connector = ConnectorName("motcua-outbox")

    def __init__(self, settings: Settings, seed: int) -> None:
        self._engine = create_source_engine(settings)
        ensure_source_schema(self._engine)
        self.variables = {"MOTCUA_DB_DSN": source_url(settings)}
        self._simulator = Simulator(self._engine, seed=seed)

    @property
    def activities(self) -> int:
        return self._simulator.counts.total()

    async def simulate(self, rate_per_s: float, events: int | None, stop: asyncio.Event) -> int:
        return await self._simulator.run(rate_per_s, events, stop)

    def sync(self, centre: Engine, connector: ConnectorStats) -> SyncState:
        with self._engine.connect() as conn:
            rows = conn.execute(select(dossiers_table.c.dossier_no, dossiers_table.c.version))
            in_source = {key: version for key, version in rows}
            newest = conn.execute(select(func.max(outbox_table.c.id))).scalar_one() or 0
        with centre.connect() as conn:
            rows = conn.execute(select(DOSSIERS.c.dossier_no, DOSSIERS.c.entity_version))
            in_centre = {key: version for key, version in rows}
        # The connector's position is the last outbox id it published.
        published = int(connector.position or 0)
        return compare_versions("dossiers", in_source, in_centre, pending=newest - published)

    def close(self) -> None:
        self._engine.dispose()


class LandRegister:
    title = "land register"
    connector = ConnectorName("land-register")

    def __init__(self, settings: Settings, seed: int) -> None:
        self._engine = land_engine(None, settings.var_dir)
        ensure_land_schema(self._engine)
        path = default_land_path(settings.var_dir).resolve()
        self.variables = {"LAND_DB_DSN": f"sqlite:///{path}"}
        self._simulator = LandSimulator(self._engine, seed)

    @property
    def activities(self) -> int:
        return self._simulator.counts.total()

    async def simulate(self, rate_per_s: float, events: int | None, stop: asyncio.Event) -> int:
        return await self._simulator.run(rate_per_s, events, stop)

    def sync(self, centre: Engine, connector: ConnectorStats) -> SyncState:
        """Polling sees states, not changes: the centre must hold each live parcel's state."""
        table = parcels_table
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(table.c.parcel_id, table.c.row_version).where(table.c.deleted.is_(False))
            )
            in_source = {key: version for key, version in rows}
        with centre.connect() as conn:
            rows = conn.execute(select(LAND_PARCELS.c.parcel_id, LAND_PARCELS.c.entity_version))
            in_centre = {key: version for key, version in rows}
        return compare_versions("land parcels", in_source, in_centre)

    def close(self) -> None:
        self._engine.dispose()


def open_departments(settings: Settings, seed: int) -> list[Department]:
    """The three departments, their stores created when missing (blocking)."""
    departments: list[Department] = []
    try:
        departments.append(OneStopShop(settings, seed))
        departments.append(EdocAgencies(settings, seed))
        departments.append(LandRegister(settings, seed))
    except BaseException:
        for department in departments:
            department.close()
        raise
    return departments
