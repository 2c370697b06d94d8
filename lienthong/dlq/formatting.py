"""Dead letters as text for a terminal and as JSON-ready dicts; pure, no I/O."""

import base64
from datetime import UTC, datetime
from typing import Any, Final

from lienthong.dlq.records import DeadLetterRecord, decode_text
from lienthong.dlq.replay_plan import replay_refusal

__all__ = [
    "PREVIEW_CHARS",
    "detail_lines",
    "key_text",
    "letter_json",
    "original_place",
    "preview",
    "short_class_name",
    "summary_line",
]

PREVIEW_CHARS: Final = 200


def short_class_name(qualified: str | None) -> str:
    """`pydantic_core._pydantic_core.ValidationError` -> `ValidationError`."""
    return qualified.rpartition(".")[2] if qualified else "-"


def preview(raw: bytes | None, limit: int = PREVIEW_CHARS) -> str | None:
    """Printable UTF-8 text of the first bytes; anything unprintable shown as `.`."""
    if raw is None:
        return None
    text = raw[: limit * 4].decode("utf-8", errors="replace")
    shown = "".join(char if char.isprintable() else "." for char in text[:limit])
    return shown + "…" if len(text) > limit or len(raw) > limit * 4 else shown


def original_place(letter: DeadLetterRecord) -> str:
    """`topic[partition]@offset` for a worker's dead letter, `topic` for a connector's."""
    topic = letter.original_topic or "?"
    partition, offset = letter.original_partition, letter.original_offset
    if partition is None:
        return topic
    return f"{topic}[{partition}]@{offset if offset is not None else '?'}"


def key_text(key: bytes | None) -> str:
    """The key as text when UTF-8, `base64:…` otherwise, `-` when absent."""
    if key is None:
        return "-"
    text = decode_text(key)
    return text if text is not None else "base64:" + base64.b64encode(key).decode("ascii")


def _truncate(text: str, width: int | None) -> str:
    if width is None or len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + "…"


def summary_line(letter: DeadLetterRecord, message_width: int | None = None) -> str:
    """One line: DLQ offset, original place, stage, exception class, message, key."""
    message = " ".join((letter.exception_message or "").split())
    return "  ".join(
        (
            f"{letter.offset:>6}",
            original_place(letter),
            letter.stage or "-",
            short_class_name(letter.exception_class),
            _truncate(message, message_width) or "-",
            f"key={key_text(letter.key)}",
        )
    )


def _bytes_json(raw: bytes | None, field: str) -> dict[str, Any]:
    if raw is None:
        return {field: None}
    text = decode_text(raw)
    if text is not None:
        return {field: text}
    return {f"{field}_base64": base64.b64encode(raw).decode("ascii")}


def _timestamp(letter: DeadLetterRecord) -> str | None:
    if letter.timestamp_ms is None:
        return None
    return datetime.fromtimestamp(letter.timestamp_ms / 1000, UTC).isoformat()


def letter_json(letter: DeadLetterRecord) -> dict[str, Any]:
    """The whole dead letter; headers and key as text where UTF-8, else base64."""
    value = letter.value
    return {
        "topic": letter.topic,
        "partition": letter.partition,
        "offset": letter.offset,
        "timestamp": _timestamp(letter),
        "original": {
            "topic": letter.original_topic,
            "partition": letter.original_partition,
            "offset": letter.original_offset,
        },
        "stage": letter.stage,
        "exception_class": letter.exception_class,
        "exception_message": letter.exception_message,
        "replayable": replay_refusal(letter) is None,
        **_bytes_json(letter.key, "key"),
        "value_base64": None if value is None else base64.b64encode(value).decode("ascii"),
        "value_preview": preview(value),
        "headers": [{"name": name, **_bytes_json(raw, "value")} for name, raw in letter.headers],
    }


def detail_lines(letter: DeadLetterRecord) -> list[str]:
    """Everything about one dead letter, for `lienthong dlq show`."""
    refusal = replay_refusal(letter)
    lines = [
        f"dead letter  {letter.topic}[{letter.partition}]@{letter.offset}",
        f"written at   {_timestamp(letter) or '-'}",
        f"original     {original_place(letter)}",
        f"stage        {letter.stage or '-'}",
        f"exception    {letter.exception_class or '-'}",
        f"message      {letter.exception_message or '-'}",
        f"key          {key_text(letter.key)}",
        f"value        {len(letter.value)} bytes" if letter.value is not None else "value        -",
        f"preview      {preview(letter.value) or '-'}",
        f"replayable   {'yes' if refusal is None else 'no: ' + refusal}",
        "headers",
    ]
    for name, raw in letter.headers:
        text = decode_text(raw)
        shown = text if text is not None else "base64:" + base64.b64encode(raw).decode("ascii")
        lines.append(f"  {name}: {shown}")
    return lines
