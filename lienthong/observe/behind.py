"""How far a consumer that keeps its own offsets (the centre keeps them with its rows) is
behind the bus, in records rather than offsets: connectors publish in transactions, and the
commit marker ending each one would otherwise keep a caught-up centre one behind forever."""

from collections.abc import Mapping

from lienthong.ids import TopicName
from lienthong.observe.bus import BusView
from lienthong.observe.records import TopicState
from lienthong.observe.unread import Place

__all__ = ["records_behind"]


async def records_behind(
    view: BusView,
    topics: Mapping[TopicName, TopicState],
    stored: Mapping[TopicName, Mapping[int, int]],
) -> dict[TopicName, int]:
    """Topic -> records from the stored next offsets to the end, for every topic of `stored`
    (0 for one the bus does not have). A partition with no stored offset counts from its
    first record."""
    positions: dict[Place, int] = {}
    for name, offsets in stored.items():
        topic = topics.get(name)
        if topic is None:
            continue
        for partition, end in topic.end_offsets.items():
            applied = offsets.get(partition, topic.begin_offsets.get(partition, 0))
            if end > applied:  # offsets past it: markers only, or records to count
                positions[(name, partition)] = applied
    unread = await view.unread_records(positions)
    behind = dict.fromkeys(stored, 0)
    for (name, _), count in unread.items():
        behind[name] += count
    return behind
