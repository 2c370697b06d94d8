"""An async client of the Confluent Schema Registry REST API (ours, Confluent's or Karapace).

Schemas by id and ids by (subject, schema) are cached for the client's life, and concurrent
askers of the same uncached answer share one request: the hot path pays HTTP once.
"""

from dataclasses import dataclass
from typing import Any, Literal, Self
from urllib.parse import quote

from lienthong.ids import SchemaId, Subject
from lienthong.serde.answers import (
    answer_int,
    answer_level,
    answer_list,
    answer_schema,
    unexpected_answer,
)
from lienthong.serde.compat import CompatibilityLevel
from lienthong.serde.http import HttpTransport, RegistryTransport
from lienthong.serde.registry_api import SchemaRegistry
from lienthong.serde.schema import AvroSchema
from lienthong.serde.singleflight import SingleFlight
from lienthong.settings import RegistrySettings

__all__ = ["CompatibilityVerdict", "RegisteredSchema", "RegistryClient"]

Version = int | Literal["latest"]


@dataclass(frozen=True)
class RegisteredSchema:
    subject: Subject
    version: int
    schema_id: SchemaId
    schema: AvroSchema


@dataclass(frozen=True)
class CompatibilityVerdict:
    is_compatible: bool
    messages: tuple[str, ...] = ()


class RegistryClient(SchemaRegistry):
    """One per process; `async with` it, or `await close()` it, to close its HTTP session."""

    def __init__(self, transport: RegistryTransport) -> None:
        self._http = transport
        self._schemas: dict[SchemaId, AvroSchema] = {}
        self._ids: dict[tuple[Subject, str], SchemaId] = {}
        self._fetching: SingleFlight[SchemaId, AvroSchema] = SingleFlight()
        self._asking: SingleFlight[tuple[str, Subject, str], SchemaId] = SingleFlight()

    @classmethod
    def connect(cls, url: str, *, timeout_s: float = 10.0) -> "RegistryClient":
        return cls(HttpTransport(url, timeout_s=timeout_s))

    @classmethod
    def from_settings(cls, settings: RegistrySettings) -> "RegistryClient":
        return cls.connect(settings.url, timeout_s=settings.request_timeout_s)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.close()

    async def register(self, subject: Subject, schema: AvroSchema) -> SchemaId:
        async def call() -> SchemaId:
            body = await self._http.request(
                "POST", f"/subjects/{_q(subject)}/versions", body={"schema": schema.text}
            )
            return self._remember(subject, schema, SchemaId(answer_int(body, "id")))

        cached = self._ids.get((subject, schema.text))
        if cached is not None:
            return cached
        return await self._asking.do(("register", subject, schema.text), call)

    async def lookup(self, subject: Subject, schema: AvroSchema) -> SchemaId:
        async def call() -> SchemaId:
            return (await self.find(subject, schema)).schema_id

        cached = self._ids.get((subject, schema.text))
        if cached is not None:
            return cached
        return await self._asking.do(("lookup", subject, schema.text), call)

    async def find(self, subject: Subject, schema: AvroSchema) -> RegisteredSchema:
        """The version and id under which `subject` holds `schema` (uncached)."""
        body = await self._http.request(
            "POST", f"/subjects/{_q(subject)}", body={"schema": schema.text}
        )
        found = self._registered(body, subject)
        self._remember(subject, schema, found.schema_id)
        return found

    async def schema_by_id(self, schema_id: SchemaId) -> AvroSchema:
        async def call() -> AvroSchema:
            body = await self._http.request("GET", f"/schemas/ids/{int(schema_id)}")
            self._schemas[schema_id] = answer_schema(body, f"schema id {schema_id}")
            return self._schemas[schema_id]

        cached = self._schemas.get(schema_id)
        if cached is not None:
            return cached
        return await self._fetching.do(schema_id, call)

    async def version(self, subject: Subject, version: Version) -> RegisteredSchema:
        body = await self._http.request("GET", f"/subjects/{_q(subject)}/versions/{version}")
        return self._registered(body, subject)

    async def latest(self, subject: Subject) -> RegisteredSchema:
        return await self.version(subject, "latest")

    async def subjects(self) -> list[Subject]:
        body = await self._http.request("GET", "/subjects")
        return [Subject(str(name)) for name in answer_list(body, "subjects")]

    async def versions(self, subject: Subject) -> list[int]:
        body = await self._http.request("GET", f"/subjects/{_q(subject)}/versions")
        return [int(version) for version in answer_list(body, "versions")]

    async def check_compatibility(
        self, subject: Subject, schema: AvroSchema, version: Version = "latest"
    ) -> CompatibilityVerdict:
        """Would `subject` accept `schema` next to `version`, at the subject's level?"""
        body = await self._http.request(
            "POST",
            f"/compatibility/subjects/{_q(subject)}/versions/{version}",
            body={"schema": schema.text},
            params={"verbose": "true"},
        )
        if not isinstance(body, dict) or not isinstance(body.get("is_compatible"), bool):
            raise unexpected_answer(body, "a compatibility check")
        messages = body.get("messages") or []
        return CompatibilityVerdict(body["is_compatible"], tuple(str(m) for m in messages))

    async def get_config(self, subject: Subject | None = None) -> CompatibilityLevel:
        """The level in force: the subject's own, else the global one."""
        path, params = (
            ("/config", None)
            if subject is None
            else (f"/config/{_q(subject)}", {"defaultToGlobal": "true"})
        )
        body = await self._http.request("GET", path, params=params)
        return answer_level(body, "compatibilityLevel")

    async def set_config(
        self, level: CompatibilityLevel, subject: Subject | None = None
    ) -> CompatibilityLevel:
        path = "/config" if subject is None else f"/config/{_q(subject)}"
        body = await self._http.request("PUT", path, body={"compatibility": level.value})
        return answer_level(body, "compatibility")

    def _remember(self, subject: Subject, schema: AvroSchema, schema_id: SchemaId) -> SchemaId:
        self._ids[(subject, schema.text)] = schema_id
        self._schemas.setdefault(schema_id, schema)
        return schema_id

    def _registered(self, body: Any, subject: Subject) -> RegisteredSchema:
        schema_id = SchemaId(answer_int(body, "id"))
        schema = self._schemas.get(schema_id) or answer_schema(body, f"subject {subject}")
        self._schemas.setdefault(schema_id, schema)
        return RegisteredSchema(
            Subject(str(body.get("subject", subject))),
            answer_int(body, "version"),
            schema_id,
            schema,
        )


def _q(subject: Subject) -> str:
    return quote(subject, safe="")
