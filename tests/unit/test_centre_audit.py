"""The audit chain's pure functions: an edited, deleted or reordered entry or history row
is found, and an untouched chain passes."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise

from streams.centre.audit import (
    GENESIS,
    AuditedChange,
    AuditEntry,
    AuditProblem,
    ChainTip,
    ChainWalk,
    canonical_json,
    chain,
    history_problem,
    row_sha256,
)

AT = datetime(2025, 7, 1, 1, 30, 15, 123000, tzinfo=UTC)


def history(event: int) -> dict[str, object]:
    return {"event_id": f"e-{event}", "dossier_no": "HS-1", "dossier": '{"a":1}', "applied_at": AT}


def change(event: int) -> AuditedChange:
    return AuditedChange(
        kind="dossiers",
        entity_key="HS-1",
        event_id=f"e-{event}",
        source_agency="SO-TNMT",
        operation="UPDATE",
        entity_version=event,
        topic="motcua.dossiers",
        partition=0,
        offset=event,
        applied_at=AT,
        row_sha256=row_sha256(history(event)),
    )


def walked(entries: list[AuditEntry]) -> list[AuditProblem]:
    walk = ChainWalk()
    return [problem for entry in entries for problem in walk.check(entry)]


def five() -> list[AuditEntry]:
    return chain(ChainTip(0, GENESIS), [change(i) for i in range(1, 6)])


def test_a_chain_starts_at_genesis_and_links_each_entry_to_the_one_before() -> None:
    entries = five()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in pairwise(entries))
    assert walked(entries) == []


def test_appending_later_continues_the_same_chain() -> None:
    first = chain(ChainTip(0, GENESIS), [change(1), change(2)])
    later = chain(ChainTip(first[-1].seq, first[-1].hash), [change(3)])
    assert walked(first + later) == []
    assert later == chain(ChainTip(0, GENESIS), [change(1), change(2), change(3)])[2:]


def test_an_edited_entry_is_named_once() -> None:
    entries = five()
    entries[2] = replace(entries[2], source_agency="SO-XD")
    problems = walked(entries)
    assert [(p.seq, p.problem) for p in problems] == [(3, "audit entry edited (hash differs)")]


def test_an_entry_edited_with_its_hash_recomputed_breaks_the_next_link() -> None:
    entries = five()
    forged = chain(ChainTip(2, entries[1].hash), [replace(change(3), source_agency="X")])[0]
    entries[2] = forged
    problems = walked(entries)
    assert [p.seq for p in problems] == [4]
    assert "prev_hash" in problems[0].problem


def test_a_deleted_entry_leaves_a_gap() -> None:
    entries = five()
    del entries[1]
    problems = walked(entries)
    assert [(p.seq, p.problem) for p in problems] == [(3, "audit entry seq 2 deleted (chain gap)")]


def test_reordered_entries_are_found() -> None:
    entries = five()
    entries[1], entries[2] = entries[2], entries[1]
    assert walked(entries)
    swapped_seqs = [replace(entries[0]), replace(entries[1], seq=2), replace(entries[2], seq=3)]
    assert {p.problem for p in walked(swapped_seqs)} >= {"audit entry edited (hash differs)"}


def test_a_history_row_is_checked_against_its_digest() -> None:
    entry = five()[0]
    assert history_problem(entry, history(1)) is None
    edited = history(1) | {"dossier": '{"a":2}'}
    assert history_problem(entry, edited) == AuditProblem(
        1, "dossiers", "e-1", "history row edited (sha256 differs)"
    )
    missing = history_problem(entry, None)
    assert missing is not None and missing.problem == "history row deleted"


def test_the_same_instant_in_any_zone_hashes_alike() -> None:
    elsewhere = AT.astimezone(timezone(timedelta(hours=7)))
    assert canonical_json({"at": AT, "b": 1}) == canonical_json({"b": 1, "at": elsewhere})
