"""Avro in the Confluent wire format, a schema registry client, and schema governance.

Producer: `AvroSerializer(client, repo_schema(name))`, `await prepare(topic)`, then sync
`encode(record)`. Consumer: `AvroDeserializer(client, reader=repo_schema(name))`,
`await resolve(value)`, then sync `decode(value)` (or `await decode_async(value)`).
"""

from lienthong.serde.catalog import Catalog, SubjectSpec, load_catalog
from lienthong.serde.client import CompatibilityVerdict, RegisteredSchema, RegistryClient
from lienthong.serde.compat import (
    CompatibilityLevel,
    Direction,
    Incompatibility,
    IncompatibleChangeError,
    check_compatibility,
)
from lienthong.serde.deserializer import AvroDeserializer
from lienthong.serde.diff import ChangeKind, FieldChange, diff_schemas
from lienthong.serde.errors import (
    PayloadError,
    RecordMismatchError,
    ResolutionError,
    SchemaNotRegisteredError,
    SerializerUsageError,
    UnresolvedSchemaError,
    WireFormatError,
)
from lienthong.serde.memory import InMemoryRegistry
from lienthong.serde.registry_api import SchemaRegistry
from lienthong.serde.registry_errors import (
    IncompatibleSchemaError,
    InvalidSchemaError,
    RegistryError,
    RegistryRequestError,
    RegistryUnavailableError,
    SchemaNotFoundError,
    SubjectNotFoundError,
    VersionNotFoundError,
)
from lienthong.serde.released import Release, ReleasedSchemas
from lienthong.serde.schema import AvroSchema, repo_schema
from lienthong.serde.serializer import AvroSerializer
from lienthong.serde.subjects import MessageField, subject_name
from lienthong.serde.wire import HEADER_SIZE, MAGIC_BYTE, Framed, frame, unframe

__all__ = [
    "HEADER_SIZE",
    "MAGIC_BYTE",
    "AvroDeserializer",
    "AvroSchema",
    "AvroSerializer",
    "Catalog",
    "ChangeKind",
    "CompatibilityLevel",
    "CompatibilityVerdict",
    "Direction",
    "FieldChange",
    "Framed",
    "InMemoryRegistry",
    "Incompatibility",
    "IncompatibleChangeError",
    "IncompatibleSchemaError",
    "InvalidSchemaError",
    "MessageField",
    "PayloadError",
    "RecordMismatchError",
    "RegisteredSchema",
    "RegistryClient",
    "RegistryError",
    "RegistryRequestError",
    "RegistryUnavailableError",
    "Release",
    "ReleasedSchemas",
    "ResolutionError",
    "SchemaNotFoundError",
    "SchemaNotRegisteredError",
    "SchemaRegistry",
    "SerializerUsageError",
    "SubjectNotFoundError",
    "SubjectSpec",
    "UnresolvedSchemaError",
    "VersionNotFoundError",
    "WireFormatError",
    "check_compatibility",
    "diff_schemas",
    "frame",
    "load_catalog",
    "repo_schema",
    "subject_name",
    "unframe",
]
