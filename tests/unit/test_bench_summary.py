"""The figures benchmarks print: percentiles, latency summaries, ratios, per-change legs."""

from datetime import UTC, datetime, timedelta

import pytest

from lienthong.bench import (
    ChangeTimes,
    LatencySummary,
    latency_legs,
    median_ratio,
    percentile,
    summarize_latencies,
)

T0 = datetime(2025, 7, 1, 8, 0, tzinfo=UTC)


def test_percentile_interpolates_between_closest_ranks() -> None:
    values = [40.0, 10.0, 30.0, 20.0]  # unsorted on purpose
    assert percentile(values, 0) == 10.0
    assert percentile(values, 50) == pytest.approx(25.0)
    assert percentile(values, 95) == pytest.approx(38.5)
    assert percentile(values, 100) == 40.0


def test_percentile_of_one_value_is_that_value() -> None:
    assert percentile([7.0], 99) == 7.0


def test_percentile_matches_the_standard_library_inclusive_method() -> None:
    import statistics

    values = [float(v * v % 97) for v in range(1, 200)]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    assert percentile(values, 95) == pytest.approx(cuts[94])
    assert percentile(values, 99) == pytest.approx(cuts[98])


@pytest.mark.parametrize("values, q", [([], 50), ([1.0], -1), ([1.0], 101)])
def test_percentile_refuses_what_it_cannot_answer(values: list[float], q: float) -> None:
    with pytest.raises(ValueError):
        percentile(values, q)


def test_summary_of_latencies() -> None:
    latencies = [float(ms) for ms in range(1, 101)]
    assert summarize_latencies(latencies) == LatencySummary(
        count=100,
        p50_ms=pytest.approx(50.5),
        p95_ms=pytest.approx(95.05),
        p99_ms=pytest.approx(99.01),
        max_ms=100.0,
    )


def test_summary_of_no_latencies_is_none() -> None:
    assert summarize_latencies([]) is None


def test_median_ratio_pairs_runs() -> None:
    assert median_ratio([50.0, 90.0, 30.0], [100.0, 100.0, 100.0]) == pytest.approx(0.5)


def test_median_ratio_needs_paired_runs() -> None:
    with pytest.raises(ValueError):
        median_ratio([1.0], [1.0, 2.0])


def test_latency_legs_keep_a_change_only_where_both_ends_are_known() -> None:
    legs = latency_legs(
        [
            ChangeTimes(T0, T0 + timedelta(milliseconds=200), T0 + timedelta(milliseconds=500)),
            ChangeTimes(T0, None, T0 + timedelta(milliseconds=700)),
            ChangeTimes(T0, T0 + timedelta(milliseconds=100), None),
        ]
    )
    assert legs.end_to_end_ms == pytest.approx([500.0, 700.0])
    assert legs.connector_ms == pytest.approx([200.0, 100.0])
    assert legs.stream_ms == pytest.approx([300.0])
