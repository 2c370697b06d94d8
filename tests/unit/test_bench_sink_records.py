"""The sink bench's records: each dossier created once, then updated with rising versions."""

from collections import defaultdict

from lienthong.bench import sink_changes
from lienthong.events import Operation


def test_changes_cover_the_dossiers_in_rounds() -> None:
    changes = sink_changes(50, 20)
    versions: defaultdict[str, list[int]] = defaultdict(list)
    for change in changes:
        envelope = change.envelope
        assert change.after is not None
        assert change.after.dossier_no == envelope.entity_key
        expected = Operation.CREATE if envelope.entity_version == 1 else Operation.UPDATE
        assert envelope.operation is expected
        versions[envelope.entity_key].append(envelope.entity_version)
    assert len(versions) == 20
    assert all(v == list(range(1, len(v) + 1)) for v in versions.values())
    assert sorted(len(v) for v in versions.values()) == [2] * 10 + [3] * 10
    assert len({change.envelope.event_id for change in changes}) == 50


def test_same_seed_same_changes() -> None:
    assert sink_changes(30, 10, seed=4) == sink_changes(30, 10, seed=4)
