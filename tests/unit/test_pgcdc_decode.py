"""pgoutput decoding on messages captured from PostgreSQL 15 (`pg_logical_slot_peek_binary_changes`,
proto_version 1) for this sequence on land.parcels (parcel_id text primary key, version int,
area_m2 numeric(12,2), land_uses jsonb, note text):

    BEGIN; INSERT P-1; INSERT P-2; COMMIT
    BEGIN; UPDATE P-1 SET version = 2; DELETE P-2; COMMIT
    INSERT P-3 with an 8 kB note (the message is left out here: too long to read)
    UPDATE P-3 SET version = 2                   -- the TOASTed note is not sent again
    ALTER TABLE land.parcels REPLICA IDENTITY FULL
    UPDATE P-1 SET version = 3, area_m2 = 121.50 -- with the row before
    UPDATE P-1 SET parcel_id = 'P-1b'            -- a key change
    TRUNCATE land.parcels
"""

import json
import struct
from decimal import Decimal
from typing import Any

import pytest

from connectors.contract import Change, Domain, Receipt, Rejected, SourceItem
from connectors.pgcdc.catalog import CapturedTable
from connectors.pgcdc.changes import RowChanges
from connectors.pgcdc.decoding import ChangeDecoder
from connectors.pgcdc.options import PgCdcOptions, TableOptions, default_slot_name
from connectors.pgcdc.pgoutput import (
    Begin,
    Commit,
    Delete,
    Insert,
    Relation,
    Truncate,
    Unchanged,
    Update,
    decode_message,
)
from connectors.pgcdc.positions import (
    SnapshotPosition,
    StreamPosition,
    format_lsn,
    parse_lsn,
    parse_position,
)
from connectors.spec import ConnectorSpec
from lienthong.errors import ConfigurationError, FatalError
from lienthong.ids import ConnectorName

