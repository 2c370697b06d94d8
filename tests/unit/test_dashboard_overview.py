"""The JSON the dashboard's page reads: its shape, and how Kafka being down shows in it."""

import json
from datetime import timedelta
from typing import Any

from lienthong.dashboard import DashboardState, History, build_overview
from lienthong.settings import Settings
from lienthong.topics import bus_topics
from tests.unit.dashboard_samples import DOSSIERS, DOSSIERS_DLQ, T0, WORKERS, bus_sample

NOW = T0 + timedelta(seconds=2, milliseconds=500)


def _overview_json(state: DashboardState, history: History) -> dict[str, Any]:
    overview = build_overview(Settings(), state, history, NOW)
    parsed: dict[str, Any] = json.loads(overview.model_dump_json())
    return parsed


def _sampled_twice() -> tuple[DashboardState, History]:
    history = History(capacity=10)
    history.record(bus_sample(T0, dossier_ends=(100, 50)))
    latest = bus_sample(T0 + timedelta(seconds=2), dossier_ends=(120, 70), last_event_age_s=150)
    history.record(latest)
    return DashboardState(latest, kafka_up=True, checked_at=latest.at), history


def test_the_overview_carries_every_section_of_the_page() -> None:
    body = _overview_json(*_sampled_twice())
    assert set(body) >= {
        "bus", "bootstrap_servers", "now", "sampled_at", "kafka_up", "problem", "stale",
        "thresholds", "components", "sources", "topics", "groups", "dead_letters",
        "subjects", "centre", "connectors",
    }  # fmt: skip
    assert body["kafka_up"] is True and body["stale"] is False and body["problem"] is None
    assert [c["name"] for c in body["components"]] == [
        "kafka", "registry", "centre", "workers", "connectors",
    ]  # fmt: skip
    assert body["subjects"] == [{"subject": f"{DOSSIERS}-value", "versions": [1, 2]}]
    assert body["centre"][0]["behind"] == 190 - 140


def test_topics_show_end_offsets_and_throughput_with_its_series() -> None:
    topics = {t["name"]: t for t in _overview_json(*_sampled_twice())["topics"]}
    dossiers = topics[DOSSIERS]
    assert dossiers["end_total"] == 190
    assert dossiers["end_offsets"] == [
        {"partition": 0, "begin_offset": 0, "end_offset": 120},
        {"partition": 1, "begin_offset": 0, "end_offset": 70},
    ]
    assert dossiers["throughput_per_s"] == 20.0
    assert [value for _, value in dossiers["throughput_series"]] == [20.0]
    assert topics[DOSSIERS_DLQ]["is_dead_letter"] is True


def test_topics_of_the_bus_come_first() -> None:
    settings = Settings()
    ours = {spec.name for spec in bus_topics(settings)}
    names = [t["name"] for t in _overview_json(*_sampled_twice())["topics"]]
    assert names == [DOSSIERS, DOSSIERS_DLQ]
    assert set(names) <= ours


def test_lag_per_group_and_partition_with_the_total_series() -> None:
    [group] = _overview_json(*_sampled_twice())["groups"]
    assert group["group_id"] == WORKERS and group["members"] == 1 and group["state"] == "Stable"
    assert group["total_lag"] == (120 - 90) + (70 - 50)
    assert [(p["partition"], p["lag"]) for p in group["partitions"]] == [(0, 30), (1, 20)]
    assert group["partitions"][0]["event_time_lag_s"] == 5.5, "the last applied event is 5.5 s old"
    assert [value for _, value in group["lag_series"]] == [10.0, 50.0]


def test_sources_say_how_fresh_they_are_in_words() -> None:
    [source] = _overview_json(*_sampled_twice())["sources"]
    assert source["agency"] == "000.00.00.H41" and source["system"] == "motcua"
    assert source["age_s"] == 150.5
    assert source["level"] == "late", "older than late_after_s (120 s)"
    assert source["event_time_lag_s"] == 3.0


def test_dead_letter_counts_and_connectors() -> None:
    body = _overview_json(*_sampled_twice())
    [dead] = body["dead_letters"]
    assert dead["topic"] == DOSSIERS_DLQ and dead["source_topic"] == DOSSIERS
    assert dead["count"] == 2
    [connector] = body["connectors"]
    assert connector["state"] == "RUNNING" and connector["published"] == 1234


def test_kafka_down_keeps_the_last_sample_and_says_why() -> None:
    state, history = _sampled_twice()
    down = DashboardState(
        state.latest, kafka_up=False, problem="Kafka at x does not answer", checked_at=NOW
    )
    body = _overview_json(down, history)
    assert body["kafka_up"] is False and body["stale"] is True
    assert body["components"][0] == {
        "name": "kafka",
        "up": False,
        "detail": "Kafka at x does not answer",
    }
    assert body["topics"], "the last sample is still shown"


def test_before_any_sample_everything_is_unknown() -> None:
    body = _overview_json(DashboardState(), History(capacity=10))
    assert body["kafka_up"] is None and body["sampled_at"] is None
    assert {c["up"] for c in body["components"]} == {None}
    assert body["topics"] == [] and body["groups"] == [] and body["sources"] == []
