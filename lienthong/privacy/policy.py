"""A privacy policy file: per kind of entity, per personal field, what the centre keeps.

    dossier:
      applicant.id_number: keyed_hash
      applicant.phone: masked

Every personal field (lienthong.privacy.fields) must be given an action, so a field added to
the schemas later is never kept in clear because a file forgot it. A file is checked whole
before anything uses it: every problem is reported at once, each with its line, and a policy
with a problem is never applied in part.
"""

from dataclasses import dataclass
from typing import Final, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from lienthong.errors import ConfigurationError
from lienthong.privacy.actions import FieldAction
from lienthong.privacy.fields import PERSONAL_KINDS, PersonalField, PersonalKind

__all__ = ["FieldRule", "PrivacyPolicy", "parse_policy"]

T = TypeVar("T")

_KINDS: Final = {kind.name: kind for kind in PERSONAL_KINDS}
_ACTIONS: Final = ", ".join(action.value for action in FieldAction)


@dataclass(frozen=True)
class FieldRule:
    kind: PersonalKind
    field: PersonalField
    action: FieldAction


@dataclass(frozen=True)
class PrivacyPolicy:
    origin: str
    """Where the policy was read from, for messages."""
    rules: tuple[FieldRule, ...]

    def rules_of(self, kind: PersonalKind) -> tuple[FieldRule, ...]:
        return tuple(rule for rule in self.rules if rule.kind is kind)

    @property
    def needs_key(self) -> bool:
        return any(rule.action is FieldAction.KEYED_HASH for rule in self.rules)


def parse_policy(text: str, origin: str) -> PrivacyPolicy:
    """The policy in `text`; ConfigurationError naming every problem and its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"privacy policy {origin} is not valid YAML: {exc}") from None
    problems: list[str] = []
    rules: dict[tuple[str, str], FieldRule] = {}
    if not isinstance(root, MappingNode):
        problems.append("the file must map kinds of entity to their fields")
    else:
        for kind_node, fields_node in root.value:
            kind = _known(kind_node, _KINDS, "kind of entity", problems)
            if kind is not None:
                _read_kind(kind, fields_node, rules, problems)
    for kind in PERSONAL_KINDS:
        for field in kind.fields:
            if (kind.name, field.path) not in rules:
                problems.append(
                    f"{kind.name}: {field.path} has no action (give it one of {_ACTIONS})"
                )
    if problems:
        listed = "\n  ".join(problems)
        raise ConfigurationError(f"privacy policy {origin} is not usable:\n  {listed}")
    return PrivacyPolicy(origin, tuple(rules.values()))


def _read_kind(
    kind: PersonalKind,
    node: Node,
    rules: dict[tuple[str, str], FieldRule],
    problems: list[str],
) -> None:
    if not isinstance(node, MappingNode):
        problems.append(f"{_line(node)}: {kind.name} must map field paths to actions")
        return
    for path_node, action_node in node.value:
        known = {field.path: field for field in kind.fields}
        field = _known(path_node, known, f"personal field of {kind.name}", problems)
        action = _known(action_node, {a.value: a for a in FieldAction}, "action", problems)
        if field is None or action is None:
            continue
        where = f"{_line(path_node)}: {kind.name}.{field.path}"
        if (kind.name, field.path) in rules:
            problems.append(f"{where} is given twice")
        elif action is FieldAction.DROPPED and field.required:
            problems.append(
                f"{where} is required by the schema and cannot be dropped; "
                "keyed_hash or masked hide it"
            )
        else:
            rules[(kind.name, field.path)] = FieldRule(kind, field, action)


def _known(node: Node, choices: dict[str, T], what: str, problems: list[str]) -> T | None:
    value = node.value if isinstance(node, ScalarNode) else None
    if isinstance(value, str) and value in choices:
        return choices[value]
    shown = repr(value) if isinstance(value, str) else "a non-scalar"
    problems.append(f"{_line(node)}: unknown {what} {shown} (known: {', '.join(choices)})")
    return None


def _line(node: Node) -> str:
    return f"line {node.start_mark.line + 1}"
