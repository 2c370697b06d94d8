"""Named identifiers, so a topic name is never confused with a connector name."""

from typing import NewType

__all__ = ["AgencyId", "ConnectorName", "DossierNo", "EventId", "SchemaId", "Subject", "TopicName"]

TopicName = NewType("TopicName", str)
ConnectorName = NewType("ConnectorName", str)
AgencyId = NewType("AgencyId", str)
EventId = NewType("EventId", str)
DossierNo = NewType("DossierNo", str)
Subject = NewType("Subject", str)
"""A schema registry subject, e.g. `motcua.dossiers-value`."""
SchemaId = NewType("SchemaId", int)
"""A schema's global id in the registry, the 4 bytes after the magic byte."""
