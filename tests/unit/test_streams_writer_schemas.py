"""How the dossier agent finds each record's writer schema before it decodes anything."""

import pytest

from lienthong.ids import SchemaId, Subject
from lienthong.serde import AvroDeserializer, InMemoryRegistry, frame, repo_schema
from schemas import DOSSIER_CHANGE
from streams import sync
from streams.transforms import DeadLetter, ErrorStage


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync, "_UNKNOWN_ID_RETRY_S", (0.01, 0.01))


async def test_a_registered_writer_is_resolved_and_nothing_is_dead_lettered() -> None:
    registry = InMemoryRegistry()
    schema_id = await registry.register(Subject("t-value"), repo_schema(DOSSIER_CHANGE))
    deserializer = AvroDeserializer(registry, reader=repo_schema(DOSSIER_CHANGE))
    assert await sync._resolve_writer(deserializer, frame(schema_id, b"")) is None
    assert await sync._resolve_writer(deserializer, None) is None  # a tombstone


async def test_an_id_the_registry_never_learns_is_dead_lettered_after_asking_again(
    quick_retries: None,
) -> None:
    deserializer = AvroDeserializer(InMemoryRegistry(), reader=repo_schema(DOSSIER_CHANGE))
    letter = await sync._resolve_writer(deserializer, frame(SchemaId(4242), b"\x02"))
    assert isinstance(letter, DeadLetter)
    assert letter.stage is ErrorStage.VALUE_CONVERTER
    assert "4242" in letter.message


async def test_an_id_the_registry_learns_a_moment_later_is_resolved(quick_retries: None) -> None:
    registry = InMemoryRegistry()
    deserializer = AvroDeserializer(registry, reader=repo_schema(DOSSIER_CHANGE))
    lookups = 0
    original = registry.schema_by_id

    async def late_schema_by_id(schema_id: SchemaId):  # type: ignore[no-untyped-def]
        nonlocal lookups
        lookups += 1
        if lookups == 2:  # another registry instance has just read the registration
            await registry.register(Subject("t-value"), repo_schema(DOSSIER_CHANGE))
        return await original(schema_id)

    registry.schema_by_id = late_schema_by_id  # type: ignore[method-assign]
    assert await sync._resolve_writer(deserializer, frame(SchemaId(1), b"")) is None
    assert lookups == 2


async def test_a_value_that_is_not_framed_is_dead_lettered_at_once() -> None:
    deserializer = AvroDeserializer(InMemoryRegistry(), reader=repo_schema(DOSSIER_CHANGE))
    letter = await sync._resolve_writer(deserializer, b"\x02not framed")
    assert isinstance(letter, DeadLetter)
    assert "magic byte" in letter.message
