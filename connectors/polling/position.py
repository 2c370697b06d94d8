"""Where a polling connector stands: the (timestamp, incrementing id) of the last row read.

Stored as JSON text, `{"ts": "2025-07-07T08:30:00.123456+00:00", "id": 42}`. The timestamp
keeps the shape the database gave it (with or without an offset), so binding it back compares
exactly with the stored values.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from lienthong.errors import ConfigurationError

__all__ = ["PollPosition"]


@dataclass(frozen=True, slots=True, order=True)
class PollPosition:
    ts: datetime
    id: int

    def to_text(self) -> str:
        return json.dumps({"ts": self.ts.isoformat(timespec="microseconds"), "id": self.id})

    @classmethod
    def from_text(cls, text: str) -> "PollPosition":
        try:
            document = json.loads(text)
            ts = datetime.fromisoformat(document["ts"])
            row_id = document["id"]
        except (ValueError, TypeError, KeyError) as exc:
            raise ConfigurationError(
                f"stored position {text!r} is not a polling position "
                '({"ts": ..., "id": ...}); reset the connector\'s position'
            ) from exc
        if not isinstance(row_id, int):
            raise ConfigurationError(f"stored position {text!r} has a non-integer id")
        return cls(ts, row_id)