CAPTURED: list[tuple[str, bytes]] = [
    ("2/D0532060", b'B\x00\x00\x00\x02\xd0S" \x00\x03\x03\xf3\x03_\xcaB\x00\x02f\x00'),
    (
        "2/D0532060",
        b"R\x00\x01\xda\xe9land\x00parcels\x00d\x00\x05\x01parcel_id\x00\x00\x00\x00\x19"
        b"\xff\xff\xff\xff\x00version\x00\x00\x00\x00\x17\xff\xff\xff\xff\x00area_m2\x00"
        b"\x00\x00\x06\xa4\x00\x0c\x00\x06\x00land_uses\x00\x00\x00\x0e\xda\xff\xff\xff\xff"
        b"\x00note\x00\x00\x00\x00\x19\xff\xff\xff\xff",
    ),
    (
        "2/D0532060",
        b"I\x00\x01\xda\xe9N\x00\x05t\x00\x00\x00\x03P-1t\x00\x00\x00\x011t\x00\x00\x00\x06"
        b'120.50t\x00\x00\x00,[{"area_m2": 100.5, "use_type_code": "ONT"}]t\x00\x00\x00\x0c'
        b"Th\xc3\xb4n \xc4\x90\xc3\xb4ng",
    ),
    (
        "2/D0532198",
        b"I\x00\x01\xda\xe9N\x00\x05t\x00\x00\x00\x03P-2t\x00\x00\x00\x011t\x00\x00\x00\x0580.00nn",
    ),
    (
        "2/D0532250",
        b'C\x00\x00\x00\x00\x02\xd0S" \x00\x00\x00\x02\xd0S"P\x00\x03\x03\xf3\x03_\xcaB',
    ),
    ("2/D0532250", b"B\x00\x00\x00\x02\xd0S#0\x00\x03\x03\xf3\x03_\xe2\xb2\x00\x02f\x01"),
    (
        "2/D0532250",
        b"U\x00\x01\xda\xe9N\x00\x05t\x00\x00\x00\x03P-1t\x00\x00\x00\x012t\x00\x00\x00\x06"
        b'120.50t\x00\x00\x00,[{"area_m2": 100.5, "use_type_code": "ONT"}]t\x00\x00\x00\x0c'
        b"Th\xc3\xb4n \xc4\x90\xc3\xb4ng",
    ),
    ("2/D05322F0", b"D\x00\x01\xda\xe9K\x00\x05t\x00\x00\x00\x03P-2nnnn"),
    (
        "2/D0532360",
        b"C\x00\x00\x00\x00\x02\xd0S#0\x00\x00\x00\x02\xd0S#`\x00\x03\x03\xf3\x03_\xe2\xb2",
    ),
    ("2/D05345B0", b"B\x00\x00\x00\x02\xd0SFH\x00\x03\x03\xf3\x03_\xfaD\x00\x02f\x02"),
    (
        "2/D0534678",
        b"C\x00\x00\x00\x00\x02\xd0SFH\x00\x00\x00\x02\xd0SFx\x00\x03\x03\xf3\x03_\xfaD",
    ),
    ("2/D05346B0", b"B\x00\x00\x00\x02\xd0SG\x18\x00\x03\x03\xf3\x03_\xfe\xa9\x00\x02f\x03"),
    (
        "2/D05346B0",
        b"U\x00\x01\xda\xe9N\x00\x05t\x00\x00\x00\x03P-3t\x00\x00\x00\x012t\x00\x00\x00\x041.00nu",
    ),
    (
        "2/D0534748",
        b"C\x00\x00\x00\x00\x02\xd0SG\x18\x00\x00\x00\x02\xd0SGH\x00\x03\x03\xf3\x03_\xfe\xa9",
    ),
    ("2/D0534900", b"B\x00\x00\x00\x02\xd0SJ\x00\x00\x03\x03\xf3\x03`\x12\x15\x00\x02f\x05"),
    (
        "2/D0534900",
        b"R\x00\x01\xda\xe9land\x00parcels\x00f\x00\x05\x01parcel_id\x00\x00\x00\x00\x19"
        b"\xff\xff\xff\xff\x01version\x00\x00\x00\x00\x17\xff\xff\xff\xff\x01area_m2\x00"
        b"\x00\x00\x06\xa4\x00\x0c\x00\x06\x01land_uses\x00\x00\x00\x0e\xda\xff\xff\xff\xff"
        b"\x01note\x00\x00\x00\x00\x19\xff\xff\xff\xff",
    ),
    (
        "2/D0534900",
        b"U\x00\x01\xda\xe9O\x00\x05t\x00\x00\x00\x03P-1t\x00\x00\x00\x012t\x00\x00\x00\x06"
        b'120.50t\x00\x00\x00,[{"area_m2": 100.5, "use_type_code": "ONT"}]t\x00\x00\x00\x0c'
        b"Th\xc3\xb4n \xc4\x90\xc3\xb4ngN\x00\x05t\x00\x00\x00\x03P-1t\x00\x00\x00\x013t"
        b'\x00\x00\x00\x06121.50t\x00\x00\x00,[{"area_m2": 100.5, "use_type_code": "ONT"}]t'
        b"\x00\x00\x00\x0cTh\xc3\xb4n \xc4\x90\xc3\xb4ng",
    ),
    (
        "2/D0534A30",
        b"C\x00\x00\x00\x00\x02\xd0SJ\x00\x00\x00\x00\x02\xd0SJ0\x00\x03\x03\xf3\x03`\x12\x15",
    ),
    ("2/D0534A30", b"B\x00\x00\x00\x02\xd0SKp\x00\x03\x03\xf3\x03`\x17F\x00\x02f\x06"),
    (
        "2/D0534A30",
        b"U\x00\x01\xda\xe9O\x00\x05t\x00\x00\x00\x03P-1t\x00\x00\x00\x013t\x00\x00\x00\x06"
        b'121.50t\x00\x00\x00,[{"area_m2": 100.5, "use_type_code": "ONT"}]t\x00\x00\x00\x0c'
        b"Th\xc3\xb4n \xc4\x90\xc3\xb4ngN\x00\x05t\x00\x00\x00\x04P-1bt\x00\x00\x00\x013t"
        b'\x00\x00\x00\x06121.50t\x00\x00\x00,[{"area_m2": 100.5, "use_type_code": "ONT"}]t'
        b"\x00\x00\x00\x0cTh\xc3\xb4n \xc4\x90\xc3\xb4ng",
    ),
    (
        "2/D0534BA0",
        b"C\x00\x00\x00\x00\x02\xd0SKp\x00\x00\x00\x02\xd0SK\xa0\x00\x03\x03\xf3\x03`\x17F",
    ),
    ("2/D0535700", b"B\x00\x00\x00\x02\xd0SW0\x00\x03\x03\xf3\x03`=\xeb\x00\x02f\x07"),
    (
        "2/D0535700",
        b"R\x00\x01\xda\xe9land\x00parcels\x00f\x00\x05\x01parcel_id\x00\x00\x00\x00\x19"
        b"\xff\xff\xff\xff\x01version\x00\x00\x00\x00\x17\xff\xff\xff\xff\x01area_m2\x00"
        b"\x00\x00\x06\xa4\x00\x0c\x00\x06\x01land_uses\x00\x00\x00\x0e\xda\xff\xff\xff\xff"
        b"\x01note\x00\x00\x00\x00\x19\xff\xff\xff\xff",
    ),
    ("2/D0535700", b"T\x00\x00\x00\x01\x00\x00\x01\xda\xe9"),
    (
        "2/D05358A0",
        b"C\x00\x00\x00\x00\x02\xd0SW0\x00\x00\x00\x02\xd0SX\xa0\x00\x03\x03\xf3\x03`=\xeb",
    ),
]

