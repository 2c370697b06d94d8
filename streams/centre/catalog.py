"""Every kind of entity the centre keeps, and how to find a change's or a topic's kind."""

from typing import Any, Final

from lienthong.events import ChangeEvent
from lienthong.ids import TopicName
from lienthong.settings import TopicSettings
from streams.centre.document_kind import DOCUMENT_KIND
from streams.centre.dossier_kind import DOSSIER_KIND
from streams.centre.kinds import EntityKind
from streams.centre.land_kind import LAND_KIND
from streams.centre.status_kind import STATUS_KIND

__all__ = ["CENTRE_KINDS", "kind_of", "kind_on_topic"]

CENTRE_KINDS: Final[tuple[EntityKind[Any], ...]] = (
    DOSSIER_KIND,
    LAND_KIND,
    DOCUMENT_KIND,
    STATUS_KIND,
)

_BY_MODEL: Final = {kind.model: kind for kind in CENTRE_KINDS}


def kind_of(change: ChangeEvent) -> EntityKind[Any]:
    """The kind whose change model `change` is; a change of no kind is a programming error."""
    try:
        return _BY_MODEL[type(change)]
    except KeyError:
        raise TypeError(f"the centre keeps no kind of {type(change).__name__}") from None


def kind_on_topic(topics: TopicSettings, topic: str) -> EntityKind[Any] | None:
    """The kind whose changes travel on `topic`, or None for a topic of no kind."""
    return next((kind for kind in CENTRE_KINDS if kind.topic(topics) == TopicName(topic)), None)
