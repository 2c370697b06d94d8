"""`collect_status`: every component of the bus, up or down, in one report.

Only Kafka not answering raises; the registry, the centre and the connectors are reported
down with their reason, so one failing part never hides the others.
"""

from datetime import UTC, datetime

from lienthong.observe.bus import BusView
from lienthong.observe.centre_health import read_centre
from lienthong.observe.connector_health import read_connectors
from lienthong.observe.records import GroupState
from lienthong.observe.status_records import BusStatus, ComponentHealth
from lienthong.observe.subjects import read_subjects
from lienthong.settings import Settings

__all__ = ["collect_status"]


async def collect_status(settings: Settings, view: BusView) -> BusStatus:
    now = datetime.now(UTC)
    brokers = await view.brokers()
    kafka = ComponentHealth("kafka", True, f"{brokers} broker{'s' if brokers != 1 else ''}")
    topics = {topic.name: topic for topic in await view.topics()}
    workers = await view.group(settings.streams.app_id)
    connectors, connector_states = await read_connectors(settings, now)
    registry, subjects = await read_subjects(settings)
    centre, sources, kinds = await read_centre(settings, view, topics)
    dead_letter_topics = [settings.topics.dead_letter(t) for t in settings.topics.centre_sources]
    return BusStatus(
        at=now,
        components=(kafka, registry, centre, _workers_health(workers), connectors),
        connectors=connector_states,
        workers=workers,
        sources=sources,
        dead_letters={t: topics[t].records for t in dead_letter_topics if t in topics},
        centre=kinds,
        subjects=subjects,
    )


def _workers_health(group: GroupState) -> ComponentHealth:
    members = len(group.members)
    if members == 0:
        detail = f"no worker in group {group.group_id} ({group.state})"
        return ComponentHealth("workers", False, detail)
    plural = "s" if members != 1 else ""
    return ComponentHealth("workers", True, f"{members} member{plural}, {group.state}")