COLUMNS = ("parcel_id", "version", "area_m2", "land_uses", "note")
SPEC = ConnectorSpec(
    name=ConnectorName("land-cdc"),
    kind="pgcdc",
    agency="000.00.00.G12",
    system="vbdlis",
    domains=("land_parcels",),
)
START = StreamPosition(parse_lsn("2/D0532000"))


def parcels(**options: Any) -> RowChanges:
    table = CapturedTable(
        options=TableOptions(
            table="land.parcels", domain=Domain.LAND_PARCELS, json_columns=("land_uses",), **options
        ),
        columns=COLUMNS,
        types=dict.fromkeys(COLUMNS, "text"),
        key_columns=("parcel_id",),
        replica_identity="d",
        fields={column: column for column in COLUMNS},
    )
    return RowChanges(SPEC, table)


def decode_all(after: StreamPosition = START, **kwargs: Any) -> list[SourceItem]:
    decoder = ChangeDecoder({"land.parcels": parcels()}, after, **kwargs)
    return [item for lsn, data in CAPTURED for item in decoder.feed(data, lsn)]


def changes(items: list[SourceItem]) -> list[Change]:
    return [item for item in items if isinstance(item, Change)]


def test_begin_and_commit_carry_the_commit_lsn_the_end_lsn_and_the_time() -> None:
    begin, commit = decode_message(CAPTURED[0][1]), decode_message(CAPTURED[4][1])
    assert isinstance(begin, Begin) and isinstance(commit, Commit)
    assert begin.final_lsn == commit.commit_lsn == parse_lsn("2/D0532220")
    assert commit.end_lsn == parse_lsn(CAPTURED[4][0]), "the commit row's lsn is its end"
    assert begin.committed_at == commit.committed_at
    assert begin.committed_at.tzinfo is not None and begin.xid > 0


def test_a_relation_names_its_columns_types_and_replica_identity() -> None:
    relation = decode_message(CAPTURED[1][1])
    assert isinstance(relation, Relation)
    assert (relation.qualified_name, relation.replica_identity) == ("land.parcels", "d")
    assert [c.name for c in relation.columns] == list(COLUMNS)
    assert [c.type_oid for c in relation.columns] == [25, 23, 1700, 3802, 25]
    assert [c.in_key for c in relation.columns] == [True, False, False, False, False]
    assert relation.columns[2].type_modifier == (12 << 16 | 2) + 4, "numeric(12,2)"


