"""A policy put to work: change events in, the same events with their personal fields kept
only as the policy says. Pure: no I/O, the key is given."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from lienthong.events import ChangeEvent
from lienthong.privacy.actions import FieldAction, keyed_hash, masked
from lienthong.privacy.fields import personal_kind_of
from lienthong.privacy.policy import FieldRule, PrivacyPolicy

__all__ = ["DataProtection"]

C = TypeVar("C", bound=ChangeEvent)
Transform = Callable[[str], str | None]


@dataclass(frozen=True)
class DataProtection:
    policy: PrivacyPolicy
    hash_key: bytes | None = field(default=None, repr=False)
    """Required when the policy hashes a field (lienthong.privacy.loading checks it)."""

    def __post_init__(self) -> None:
        if self.policy.needs_key and not self.hash_key:
            raise ValueError(f"privacy policy {self.policy.origin} hashes fields: it needs a key")

    def protect(self, change: C) -> C:
        """`change` with every personal field of its entity as the policy keeps it. The
        envelope is untouched: its payload_sha256 is a digest, it cannot be read back."""
        kind = personal_kind_of(change)
        if kind is None:
            return change
        rules = [
            rule for rule in self.policy.rules_of(kind) if rule.action is not FieldAction.CLEAR
        ]
        if not rules:
            return change
        update = {}
        for attribute in kind.carried_in:
            entity = getattr(change, attribute)
            for rule in rules:
                entity = _at_path(entity, rule.field.path.split("."), self._transform(rule))
            update[attribute] = entity
        return change.model_copy(update=update)

    def _transform(self, rule: FieldRule) -> Transform:
        match rule.action:
            case FieldAction.KEYED_HASH:
                key = self.hash_key or b""
                return lambda value: keyed_hash(key, value)
            case FieldAction.MASKED:
                sort = rule.field.sort
                return lambda value: masked(value, sort)
            case FieldAction.DROPPED:
                return lambda _value: None
            case FieldAction.CLEAR:
                return lambda value: value


def _at_path(node: Any, path: list[str], transform: Transform) -> Any:
    """`node` with `transform` applied to the string at `path`, through nested records and
    lists of them; None (an absent record or value) stays None."""
    if node is None:
        return None
    if isinstance(node, tuple):
        return tuple(_at_path(item, path, transform) for item in node)
    if not isinstance(node, BaseModel):
        raise TypeError(f"cannot follow {'.'.join(path)} into {type(node).__name__}")
    name, *rest = path
    current = getattr(node, name)
    if rest:
        replaced = _at_path(current, rest, transform)
    else:
        replaced = None if current is None else transform(current)
    if replaced is current or replaced == current:
        return node  # nothing kept otherwise here (e.g. an absent value): no copy
    # No validation: a hash or mask is not what the schema describes, and the copy is stored,
    # never published.
    return node.model_copy(update={name: replaced})
