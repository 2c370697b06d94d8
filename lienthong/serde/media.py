"""The media type of Confluent's Schema Registry REST API, shared by our client and our server."""

from typing import Final

__all__ = ["REGISTRY_CONTENT_TYPE"]

REGISTRY_CONTENT_TYPE: Final = "application/vnd.schemaregistry.v1+json"
"""What a registry answers with and what its clients send; registries accept plain JSON too."""
