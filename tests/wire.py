"""Dossier changes in the bus's wire format for tests: framed with the registry's schema id."""

from lienthong.events import DossierChange
from lienthong.serde import AvroDeserializer, AvroSerializer, RegistryClient, repo_schema
from lienthong.settings import Settings
from schemas import DOSSIER_CHANGE

__all__ = ["decode_changes", "encode_changes"]


async def encode_changes(settings: Settings, changes: list[DossierChange]) -> list[bytes]:
    """Register the dossier schema under the topic's subject (once) and frame each change."""
    async with RegistryClient.from_settings(settings.registry) as client:
        serializer = AvroSerializer(client, repo_schema(DOSSIER_CHANGE))
        await serializer.prepare(settings.topics.dossiers)
        return [serializer.encode(change.to_avro()) for change in changes]


async def decode_changes(settings: Settings, values: list[bytes]) -> list[DossierChange]:
    """Decode framed values, fetching each writer schema from the registry."""
    async with RegistryClient.from_settings(settings.registry) as client:
        deserializer = AvroDeserializer(client, reader=repo_schema(DOSSIER_CHANGE))
        return [DossierChange.from_avro(await deserializer.decode_async(v)) for v in values]
