"""The dashboard's time series: throughput from end offsets, lag, freshness and dead letters."""

from datetime import timedelta

import pytest

from lienthong.dashboard import History, Point, SeriesSet, throughput_per_s
from tests.unit.dashboard_samples import DOSSIERS, DOSSIERS_DLQ, T0, WORKERS, bus_sample


def test_throughput_is_the_growth_of_end_offsets_per_second() -> None:
    assert throughput_per_s(Point(10.0, 1_000), Point(12.0, 1_050)) == 25.0


def test_a_topic_created_again_has_no_negative_throughput() -> None:
    assert throughput_per_s(Point(10.0, 1_000), Point(12.0, 40)) == 0.0


def test_no_throughput_without_time_passing() -> None:
    assert throughput_per_s(Point(10.0, 1_000), Point(10.0, 1_050)) is None


def test_a_series_keeps_its_newest_points_only() -> None:
    series = SeriesSet(capacity=3)
    for second in range(5):
        series.update(float(second), {"a": second * 10.0})
    assert [p.value for p in series.points("a")] == [20.0, 30.0, 40.0]
    assert series.last("a") == 40.0


def test_a_series_whose_subject_disappears_is_dropped() -> None:
    series = SeriesSet(capacity=3)
    series.update(1.0, {"a": 1.0, "b": 2.0})
    series.update(2.0, {"b": 3.0})
    assert series.names() == ["b"]
    assert series.points("a") == ()


def test_history_rates_topics_between_samples() -> None:
    history = History(capacity=10)
    history.record(bus_sample(T0, dossier_ends=(100, 50)))
    assert history.throughput.points(DOSSIERS) == (), "one sample gives no rate yet"
    history.record(bus_sample(T0 + timedelta(seconds=2), dossier_ends=(130, 60)))
    history.record(bus_sample(T0 + timedelta(seconds=4), dossier_ends=(130, 60)))
    assert [p.value for p in history.throughput.points(DOSSIERS)] == [20.0, 0.0]
    second = (T0 + timedelta(seconds=2)).timestamp()
    assert history.throughput.points(DOSSIERS)[0].at == pytest.approx(second)


def test_history_keeps_lag_freshness_and_dead_letters() -> None:
    history = History(capacity=10)
    history.record(bus_sample(T0, committed=(90, 50), dead_letters=2, last_event_age_s=30))
    later = T0 + timedelta(seconds=2)
    history.record(bus_sample(later, committed=(95, 40), dead_letters=3, last_event_age_s=32))
    assert [p.value for p in history.group_lag.points(WORKERS)] == [10.0, 15.0]
    assert [p.value for p in history.source_age.points("000.00.00.H41/motcua")] == [30.0, 32.0]
    assert [p.value for p in history.dead_letters.points(DOSSIERS_DLQ)] == [2.0, 3.0]


def test_history_is_bounded_by_its_capacity() -> None:
    history = History(capacity=4)
    for second in range(0, 20, 2):
        history.record(bus_sample(T0 + timedelta(seconds=second), dossier_ends=(second, 0)))
    assert len(history.group_lag.points(WORKERS)) == 4
    assert len(history.throughput.points(DOSSIERS)) == 4
