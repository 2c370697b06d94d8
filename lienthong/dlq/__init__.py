"""Dead-letter topics: read them, show them, and replay the records that can go back."""

from lienthong.dlq.errors import DeadLetterNotFoundError, NotReplayableError
from lienthong.dlq.formatting import (
    detail_lines,
    key_text,
    letter_json,
    original_place,
    preview,
    short_class_name,
    summary_line,
)
from lienthong.dlq.reader import read_dead_letters, read_dead_letters_at
from lienthong.dlq.records import REPLAYED_FROM_HEADER, DeadLetterRecord
from lienthong.dlq.replay_plan import ReplayPlan, plan_replay, replay_refusal, replayed_from
from lienthong.dlq.replayer import Replayed, replay

__all__ = [
    "REPLAYED_FROM_HEADER",
    "DeadLetterNotFoundError",
    "DeadLetterRecord",
    "NotReplayableError",
    "ReplayPlan",
    "Replayed",
    "detail_lines",
    "key_text",
    "letter_json",
    "original_place",
    "plan_replay",
    "preview",
    "read_dead_letters",
    "read_dead_letters_at",
    "replay",
    "replay_refusal",
    "replayed_from",
    "short_class_name",
    "summary_line",
]
