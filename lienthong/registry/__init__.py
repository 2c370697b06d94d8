"""A Confluent Schema Registry-compatible service whose store is a compacted Kafka topic.

The topic holds Confluent's own record format, so Confluent Schema Registry or Karapace can
take over the same topic. Several instances may serve one topic; their writes go through one
shared Kafka transactional id (see `lienthong.registry.store`).
"""

from lienthong.registry.compatibility import CompatibilityLevel
from lienthong.registry.errors import RegistryError
from lienthong.registry.server import RegistryServer, running_registry, serve_registry
from lienthong.registry.store import schemas_topic

__all__ = [
    "CompatibilityLevel",
    "RegistryError",
    "RegistryServer",
    "running_registry",
    "schemas_topic",
    "serve_registry",
]