def test_rows_come_as_text_with_markers_for_null_and_unsent_toast() -> None:
    insert, delete = decode_message(CAPTURED[3][1]), decode_message(CAPTURED[7][1])
    unsent = decode_message(CAPTURED[12][1])
    assert isinstance(insert, Insert) and insert.new == (b"P-2", b"1", b"80.00", None, None)
    assert isinstance(delete, Delete) and not delete.old_is_full
    assert delete.old == (b"P-2", None, None, None, None), "only the key of a delete"
    assert isinstance(unsent, Update) and unsent.old is None
    assert unsent.new[-1] is Unchanged.TOAST
    full = decode_message(CAPTURED[16][1])
    assert isinstance(full, Update) and full.old_is_full and full.old is not None
    assert (full.old[1], full.new[1]) == (b"2", b"3")
    truncate = decode_message(CAPTURED[23][1])
    assert isinstance(truncate, Truncate) and truncate.relation_oids == (relation_oid(),)


def relation_oid() -> int:
    relation = decode_message(CAPTURED[1][1])
    assert isinstance(relation, Relation)
    return relation.oid


def test_the_sequence_becomes_changes_in_commit_order_with_typed_values() -> None:
    items = decode_all()
    summary = [
        (item.operation.value, item.key) if isinstance(item, Change) else ("REJECTED", item.key)
        for item in items
    ]
    assert summary == [
        ("CREATE", "P-1"),
        ("CREATE", "P-2"),
        ("UPDATE", "P-1"),
        ("DELETE", "P-2"),
        ("REJECTED", "P-3"),
        ("UPDATE", "P-1"),
        ("DELETE", "P-1"),
        ("CREATE", "P-1b"),
        ("REJECTED", None),
    ]
    created = changes(items)[0]
    assert created.after == {
        "parcel_id": "P-1",
        "version": 1,
        "area_m2": Decimal("120.50"),
        "land_uses": [{"area_m2": 100.5, "use_type_code": "ONT"}],
        "note": "Thôn Đông",
    }
    assert created.version == parse_lsn("2/D0532220"), "the commit LSN is the version"
    assert len({c.event_id for c in changes(items)}) == len(changes(items))


def test_before_images_come_with_replica_identity_full_only() -> None:
    items = changes(decode_all())
    plain_update, plain_delete, full_update, key_gone, key_new = items[2:7]
    assert plain_update.before is None and plain_update.after is not None
    assert plain_delete.before is None and plain_delete.after is None
    assert full_update.before is not None and full_update.after is not None
    assert (full_update.before["version"], full_update.after["version"]) == (2, 3)
    assert key_gone.before is not None and key_gone.before["parcel_id"] == "P-1"
    assert key_new.after is not None and key_new.after["parcel_id"] == "P-1b"
    assert key_gone.version == key_new.version and key_gone.event_id != key_new.event_id


def test_what_the_log_cannot_express_is_dead_lettered_with_the_reason() -> None:
    rejected = [item for item in decode_all() if isinstance(item, Rejected)]
    unsent, truncated = rejected
    assert "note" in unsent.reason and "REPLICA IDENTITY FULL" in unsent.reason
    assert json.loads(unsent.original)["values"]["version"] == 2
    assert "truncated" in truncated.reason and "land.parcels" in truncated.reason


