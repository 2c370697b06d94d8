"""The `http` connector kind: a JSON (and edXML) push API whose answers wait for Kafka."""

from connectors.http.options import Credential, HttpOptions, token_digest
from connectors.http.source import HttpPushSource

__all__ = ["Credential", "HttpOptions", "HttpPushSource", "token_digest"]
