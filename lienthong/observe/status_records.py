"""The whole bus at one moment, as `lienthong status` and the dashboard show it."""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from lienthong.ids import TopicName
from lienthong.observe.freshness import CentreKindSync, SourceFreshness
from lienthong.observe.records import GroupState

if TYPE_CHECKING:
    from connectors.control import ConnectorState

__all__ = ["BusStatus", "ComponentHealth", "SubjectVersions"]


@dataclass(frozen=True)
class ComponentHealth:
    name: str
    """kafka, registry, centre, workers or connectors."""
    up: bool
    detail: str
    """One readable line: "1 broker", "2 members, Stable", or why it is down."""


@dataclass(frozen=True)
class SubjectVersions:
    subject: str
    versions: tuple[int, ...]


@dataclass(frozen=True)
class BusStatus:
    at: datetime
    components: tuple[ComponentHealth, ...]
    connectors: tuple["ConnectorState", ...]
    workers: GroupState | None
    """The stream worker's consumer group (settings.streams.app_id)."""
    sources: tuple[SourceFreshness, ...]
    dead_letters: dict[TopicName, int]
    """Records held per dead-letter topic of the bus."""
    centre: tuple[CentreKindSync, ...]
    subjects: tuple[SubjectVersions, ...]
    """Empty when the registry is down."""

    @property
    def all_up(self) -> bool:
        return all(component.up for component in self.components)

    def component(self, name: str) -> ComponentHealth | None:
        return next((c for c in self.components if c.name == name), None)
