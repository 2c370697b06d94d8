"""The Kafka requests that manage principals and ACLs, which aiokafka's admin client lacks.

Field layouts follow Kafka's message definitions (clients/src/main/resources/common/message):
AlterUserScramCredentials v0 and DescribeUserScramCredentials v0 (flexible), CreateAcls v1,
DescribeAcls v1 and DeleteAcls v1 (the oldest versions Kafka 4.0 still serves, and the
newest aiokafka's struct types can encode without tagged fields). aiokafka ships no type
information, hence the `type: ignore[misc]` on each subclass of its protocol classes.
"""

from collections.abc import Sequence
from typing import Any

from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import (
    Array,
    CompactArray,
    CompactBytes,
    CompactString,
    Int8,
    Int16,
    Int32,
    Schema,
    String,
    TaggedFields,
)

__all__ = [
    "AlterScramRequest",
    "CreateAclsRequest",
    "DeleteAclsRequest",
    "DescribeAclsRequest",
    "DescribeScramRequest",
]

_TEXT = String("utf-8")
_COMPACT_TEXT = CompactString("utf-8")
_ACL_ENTRY = (
    ("resource_type", Int8),
    ("resource_name", _TEXT),
    ("pattern_type", Int8),
    ("principal", _TEXT),
    ("host", _TEXT),
    ("operation", Int8),
    ("permission_type", Int8),
)


