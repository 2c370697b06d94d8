"""A connector's value serializer, its schema registered (or found) before the first record."""

from lienthong.ids import TopicName
from lienthong.serde import (
    AvroSerializer,
    MessageField,
    RegistryClient,
    SubjectNotFoundError,
    load_catalog,
    repo_schema,
    subject_name,
)
from lienthong.settings import Settings

__all__ = ["prepared_serializer"]


async def prepared_serializer(
    registry: RegistryClient, settings: Settings, record_name: str, topic: TopicName
) -> AvroSerializer:
    serializer = AvroSerializer(
        registry,
        repo_schema(record_name),
        auto_register=settings.registry.auto_register,
        strategy=settings.registry.subject_strategy,
    )
    if settings.registry.auto_register:
        await _declare_level(registry, serializer, record_name, topic)
    await serializer.prepare(topic)
    return serializer


async def _declare_level(
    registry: RegistryClient, serializer: AvroSerializer, record_name: str, topic: TopicName
) -> None:
    """A subject this connector is about to create gets the compatibility level declared for
    its record in schemas/subjects.json, not the registry's default; an existing subject
    keeps whatever its operators set."""
    subject = subject_name(serializer.strategy, topic, record_name, MessageField.VALUE)
    try:
        await registry.versions(subject)
    except SubjectNotFoundError:
        level = load_catalog().find(record_name).compatibility
        await registry.set_config(level, subject)
