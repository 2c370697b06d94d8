"""Change events in the bus's wire format for tests: framed with the registry's schema id."""

from collections.abc import Sequence

from lienthong.events import ChangeEvent, DossierChange
from lienthong.ids import TopicName
from lienthong.serde import AvroDeserializer, AvroSerializer, RegistryClient, repo_schema
from lienthong.settings import Settings
from schemas import DOSSIER_CHANGE

__all__ = ["decode_changes", "encode_changes", "encode_events"]


async def encode_events(
    settings: Settings, topic: TopicName, record_name: str, changes: Sequence[ChangeEvent]
) -> list[bytes]:
    """Register the schema of `record_name` under `topic`'s subject (once) and frame each
    change with it."""
    async with RegistryClient.from_settings(settings.registry) as client:
        serializer = AvroSerializer(client, repo_schema(record_name))
        await serializer.prepare(topic)
        return [serializer.encode(change.to_avro()) for change in changes]


async def encode_changes(settings: Settings, changes: list[DossierChange]) -> list[bytes]:
    """Register the dossier schema under the dossier topic's subject and frame each change."""
    return await encode_events(settings, settings.topics.dossiers, DOSSIER_CHANGE, changes)


async def decode_changes(settings: Settings, values: list[bytes]) -> list[DossierChange]:
    """Decode framed values, fetching each writer schema from the registry."""
    async with RegistryClient.from_settings(settings.registry) as client:
        deserializer = AvroDeserializer(client, reader=repo_schema(DOSSIER_CHANGE))
        return [DossierChange.from_avro(await deserializer.decode_async(v)) for v in values]
