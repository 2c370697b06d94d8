"""A stand-in for the Avro serializer, for tests about which events are built, not how they
are encoded: the event builder validates each event before it encodes it."""

import json
from typing import Any

__all__ = ["JsonEncoder"]


class JsonEncoder:
    def encode(self, record: dict[str, Any]) -> bytes:
        return json.dumps(record, default=str).encode("utf-8")
