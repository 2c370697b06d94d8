"""The faust app of the centre's stream processors, built from Settings."""

from typing import Any

from lienthong.kafka_clients import faust_broker_credentials
from lienthong.serde import RegistryClient
from lienthong.settings import Settings
from streams.centre import CentreSink
from streams.committed_reads import CentreApp
from streams.metrics import WorkerMetrics
from streams.probes import add_worker_endpoints
from streams.resume import resume_from_centre
from streams.scores import add_overdue_timer
from streams.sync import add_centre_agent

__all__ = ["create_app"]


def create_app(settings: Settings, sink: CentreSink, registry: RegistryClient) -> Any:
    """A faust.App whose agents write to `sink`; its topics must already exist (ensure_topics).
    Its web server (streams.web_port) serves /metrics, /livez and /readyz.

    At-least-once delivery from Kafka, effectively once into the centre: the sink commits
    rows and offsets together and the consumer resumes from the sink's offsets. faust's
    exactly_once mode would only cover Kafka-to-Kafka writes, so it stays off.
    """
    streams = settings.streams
    datadir = settings.var_dir / "streams"
    datadir.mkdir(parents=True, exist_ok=True)  # faust creates only the last level
    servers = [s.strip() for s in settings.kafka.bootstrap_servers.split(",") if s.strip()]
    app = CentreApp(
        streams.app_id,
        broker=[f"kafka://{server}" for server in servers],
        broker_client_id=f"{settings.kafka.client_id}-streams",
        broker_credentials=faust_broker_credentials(settings.kafka),
        processing_guarantee="at_least_once",
        consumer_auto_offset_reset="earliest",
        store="memory://",
        # On stop faust would wait for every event in flight to be acked; a batch held back
        # by a failing store never is, so the worker would never stop. Not waiting is safe:
        # the centre's offsets, not faust's acks, say where the next start resumes.
        stream_wait_empty=False,
        topic_partitions=settings.topics.partitions,
        topic_replication_factor=settings.topics.replication_factor,
        # Topics are created by ensure_topics with the bus's partition counts; faust must
        # neither create them nor need its leader topic (the broker refuses auto-creation).
        topic_allow_declare=False,
        topic_disable_leader=True,
        web_enabled=True,
        web_bind="127.0.0.1",
        web_host="127.0.0.1",
        web_port=streams.web_port,
        datadir=datadir,
        autodiscover=False,
    )
    metrics = WorkerMetrics()
    add_centre_agent(app, settings, sink, registry, metrics)
    add_worker_endpoints(app, sink, metrics, settings.topics.centre_sources)
    add_overdue_timer(app, sink, streams.overdue_every_s)

    async def close_registry(sender: Any, **_: Any) -> None:
        await registry.close()  # inside the loop, before faust closes it

    before_shutdown: Any = app.on_before_shutdown  # faust's signal types reject async handlers
    before_shutdown.connect(close_registry, weak=False)
    resume_from_centre(app, sink, settings.topics.centre_sources)
    return app