class _AlterScramResponseV0(Response):  # type: ignore[misc]
    API_KEY = 51
    API_VERSION = 0
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        (
            "results",
            CompactArray(
                ("user", _COMPACT_TEXT),
                ("error_code", Int16),
                ("error_message", _COMPACT_TEXT),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class _AlterScramRequestV0(RequestStruct):  # type: ignore[misc]
    FLEXIBLE_VERSION = True
    API_KEY = 51
    API_VERSION = 0
    RESPONSE_TYPE = _AlterScramResponseV0
    SCHEMA = Schema(
        (
            "deletions",
            CompactArray(("name", _COMPACT_TEXT), ("mechanism", Int8), ("tags", TaggedFields)),
        ),
        (
            "upsertions",
            CompactArray(
                ("name", _COMPACT_TEXT),
                ("mechanism", Int8),
                ("iterations", Int32),
                ("salt", CompactBytes),
                ("salted_password", CompactBytes),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class AlterScramRequest(Request[_AlterScramRequestV0]):  # type: ignore[misc]
    """Deletions: (user, mechanism); upsertions: (user, mechanism, iterations, salt, salted)."""

    API_KEY = 51

    def __init__(
        self,
        deletions: Sequence[tuple[str, int]],
        upsertions: Sequence[tuple[str, int, int, bytes, bytes]],
    ) -> None:
        no_tags: dict[int, bytes] = {}
        self._deletions = [(*entry, no_tags) for entry in deletions]
        self._upsertions = [(*entry, no_tags) for entry in upsertions]

    def build(self, request_struct_class: type[_AlterScramRequestV0]) -> _AlterScramRequestV0:
        return request_struct_class(self._deletions, self._upsertions, {})


class _DescribeScramResponseV0(Response):  # type: ignore[misc]
    API_KEY = 50
    API_VERSION = 0
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        ("error_code", Int16),
        ("error_message", _COMPACT_TEXT),
        (
            "results",
            CompactArray(
                ("user", _COMPACT_TEXT),
                ("error_code", Int16),
                ("error_message", _COMPACT_TEXT),
                (
                    "credential_infos",
                    CompactArray(
                        ("mechanism", Int8), ("iterations", Int32), ("tags", TaggedFields)
                    ),
                ),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class _DescribeScramRequestV0(RequestStruct):  # type: ignore[misc]
    FLEXIBLE_VERSION = True
    API_KEY = 50
    API_VERSION = 0
    RESPONSE_TYPE = _DescribeScramResponseV0
    SCHEMA = Schema(
        ("users", CompactArray(("name", _COMPACT_TEXT), ("tags", TaggedFields))),
        ("tags", TaggedFields),
    )


class DescribeScramRequest(Request[_DescribeScramRequestV0]):  # type: ignore[misc]
    """Every user with a SCRAM credential (a null user list means all)."""

    API_KEY = 50

    def build(self, request_struct_class: type[_DescribeScramRequestV0]) -> _DescribeScramRequestV0:
        return request_struct_class(None, {})


class _CreateAclsResponseV1(Response):  # type: ignore[misc]
    API_KEY = 30
    API_VERSION = 1
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        ("results", Array(("error_code", Int16), ("error_message", _TEXT))),
    )


class _CreateAclsRequestV1(RequestStruct):  # type: ignore[misc]
    API_KEY = 30
    API_VERSION = 1
    RESPONSE_TYPE = _CreateAclsResponseV1
    SCHEMA = Schema(("creations", Array(*_ACL_ENTRY)))


class CreateAclsRequest(Request[_CreateAclsRequestV1]):  # type: ignore[misc]
    """Entries: (resource type, name, pattern type, principal, host, operation, permission)."""

    API_KEY = 30

    def __init__(self, entries: Sequence[tuple[Any, ...]]) -> None:
        self._entries = list(entries)

    def build(self, request_struct_class: type[_CreateAclsRequestV1]) -> _CreateAclsRequestV1:
        return request_struct_class(self._entries)


class _DescribeAclsResponseV1(Response):  # type: ignore[misc]
    API_KEY = 29
    API_VERSION = 1
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        ("error_code", Int16),
        ("error_message", _TEXT),
        (
            "resources",
            Array(
                ("resource_type", Int8),
                ("resource_name", _TEXT),
                ("pattern_type", Int8),
                (
                    "acls",
                    Array(
                        ("principal", _TEXT),
                        ("host", _TEXT),
                        ("operation", Int8),
                        ("permission_type", Int8),
                    ),
                ),
            ),
        ),
    )


class _DescribeAclsRequestV1(RequestStruct):  # type: ignore[misc]
    API_KEY = 29
    API_VERSION = 1
    RESPONSE_TYPE = _DescribeAclsResponseV1
    SCHEMA = Schema(*_ACL_ENTRY)


class DescribeAclsRequest(Request[_DescribeAclsRequestV1]):  # type: ignore[misc]
    """One filter: (resource type, name|None, pattern type, principal|None, host|None, op, perm)."""

    API_KEY = 29

    def __init__(self, entry_filter: tuple[Any, ...]) -> None:
        self._filter = entry_filter

    def build(self, request_struct_class: type[_DescribeAclsRequestV1]) -> _DescribeAclsRequestV1:
        return request_struct_class(*self._filter)


class _DeleteAclsResponseV1(Response):  # type: ignore[misc]
    API_KEY = 31
    API_VERSION = 1
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        (
            "filter_results",
            Array(
                ("error_code", Int16),
                ("error_message", _TEXT),
                (
                    "matching_acls",
                    Array(("error_code", Int16), ("error_message", _TEXT), *_ACL_ENTRY),
                ),
            ),
        ),
    )


class _DeleteAclsRequestV1(RequestStruct):  # type: ignore[misc]
    API_KEY = 31
    API_VERSION = 1
    RESPONSE_TYPE = _DeleteAclsResponseV1
    SCHEMA = Schema(("filters", Array(*_ACL_ENTRY)))


class DeleteAclsRequest(Request[_DeleteAclsRequestV1]):  # type: ignore[misc]
    """Filters as DescribeAclsRequest's, several at once."""

    API_KEY = 31

    def __init__(self, filters: Sequence[tuple[Any, ...]]) -> None:
        self._filters = list(filters)

    def build(self, request_struct_class: type[_DeleteAclsRequestV1]) -> _DeleteAclsRequestV1:
        return request_struct_class(self._filters)
