"""The operators' records: lag, topic sizes, freshness levels; pure, no Kafka."""

from datetime import UTC, datetime, timedelta

import pytest

from lienthong.ids import TopicName
from lienthong.observe import PartitionLag, SourceFreshness, TopicState
from lienthong.settings import ObserveSettings

NOW = datetime(2025, 7, 1, 8, 0, tzinfo=UTC)
OBSERVE = ObserveSettings(late_after_s=120, silent_after_s=900)


def topic(name: str, begins: dict[int, int], ends: dict[int, int]) -> TopicState:
    return TopicState(TopicName(name), len(ends), 1, {}, begins, ends)


def test_a_topic_holds_the_records_between_its_begin_and_end_offsets() -> None:
    held = topic("motcua.dossiers", {0: 10, 1: 0}, {0: 15, 1: 7})
    assert (held.records, held.end_total) == (12, 22)
    assert not held.is_dead_letter
    assert topic("motcua.dossiers.dlq", {}, {0: 3}).is_dead_letter


def test_lag_counts_from_the_committed_offset_or_the_start() -> None:
    read = PartitionLag(TopicName("t"), 0, end_offset=10, committed=4)
    assert read.lag == 6
    assert PartitionLag(TopicName("t"), 1, end_offset=10, committed=None).lag == 10
    assert read.event_time_lag_s(NOW) is None


def test_event_time_lag_is_the_age_of_the_last_applied_event() -> None:
    lag = PartitionLag(TopicName("t"), 0, 5, 5, last_applied_at=NOW - timedelta(seconds=42))
    assert lag.event_time_lag_s(NOW) == 42.0


@pytest.mark.parametrize(
    ("age_s", "level"),
    [(0, "healthy"), (119, "healthy"), (120, "late"), (899, "late"), (900, "silent")],
)
def test_a_source_turns_late_then_silent_as_its_last_event_ages(age_s: int, level: str) -> None:
    source = SourceFreshness("000.00.00.H41", "motcua", NOW - timedelta(seconds=age_s), NOW, 3)
    assert source.age_s(NOW) == age_s
    assert source.level(NOW, OBSERVE) == level


def test_a_source_without_events_is_silent() -> None:
    source = SourceFreshness("000.00.15.H41", "vilis", None, None, 0)
    assert source.age_s(NOW) is None
    assert source.level(NOW, OBSERVE) == "silent"
