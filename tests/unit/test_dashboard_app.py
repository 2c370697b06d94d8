"""The dashboard's web routes, called in-process: /metrics serves the bus-wide metrics of the
exporter, /api/overview the page's JSON, /readyz waits for the first sample."""

import json
from datetime import UTC, datetime, timedelta

from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from prometheus_client.parser import text_string_to_metric_families

from lienthong.dashboard import (
    BusCollector,
    DashboardState,
    History,
    build_app,
    dead_letter_list,
)
from lienthong.dlq import DeadLetterRecord
from lienthong.dlq.records import (
    ERRORS_EXCEPTION_CLASS,
    ERRORS_EXCEPTION_MESSAGE,
    ERRORS_OFFSET,
    ERRORS_PARTITION,
    ERRORS_STAGE,
    ERRORS_TOPIC,
)
from lienthong.health import process_registry
from lienthong.settings import Settings
from tests.unit.dashboard_samples import DOSSIERS, DOSSIERS_DLQ, T0, WORKERS, bus_sample


class _Dashboard:
    """The application over a state the test sets, as the sampler would."""

    def __init__(self) -> None:
        self.state = DashboardState()
        self.history = History(capacity=10)
        registry = process_registry()
        registry.register(BusCollector(lambda: self.state))
        self.app = build_app(Settings(), lambda: self.state, self.history, registry)

    def sampled(self) -> None:
        sample = bus_sample(T0)
        self.history.record(sample)
        self.state = DashboardState(sample, kafka_up=True, checked_at=T0)

    async def get(self, path: str) -> web.Response:
        request = make_mocked_request("GET", path, app=self.app)
        match = await self.app.router.resolve(request)
        request = make_mocked_request("GET", path, app=self.app, match_info=dict(match))
        response = await match.handler(request)
        assert isinstance(response, web.Response)
        return response


async def _metrics(dashboard: _Dashboard) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample /metrics serves, by name and sorted labels."""
    response = await dashboard.get("/metrics")
    assert response.status == 200
    body = response.body
    assert isinstance(body, bytes)
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


async def test_metrics_serve_the_bus_wide_exporter_metrics() -> None:
    dashboard = _Dashboard()
    dashboard.sampled()
    samples = await _metrics(dashboard)
    lag = (("group", WORKERS), ("partition", "0"), ("topic", DOSSIERS))
    assert samples[("lienthong_consumer_lag", lag)] == 10
    assert samples[("lienthong_topic_end_offset", (("partition", "1"), ("topic", DOSSIERS)))] == 50
    newest = (T0 - timedelta(seconds=30)).timestamp()
    source = (("agency", "000.00.00.H41"), ("system", "motcua"))
    assert samples[("lienthong_source_last_event_timestamp_seconds", source)] == newest
    assert samples[("lienthong_dead_letters", (("topic", DOSSIERS_DLQ),))] == 2
    assert samples[("lienthong_consumer_group_members", (("group", WORKERS),))] == 1
    assert samples[("lienthong_dashboard_kafka_up", ())] == 1
    assert any(name == "process_cpu_seconds_total" for name, _ in samples)


async def test_metrics_before_any_sample_say_kafka_is_not_known_up() -> None:
    samples = await _metrics(_Dashboard())
    assert samples[("lienthong_dashboard_kafka_up", ())] == 0
    assert not any(name == "lienthong_consumer_lag" for name, _ in samples)


async def test_overview_route_answers_the_page_json() -> None:
    dashboard = _Dashboard()
    dashboard.sampled()
    response = await dashboard.get("/api/overview")
    assert response.status == 200 and response.content_type == "application/json"
    assert isinstance(response.text, str)
    body = json.loads(response.text)
    assert [t["name"] for t in body["topics"]] == [DOSSIERS, DOSSIERS_DLQ]
    assert body["dead_letters"][0]["count"] == 2


async def test_ready_once_the_bus_was_sampled() -> None:
    dashboard = _Dashboard()
    assert (await dashboard.get("/readyz")).status == 503
    dashboard.state = DashboardState(kafka_up=False, problem="down", checked_at=T0)
    assert (await dashboard.get("/readyz")).status == 200, "serving Kafka's absence is ready"


async def test_only_dead_letter_topics_can_be_listed() -> None:
    response = await _Dashboard().get(f"/api/dead-letters/{DOSSIERS}")
    assert response.status == 404


def test_dead_letters_are_listed_newest_first_with_their_reason() -> None:
    def letter(offset: int, reason: str) -> DeadLetterRecord:
        headers = {
            ERRORS_TOPIC: DOSSIERS,
            ERRORS_PARTITION: "1",
            ERRORS_OFFSET: str(40 + offset),
            ERRORS_STAGE: "deserialize",
            ERRORS_EXCEPTION_CLASS: "lienthong.serde.errors.WireFormatError",
            ERRORS_EXCEPTION_MESSAGE: reason,
        }
        written = datetime(2025, 7, 1, 8, 0, offset, tzinfo=UTC)
        return DeadLetterRecord(
            topic=DOSSIERS_DLQ,
            partition=0,
            offset=offset,
            timestamp_ms=int(written.timestamp() * 1000),
            key=b"HS-1",
            value=b"\x00garbage",
            headers=tuple((name, value.encode()) for name, value in headers.items()),
        )

    listed = dead_letter_list(DOSSIERS_DLQ, [letter(0, "first"), letter(1, "no magic byte")])
    assert listed.read == 2
    newest = listed.letters[0]
    assert (newest.offset, newest.reason, newest.exception) == (
        1,
        "no magic byte",
        "WireFormatError",
    )
    assert (newest.original_topic, newest.original_partition, newest.original_offset) == (
        DOSSIERS,
        1,
        41,
    )
    assert newest.stage == "deserialize" and newest.key == "HS-1"
    assert newest.written_at == datetime(2025, 7, 1, 8, 0, 1, tzinfo=UTC)
