"""Tailed records as text lines and as JSON objects, for `lienthong topics tail`; pure."""

import json
from dataclasses import asdict
from typing import Any

from lienthong.dlq import key_text, preview
from lienthong.dlq.records import decode_text
from lienthong.observe.decoding import DecodedEvent, Undecodable
from lienthong.observe.documents import iso
from lienthong.observe.tail import TailedRecord

__all__ = ["Reading", "record_json", "record_lines"]

Reading = DecodedEvent | Undecodable | None
"""What decoding made of a value; None when not asked to decode (or a tombstone)."""


def _header_text(raw: bytes) -> str:
    text = decode_text(raw)
    return text if text is not None else f"<{len(raw)} bytes>"


def record_lines(record: TailedRecord, reading: Reading) -> list[str]:
    """A heading line for the record, then its headers and its value, indented."""
    at = iso(record.timestamp) or "-"
    lines = [
        f"{record.topic}[{record.partition}]@{record.offset}  {at}  key={key_text(record.key)}"
    ]
    for name, raw in record.headers:
        lines.append(f"  header   {name}={_header_text(raw)}")
    if record.value is None:
        lines.append("  value    tombstone (the key's entity is deleted)")
        return lines
    match reading:
        case DecodedEvent():
            lines.extend(_event_lines(reading))
        case Undecodable():
            lines.append(f"  value    {reading.length} bytes, not decoded: {reading.reason}")
        case None:
            lines.append(f"  value    {len(record.value)} bytes: {preview(record.value)}")
    return lines


def _event_lines(event: DecodedEvent) -> list[str]:
    lines = [f"  schema   {event.schema}"]
    envelope = event.envelope
    if envelope is not None:
        lines += [
            f"  event    {envelope.event_id or '-'}  {envelope.operation or '-'}",
            f"  source   {envelope.agency or '-'} / {envelope.system or '-'}",
            f"  entity   {envelope.entity_key or '-'} version {envelope.entity_version}",
            f"  occurred {iso(envelope.occurred_at) or '-'}",
            f"  correlation {envelope.correlation_id or '-'}",
        ]
    body = json.dumps(event.payload, ensure_ascii=False, indent=2)
    lines.extend(f"  {line}" for line in body.splitlines())
    return lines


def record_json(record: TailedRecord, reading: Reading) -> dict[str, Any]:
    """Keys: topic, partition, offset, timestamp, key, headers[name, value], tombstone,
    value_length, value_preview, schema, envelope, payload, undecodable."""
    value = record.value
    decoded = reading if isinstance(reading, DecodedEvent) else None
    envelope = decoded.envelope if decoded is not None else None
    return {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "timestamp": iso(record.timestamp),
        "key": None if record.key is None else key_text(record.key),
        "headers": [{"name": name, "value": _header_text(raw)} for name, raw in record.headers],
        "tombstone": value is None,
        "value_length": None if value is None else len(value),
        "value_preview": preview(value) if value is not None and reading is None else None,
        "schema": decoded.schema if decoded is not None else None,
        "envelope": None
        if envelope is None
        else {**asdict(envelope), "occurred_at": iso(envelope.occurred_at)},
        "payload": decoded.payload if decoded is not None else None,
        "undecodable": reading.reason if isinstance(reading, Undecodable) else None,
    }
