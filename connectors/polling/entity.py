"""What a domain's entity looks like to a row: its field names, and which fields a database
column holds as JSON text (nested records, lists) or as a date and time."""

import types
import typing
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, NaiveDatetime

from connectors.contract import Domain

__all__ = ["EntityShape", "entity_shape"]

_CONTAINERS = (tuple, list, dict, set, frozenset)


@dataclass(frozen=True, slots=True)
class EntityShape:
    name: str
    fields: frozenset[str]
    json_fields: frozenset[str]
    """Records and sequences: a column gives them as JSON text."""
    instant_fields: frozenset[str]
    """Dates with times: a naive value is read in the connector's `naive_timezone`."""


def entity_shape(domain: Domain) -> EntityShape:
    """The shape of the entity a domain's change carries (`after`, or `status`)."""
    change_fields = domain.model.model_fields
    holder = change_fields.get("after") or change_fields["status"]
    entity = _entity_class(holder.annotation)
    json_fields, instant_fields = set(), set()
    for name, field in entity.model_fields.items():
        kinds = _kinds(field.annotation)
        if kinds & {"record", "sequence"}:
            json_fields.add(name)
        if "instant" in kinds:
            instant_fields.add(name)
    return EntityShape(
        entity.__name__,
        frozenset(entity.model_fields),
        frozenset(json_fields),
        frozenset(instant_fields),
    )


def _entity_class(annotation: Any) -> type[BaseModel]:
    for option in _options(annotation):
        if isinstance(option, type) and issubclass(option, BaseModel):
            return option
    raise TypeError(f"no entity model in {annotation!r}")


def _options(annotation: Any) -> list[Any]:
    """The alternatives of an annotation, with `Optional`, unions and `Annotated` opened."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _options(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return [found for arg in typing.get_args(annotation) for found in _options(arg)]
    return [annotation]


def _kinds(annotation: Any) -> set[str]:
    kinds = set()
    for option in _options(annotation):
        origin = typing.get_origin(option)
        if isinstance(origin, type) and issubclass(origin, _CONTAINERS):
            kinds.add("sequence")
        elif isinstance(option, type) and issubclass(option, BaseModel):
            kinds.add("record")
        elif option in (AwareDatetime, NaiveDatetime) or (
            isinstance(option, type) and issubclass(option, datetime)
        ):
            kinds.add("instant")
    return kinds
