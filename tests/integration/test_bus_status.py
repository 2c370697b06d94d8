"""collect_status against a real broker, registry and centre the worker has kept in sync."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from lienthong.events import ChangeEvent, Operation
from lienthong.observe import BusView, collect_status
from lienthong.settings import CentreSettings, Settings
from streams.centre import open_centre
from tests.domain_factories import parcel_change
from tests.factories import dossier_change
from tests.integration.test_streams_worker import running_worker
from tests.integration.worker_support import end_offsets, offsets_reached, produce_records, sent

pytestmark = pytest.mark.integration

C = TypeVar("C", bound=ChangeEvent)


def happened(change: C, at: datetime) -> C:
    return change.model_copy(
        update={"envelope": change.envelope.model_copy(update={"occurred_at": at})}
    )


async def test_status_reports_every_component_freshness_and_dead_letters(
    centre_bus: Settings, log_path: Path
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)  # events keep milliseconds only
    dossiers = [
        happened(dossier_change(f"HS-{n}", 1), now - timedelta(seconds=10)) for n in range(4)
    ]
    parcels = [happened(parcel_change(f"P-{n}", 1), now - timedelta(seconds=300)) for n in range(3)]
    topics = centre_bus.topics
    records = [sent(topics, change) for change in [*dossiers, *parcels]]
    records.append(sent(topics, dossier_change("HS-BAD", 1, Operation.UPDATE), value=b"not avro"))
    placed = await produce_records(centre_bus, records)

    with running_worker(centre_bus, log_path) as worker:
        engine = open_centre(centre_bus)
        try:
            await worker.wait_for(
                "every record applied",
                offsets_reached(engine, centre_bus.streams.app_id, end_offsets(placed)),
            )
        finally:
            engine.dispose()
        async with BusView(centre_bus) as view:
            status = await collect_status(centre_bus, view)

    health = {c.name: c for c in status.components}
    assert [c.name for c in status.components] == [
        "kafka", "registry", "centre", "workers", "connectors"
    ]  # fmt: skip
    assert all(c.up for c in status.components), status.components
    assert health["kafka"].detail == "1 broker"
    assert health["connectors"].detail == "none reported"
    assert status.workers is not None and status.workers.members
    assert status.subjects and all(s.versions for s in status.subjects)
    assert f"{topics.dossiers}-value" in {s.subject for s in status.subjects}

    sources = {(s.agency, s.system): s for s in status.sources}
    motcua, vilis = sources[("000.00.00.H41", "motcua")], sources[("000.00.15.H41", "vilis")]
    assert (motcua.events_applied, vilis.events_applied) == (4, 3)
    assert motcua.last_event_at == dossiers[0].envelope.occurred_at
    assert vilis.last_event_at == parcels[0].envelope.occurred_at
    assert motcua.last_applied_at is not None and motcua.last_applied_at >= now
    assert motcua.level(status.at, centre_bus.observe) == "healthy"
    assert vilis.level(status.at, centre_bus.observe) == "late"
    assert vilis.level(status.at + timedelta(hours=1), centre_bus.observe) == "silent"

    assert status.dead_letters == {
        topics.dead_letter(topic): 1 if topic == topics.dossiers else 0
        for topic in topics.centre_sources
    }
    kinds = {k.kind: k for k in status.centre}
    assert (kinds["dossiers"].current_rows, kinds["dossiers"].history_rows) == (4, 4)
    assert (kinds["land_parcels"].current_rows, kinds["land_parcels"].history_rows) == (3, 3)
    assert all(kind.behind == 0 for kind in status.centre)
    assert kinds["dossiers"].last_synced_at is not None


async def test_a_missing_centre_and_a_down_registry_are_reported_down(
    bus_settings: Settings, tmp_path: Path
) -> None:
    settings = bus_settings.model_copy(
        update={
            "centre": CentreSettings(sqlite_path=tmp_path / "absent" / "centre.db"),
            "registry": bus_settings.registry.model_copy(
                update={"url": "http://127.0.0.1:9", "request_timeout_s": 2.0}
            ),
        }
    )
    async with BusView(settings) as view:
        status = await collect_status(settings, view)

    health = {c.name: c for c in status.components}
    assert health["kafka"].up
    assert not health["registry"].up and "127.0.0.1:9" in health["registry"].detail
    assert not health["centre"].up and "no centre store" in health["centre"].detail
    assert not health["workers"].up
    assert not status.all_up
    assert (status.subjects, status.sources, status.centre) == ((), (), ())
    assert not (tmp_path / "absent").exists()
