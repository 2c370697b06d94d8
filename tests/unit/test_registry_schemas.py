"""A submitted schema becomes one canonical text, or a 42201 with the parser's message."""

import pytest

from lienthong.registry.avro_schemas import parse_schema
from lienthong.registry.errors import InvalidSchemaError


def test_layout_and_key_order_do_not_change_the_canonical_text() -> None:
    one = parse_schema(
        '{"type": "record", "name": "A", "namespace": "vn", '
        '"fields": [{"name": "a", "type": "int", "default": 0}]}'
    )
    two = parse_schema(
        '{"fields":[{"default":0,"type":"int","name":"a"}],"namespace":"vn","name":"A",'
        '"type":"record"}'
    )
    assert one.text == two.text
    assert one.text == (
        '{"type":"record","name":"A","namespace":"vn",'
        '"fields":[{"name":"a","type":"int","default":0}]}'
    )


def test_what_changes_meaning_changes_the_text() -> None:
    base = '{"type":"record","name":"A","fields":[{"name":"a","type":"int"%s}]}'
    assert parse_schema(base % "").text != parse_schema(base % ',"default":1').text
    assert parse_schema(base % "").text != parse_schema(base % ',"doc":"x"').text


def test_logical_types_docs_and_custom_properties_are_kept() -> None:
    text = parse_schema(
        '{"type":"record","name":"A","doc":"d","x-owner":"centre","fields":[{"name":"at",'
        '"type":{"type":"long","logicalType":"timestamp-millis"}}]}'
    ).text
    assert '"logicalType":"timestamp-millis"' in text
    assert '"doc":"d"' in text and '"x-owner":"centre"' in text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"type":"recrd"}', "Undefined type: recrd"),
        ("not json", "Error parsing JSON"),
        ('{"type":"record","name":"A"}', "fields"),
        ('{"type":"enum","name":"E","symbols":["a","a"]}', "Duplicate symbol"),
        (
            '{"type":"record","name":"A","fields":[{"name":"a","type":"int","default":"x"}]}',
            "Default value <x> must match schema type: int",
        ),
    ],
)
def test_invalid_schemas_are_42201_with_the_parsers_message(text: str, reason: str) -> None:
    with pytest.raises(InvalidSchemaError) as raised:
        parse_schema(text)
    assert raised.value.error_code == 42201
    assert reason in raised.value.message
