"""The whole bus of the fault suite, on resources of its own so it can hurt them: a broker
it restarts, a PostgreSQL cluster it stops (the centre, and the land register's source), a
registry, the stream worker and two connector processes, as separate processes."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import yaml
from pydantic import SecretStr
from sqlalchemy import Engine

from connectors.motcua import create_source_engine
from lienthong.demo.departments import OneStopShop
from lienthong.demo.edoc_agencies import EdocAgencies
from lienthong.demo.signing_keys import demo_signing_keys
from lienthong.devkafka import start_broker, stop_broker
from lienthong.ids import ConnectorName
from lienthong.settings import (
    CentreSettings,
    DevKafkaSettings,
    KafkaSettings,
    RegistrySettings,
    Settings,
    StreamsSettings,
    TrustSettings,
)
from lienthong.topics import bus_topics, ensure_topics
from tests.conftest import REPO_ROOT, free_port
from tests.faults.children import Child
from tests.faults.land_source import LandRegister, land_connector_entry
from tests.faults.private_postgres import PrivateCluster, postgres_binaries

__all__ = ["AGENCY", "FaultBus", "running_fault_bus"]

AGENCY = "000.00.00.H41"
"""The demo's connectors file signs as the province; the land connector here does too."""
LAND_CONNECTOR = ConnectorName("land-cdc")
_DEMO_CONNECTORS = ("motcua-outbox", "edoc-inbox")


@dataclass
class FaultBus:
    settings: Settings
    cluster: PrivateCluster
    land: LandRegister
    one_stop_shop: OneStopShop
    edoc: EdocAgencies
    registry: Child
    worker: Child
    departments: Child
    """`lienthong connect run` of the one-stop-shop's outbox and the e-document folder."""
    land_connector: Child
    key_file: Path
    motcua_db: Engine
    """The one-stop-shop's database, as its simulator writes it."""

    @property
    def children(self) -> tuple[Child, ...]:
        return (self.registry, self.worker, self.departments, self.land_connector)

    def logs(self) -> str:
        tails = [child.log_tail() for child in self.children]
        return "\n".join([*tails, f"--- postgres\n{self.cluster.log_tail()}"])

    async def restart_broker(self) -> None:
        stop_broker(self.settings)
        await start_broker(self.settings)


def _settings(home: Path, centre_dsn: str) -> Settings:
    broker_port, registry_port = free_port(), free_port()
    return Settings(
        var_dir=home / "var",
        kafka=KafkaSettings(bootstrap_servers=f"127.0.0.1:{broker_port}"),
        dev=DevKafkaSettings(
            home=home / "kafka",
            libs_dir=REPO_ROOT / "var" / "kafka" / "libs",
            broker_port=broker_port,
            controller_port=free_port(),
        ),
        registry=RegistrySettings(url=f"http://127.0.0.1:{registry_port}", port=registry_port),
        centre=CentreSettings(dsn=SecretStr(centre_dsn)),
        trust=TrustSettings(require_signatures=True),
        streams=StreamsSettings(app_id="faults-centre", web_port=free_port(), batch_within_s=0.2),
    )


def _connector_files(settings: Settings, land_dsn: str) -> tuple[Path, Path]:
    """The demo's connectors file, its one-stop-shop and e-document entries, and a file of
    the land register's pgcdc connector alone, so that one can be killed by itself."""
    demo = yaml.safe_load(
        Path(str(files("connectors").joinpath("examples", "demo.yaml"))).read_text("utf-8")
    )
    demo["connectors"] = [c for c in demo["connectors"] if c["name"] in _DEMO_CONNECTORS]
    folder = settings.var_dir / "connectors"
    folder.mkdir(parents=True, exist_ok=True)
    departments, land = folder / "departments.yaml", folder / "land.yaml"
    departments.write_text(json.dumps(demo, ensure_ascii=False), encoding="utf-8")
    entry = land_connector_entry(LAND_CONNECTOR, AGENCY)
    land.write_text(json.dumps({"connectors": [entry]}, ensure_ascii=False), encoding="utf-8")
    return departments, land


@asynccontextmanager
async def running_fault_bus(home: Path, seeded_parcels: int) -> AsyncIterator[FaultBus]:
    """Everything created and the long-lived parts started (broker, registry, worker, the
    departments' connectors); the land connector is created, not started."""
    cluster = PrivateCluster(_bin_dir(), free_port())
    cluster.create()
    cluster.start()
    settings = _settings(home, cluster.create_database("centre"))
    started: list[Child] = []
    bus: FaultBus | None = None
    try:
        land = LandRegister(cluster.create_database("land"))
        land.create(seeded_parcels)
        await start_broker(settings)
        await ensure_topics(settings, bus_topics(settings))
        logs = home / "logs"
        registry = Child("registry", ["registry", "serve"], settings, logs)
        registry.start()
        started.append(registry)
        registry.wait_until_answering(f"{settings.registry.url}/")
        keys = await demo_signing_keys(settings, [AGENCY])
        one_stop_shop, edoc = OneStopShop(settings, seed=11), EdocAgencies(settings, seed=12)
        departments_file, land_file = _connector_files(settings, land.dsn)
        signing = {"LIENTHONG_TRUST__SIGNING_KEY_FILE": str(keys[AGENCY])}
        worker = Child("worker", ["streams", "worker"], settings, logs)
        departments = Child(
            "departments", ["connect", "run", str(departments_file)], settings, logs,
            **signing, **one_stop_shop.variables, **edoc.variables,
        )  # fmt: skip
        land_connector = Child(
            "land-connector", ["connect", "run", str(land_file)], settings, logs,
            **signing, LAND_DSN=land.dsn,
        )  # fmt: skip
        bus = FaultBus(
            settings, cluster, land, one_stop_shop, edoc, registry, worker, departments,
            land_connector, keys[AGENCY], create_source_engine(settings),
        )  # fmt: skip
        started += [worker, departments, land_connector]
        worker.start()
        departments.start()
        yield bus
    finally:
        if bus is not None:
            bus.motcua_db.dispose()
            bus.one_stop_shop.close()
        for child in reversed(started):
            child.stop()
        stop_broker(settings)
        cluster.destroy()


def _bin_dir() -> Path:

    found = postgres_binaries()
    assert found is not None, (
        "PostgreSQL's server binaries are missing (tests/support/ensure_postgres.sh)"
    )
    return found
