"""Our serde beside bare fastavro, on the same records in the same process.

Encode is `AvroSerializer.encode` (Avro body plus Confluent header) against fastavro's
`schemaless_writer` into a fresh buffer; decode is `AvroDeserializer.decode` (header read,
writer schema looked up, record read) against `schemaless_reader` on the bare body. Each
repeat times both sides back to back, alternating which goes first, so drift on a busy
machine hits both; the ratio is the median of the per-repeat ratios.
"""

import asyncio
import gc
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from fastavro import schemaless_reader, schemaless_writer

from lienthong.bench.records import dossier_changes
from lienthong.ids import TopicName
from lienthong.serde import (
    AvroDeserializer,
    AvroSerializer,
    InMemoryRegistry,
    repo_schema,
)
from schemas import DOSSIER_CHANGE

__all__ = ["CodecBench", "Measure", "run_codec_bench"]


@dataclass(frozen=True)
class Measure:
    operation: str
    ours_per_s: float
    """Median records per second of our serde."""
    bare_per_s: float
    """Median records per second of bare fastavro."""
    ratio: float
    """Median over repeats of ours / bare, measured back to back."""


@dataclass(frozen=True)
class CodecBench:
    records: int
    repeats: int
    mean_record_bytes: float
    encode: Measure
    decode: Measure


def run_codec_bench(records: int = 10_000, repeats: int = 7, *, seed: int = 0) -> CodecBench:
    schema = repo_schema(DOSSIER_CHANGE)
    parsed = schema.parsed
    values = [change.to_avro() for change in dossier_changes(records, seed=seed)]
    registry = InMemoryRegistry()
    serializer = AvroSerializer(registry, schema)
    deserializer = AvroDeserializer(registry, reader=schema)
    asyncio.run(serializer.prepare(TopicName("bench.dossiers")))
    framed = [serializer.encode(value) for value in values]
    bodies = [_bare_write(parsed, value) for value in values]
    asyncio.run(deserializer.resolve(framed[0]))

    def ours_encode() -> None:
        encode = serializer.encode
        for value in values:
            encode(value)

    def bare_encode() -> None:
        for value in values:
            _bare_write(parsed, value)

    def ours_decode() -> None:
        decode = deserializer.decode
        for data in framed:
            decode(data)

    def bare_decode() -> None:
        for body in bodies:
            schemaless_reader(BytesIO(body), parsed, None)

    return CodecBench(
        records=records,
        repeats=repeats,
        mean_record_bytes=statistics.fmean(len(data) for data in framed),
        encode=_measure("encode+frame", ours_encode, bare_encode, records, repeats),
        decode=_measure("decode", ours_decode, bare_decode, records, repeats),
    )


def _bare_write(parsed: Any, value: dict[str, Any]) -> bytes:
    buffer = BytesIO()
    schemaless_writer(buffer, parsed, value)
    return buffer.getvalue()


def _measure(
    operation: str,
    ours: Callable[[], None],
    bare: Callable[[], None],
    records: int,
    repeats: int,
) -> Measure:
    ours_rates: list[float] = []
    bare_rates: list[float] = []
    for repeat in range(repeats):
        first, second = (ours, bare) if repeat % 2 == 0 else (bare, ours)
        timings = {first: _seconds(first), second: _seconds(second)}
        ours_rates.append(records / timings[ours])
        bare_rates.append(records / timings[bare])
    ratios: Sequence[float] = [o / b for o, b in zip(ours_rates, bare_rates, strict=True)]
    return Measure(
        operation,
        statistics.median(ours_rates),
        statistics.median(bare_rates),
        statistics.median(ratios),
    )


def _seconds(run: Callable[[], None]) -> float:
    gc.collect()
    start = time.perf_counter()
    run()
    return time.perf_counter() - start