def test_an_unsent_toast_value_is_taken_from_the_full_row_before() -> None:
    decoder = ChangeDecoder({"land.parcels": parcels()}, START)
    list(decoder.feed(CAPTURED[14][1], "2/D0534900"))  # BEGIN
    list(decoder.feed(CAPTURED[15][1], "2/D0534900"))  # RELATION, REPLICA IDENTITY FULL
    old = _tuple([b"P-3", b"1", b"1.00", None, b"long note"])
    new = _tuple([b"P-3", b"2", b"1.00", None, "u"])
    update = b"U" + struct.pack(">I", relation_oid()) + b"O" + old + b"N" + new
    assert list(decoder.feed(update, "2/D0534910")) == []  # held until the commit
    (item,) = decoder.feed(CAPTURED[17][1], "2/D0534A30")
    assert isinstance(item, Change) and item.after is not None
    assert (item.after["version"], item.after["note"]) == (2, "long note")


def _tuple(values: list[bytes | str | None]) -> bytes:
    """TupleData as the protocol lays it out: 'n' null, 'u' unchanged TOAST, 't' text."""
    out = struct.pack(">h", len(values))
    for value in values:
        if value is None:
            out += b"n"
        elif value == "u":
            out += b"u"
        else:
            assert isinstance(value, bytes)
            out += b"t" + struct.pack(">i", len(value)) + value
    return out


def test_each_item_can_be_resumed_after_exactly_even_inside_a_transaction() -> None:
    everything = decode_all()
    first_end = parse_lsn("2/D0532250")
    assert parse_position(everything[0].position or "") == StreamPosition(
        START.lsn, parse_lsn("2/D0532220"), 1
    )
    assert parse_position(everything[1].position or "") == StreamPosition(first_end)
    for index, item in enumerate(everything):
        assert item.position is not None
        after = parse_position(item.position)
        assert isinstance(after, StreamPosition)
        assert decode_all(after) == everything[index + 1 :], f"resumed after item {index}"


async def test_the_last_item_of_each_transaction_carries_a_receipt_for_its_end() -> None:
    ends: list[int] = []

    def receipt_for(end_lsn: int) -> Receipt:
        ends.append(end_lsn)
        return Receipt()

    items = decode_all(receipt_for=receipt_for)
    assert [format_lsn(end) for end in ends] == [
        "2/D0532250",
        "2/D0532360",
        "2/D0534748",
        "2/D0534A30",
        "2/D0534BA0",
        "2/D05358A0",
    ]
    assert sum(item.receipt is not None for item in items) == len(ends)


def test_changes_of_tables_not_captured_are_left_out() -> None:
    decoder = ChangeDecoder({"land.other": parcels()}, START)
    assert [item for lsn, data in CAPTURED for item in decoder.feed(data, lsn)] == []


def test_bytes_that_are_not_pgoutput_stop_the_connector() -> None:
    with pytest.raises(FatalError, match="unknown message type"):
        decode_message(b"Zjunk")
    with pytest.raises(FatalError, match="cannot decode"):
        decode_message(CAPTURED[2][1][:20])


def test_positions_round_trip_as_json_with_lsns_in_postgres_notation() -> None:
    assert format_lsn(parse_lsn("2/D0532060")) == "2/D0532060"
    snapshot = SnapshotPosition(parse_lsn("0/16B3748"), "land.parcels", ("P-9",))
    assert json.loads(snapshot.to_json())["lsn0"] == "0/16B3748"
    assert parse_position(snapshot.to_json()) == snapshot
    assert parse_position(SnapshotPosition(5, "land.parcels").to_json()) == SnapshotPosition(
        5, "land.parcels", None
    )
    with pytest.raises(ConfigurationError):
        parse_position('{"phase": "elsewhere"}')


def test_options_default_the_slot_from_the_connector_name_and_refuse_unknown_keys() -> None:
    assert default_slot_name("land-cdc.h41") == "lienthong_land_cdc_h41"
    with pytest.raises(ConfigurationError, match="63"):
        default_slot_name("x" * 60)
    table = {"table": "land.parcels", "domain": "land_parcels"}
    with pytest.raises(ValueError, match="extra"):
        PgCdcOptions.model_validate({"dsn": "postgresql://h/db", "tables": [table], "x": 1})
    with pytest.raises(ValueError, match="listed twice"):
        PgCdcOptions.model_validate({"dsn": "postgresql://h/db", "tables": [table, table]})
