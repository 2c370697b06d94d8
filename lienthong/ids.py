"""Named identifiers, so a topic name is never confused with a connector name."""

from typing import NewType

__all__ = ["AgencyId", "ConnectorName", "DossierNo", "EventId", "TopicName"]

TopicName = NewType("TopicName", str)
ConnectorName = NewType("ConnectorName", str)
AgencyId = NewType("AgencyId", str)
EventId = NewType("EventId", str)
DossierNo = NewType("DossierNo", str)
