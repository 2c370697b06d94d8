"""The worker's /metrics, /livez and /readyz, on faust's own web server (streams.web_port).

Ready means the worker does its job: the group gave it partitions of the centre's topics
and the centre's store answers a read.
"""

import asyncio
from collections.abc import Sequence
from typing import Any, Final

from faust.exceptions import ConsumerNotStarted

from lienthong.health import add_operational_routes
from lienthong.ids import TopicName
from streams.centre import CentreSink
from streams.metrics import WorkerMetrics

__all__ = ["STORE_ANSWER_S", "add_worker_endpoints"]

STORE_ANSWER_S: Final = 5.0
"""How long the centre's store may take to answer a readiness probe."""


def add_worker_endpoints(
    app: Any, sink: CentreSink, metrics: WorkerMetrics, sources: Sequence[TopicName]
) -> None:
    """Serve the endpoints beside faust's own pages (app: a faust.App on aiohttp), and stop
    reporting the partitions revoked from this worker."""

    async def readiness() -> str | None:
        return await worker_readiness(app, sink, sources)

    # faust's aiohttp driver builds its application up front and freezes its router only
    # when the server starts, so routes may be added until then.
    add_operational_routes(app.web.web_app, metrics.registry, readiness)

    async def forget_revoked(sender: Any, revoked: Any, **_: Any) -> None:
        metrics.forget((tp.topic, tp.partition) for tp in revoked)

    revoked_signal: Any = app.on_partitions_revoked  # faust's signal types reject async handlers
    revoked_signal.connect(forget_revoked, weak=False)


async def worker_readiness(app: Any, sink: CentreSink, sources: Sequence[TopicName]) -> str | None:
    try:
        assigned = [tp for tp in app.consumer.assignment() if tp.topic in sources]
    except ConsumerNotStarted:
        return "the consumer has not started yet"
    if not assigned:
        return "no partition of the centre's topics is assigned to this worker"
    try:
        async with asyncio.timeout(STORE_ANSWER_S):
            await sink.stored_offsets(sources[0])
    except TimeoutError:
        return f"the centre's store did not answer within {STORE_ANSWER_S:g} s"
    except Exception as exc:
        return f"the centre's store does not answer: {type(exc).__name__}: {exc}"
    return None
