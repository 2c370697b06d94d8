"""The bus-wide Prometheus metrics, read from the dashboard's latest sample at each scrape.

The dashboard doubles as the bus's exporter: lag per group and partition, end offsets per
topic and partition, the newest event per source, records held per dead-letter topic and
members per consumer group. While Kafka is down the last sample keeps being exported and
`lienthong_dashboard_kafka_up` says 0, so alerts can tell stale values from fresh ones.
"""

from collections.abc import Callable, Iterable

from prometheus_client.core import GaugeMetricFamily, Metric

from lienthong.dashboard.sample import BusSample, DashboardState

__all__ = ["BusCollector"]


class BusCollector:
    """A prometheus_client collector over `current()`, the dashboard's state at scrape time."""

    def __init__(self, current: Callable[[], DashboardState]) -> None:
        self._current = current

    def describe(self) -> Iterable[Metric]:
        return []

    def collect(self) -> Iterable[Metric]:
        state = self._current()
        kafka_up = GaugeMetricFamily(
            "lienthong_dashboard_kafka_up", "1 when the dashboard's last sample of Kafka succeeded"
        )
        kafka_up.add_metric([], 1.0 if state.kafka_up else 0.0)
        yield kafka_up
        if state.latest is not None:
            yield from _sample_metrics(state.latest)


def _sample_metrics(sample: BusSample) -> Iterable[Metric]:
    taken = GaugeMetricFamily(
        "lienthong_dashboard_sample_timestamp_seconds", "When the exported sample was taken"
    )
    taken.add_metric([], sample.at.timestamp())
    yield taken

    lag = GaugeMetricFamily(
        "lienthong_consumer_lag",
        "Records a consumer group has not read yet, per partition",
        labels=["group", "topic", "partition"],
    )
    members = GaugeMetricFamily(
        "lienthong_consumer_group_members", "Members of a consumer group", labels=["group"]
    )
    for group in sample.groups:
        group_id = group.group.group_id
        members.add_metric([group_id], len(group.group.members))
        for p in group.partitions:
            lag.add_metric([group_id, p.topic, str(p.partition)], p.lag)
    yield lag
    yield members

    ends = GaugeMetricFamily(
        "lienthong_topic_end_offset",
        "End offset (next offset to be written) per topic and partition",
        labels=["topic", "partition"],
    )
    for topic in sample.topics:
        for partition, end in sorted(topic.end_offsets.items()):
            ends.add_metric([topic.name, str(partition)], end)
    yield ends

    newest = GaugeMetricFamily(
        "lienthong_source_last_event_timestamp_seconds",
        "When the newest event applied in the centre from a source happened",
        labels=["agency", "system"],
    )
    for source in sample.status.sources:
        if source.last_event_at is not None:
            newest.add_metric([source.agency, source.system], source.last_event_at.timestamp())
    yield newest

    dead = GaugeMetricFamily(
        "lienthong_dead_letters", "Records held per dead-letter topic", labels=["topic"]
    )
    for topic_name, count in sorted(sample.status.dead_letters.items()):
        dead.add_metric([topic_name], count)
    yield dead
