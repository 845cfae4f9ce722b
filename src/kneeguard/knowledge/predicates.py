"""Conditions on the answers, written as data and compiled to fast functions.

A condition is a small mapping in the knowledge-base files (definitions.yaml
explains how it reads). Evaluation uses three values: ``True``, ``False`` and
``None`` for "unknown" (the question was not answered). ``all`` is true only
when every part is known to be true; ``any`` is true when one part is known
to be true; ``not`` keeps unknown as unknown. ``or_unknown: true`` on a
single-field test turns unknown into true, for the rules where an unanswered
question must not lower urgency.

:func:`compile_condition` checks every field name, operator and id against the
answers contract (:mod:`kneeguard.knowledge.vocabulary`) and raises
:class:`ConditionError` naming the path of the mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kneeguard.knowledge.vocabulary import FIELDS, FieldSpec

Answers = Mapping[str, Any]
Tri = bool | None
Condition = Callable[[Answers], Tri]

_COMPARE = ("gt", "ge", "lt", "le")
_OPS_BY_KIND: dict[str, tuple[str, ...]] = {
    "int": ("is", "in", *_COMPARE),
    "number": ("is", "in", *_COMPARE),
    "enum": ("is", "in"),
    "bool": ("is",),
    "enum_list": ("contains", "contains_any"),
}


class ConditionError(ValueError):
    """A condition in a knowledge-base file is malformed; the message names where."""


def compile_condition(
    node: Any, path: str, definitions: Mapping[str, Condition] | None = None
) -> Condition:
    """Compile one condition mapping; ``definitions`` resolves ``{ref: name}``."""
    defs = definitions or {}
    if not isinstance(node, Mapping) or not node:
        raise ConditionError(f"{path}: a condition must be a non-empty mapping")
    parts: list[Condition] = []
    for key, value in node.items():
        where = f"{path}.{key}"
        if key == "all":
            parts.append(_all(_compile_list(value, where, defs)))
        elif key == "any":
            parts.append(_any(_compile_list(value, where, defs)))
        elif key == "not":
            parts.append(_not(compile_condition(value, where, defs)))
        elif key == "ref":
            if not isinstance(value, str) or value not in defs:
                known = ", ".join(sorted(defs)) or "none"
                raise ConditionError(f"{where}: unknown definition {value!r} (known: {known})")
            parts.append(defs[value])
        elif key in FIELDS:
            parts.append(_compile_field(FIELDS[key], value, where))
        else:
            raise ConditionError(
                f"{path}: {key!r} is neither an answer field nor one of all/any/not/ref"
            )
    return parts[0] if len(parts) == 1 else _all(parts)


def _compile_list(value: Any, path: str, defs: Mapping[str, Condition]) -> list[Condition]:
    if not isinstance(value, list) or not value:
        raise ConditionError(f"{path}: expected a non-empty list of conditions")
    return [compile_condition(item, f"{path}[{i}]", defs) for i, item in enumerate(value)]


def _all(parts: list[Condition]) -> Condition:
    def holds(answers: Answers) -> Tri:
        unknown = False
        for part in parts:
            value = part(answers)
            if value is False:
                return False
            if value is None:
                unknown = True
        return None if unknown else True

    return holds


def _any(parts: list[Condition]) -> Condition:
    def holds(answers: Answers) -> Tri:
        unknown = False
        for part in parts:
            value = part(answers)
            if value is True:
                return True
            if value is None:
                unknown = True
        return None if unknown else False

    return holds


def _not(part: Condition) -> Condition:
    def holds(answers: Answers) -> Tri:
        value = part(answers)
        return None if value is None else not value

    return holds


def _check_value(spec: FieldSpec, value: Any, path: str) -> Any:
    """A value a rule compares a field with must be one the field can take."""
    if spec.kind in ("enum", "enum_list"):
        if value not in spec.choices:
            raise ConditionError(f"{path}: {value!r} is not an id of {spec.name} "
                                 f"({spec.allowed()})")
        return value
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise ConditionError(f"{path}: {spec.name} is true or false, not {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConditionError(f"{path}: {spec.name} is compared with a number, not {value!r}")
    return value


def _compile_field(spec: FieldSpec, tests: Any, path: str) -> Condition:
    if not isinstance(tests, Mapping) or not tests:
        raise ConditionError(f"{path}: expected a mapping such as {{is: ...}}")
    or_unknown = tests.get("or_unknown", False)
    if not isinstance(or_unknown, bool):
        raise ConditionError(f"{path}.or_unknown: must be true or false")
    checks: list[Callable[[Any], bool]] = []
    answered_check: bool | None = None
    allowed = _OPS_BY_KIND[spec.kind]
    for op, raw in tests.items():
        where = f"{path}.{op}"
        if op == "or_unknown":
            continue
        if op == "answered":
            if not isinstance(raw, bool):
                raise ConditionError(f"{where}: must be true or false")
            answered_check = raw
            continue
        if op not in allowed:
            raise ConditionError(
                f"{where}: {op!r} cannot test {spec.name} (use one of {', '.join(allowed)}, "
                "answered, or_unknown)")
        checks.append(_make_check(spec, op, raw, where))
    if answered_check is not None:
        if checks or or_unknown:
            raise ConditionError(f"{path}: 'answered' stands alone")
        name, expected = spec.name, answered_check
        return lambda answers: (name in answers) is expected
    if not checks:
        raise ConditionError(f"{path}: no test given")
    name = spec.name
    unknown: Tri = True if or_unknown else None
    if len(checks) == 1:
        check = checks[0]

        def single(answers: Answers) -> Tri:
            value = answers.get(name)
            if value is None:
                return unknown
            return check(value)

        return single

    def several(answers: Answers) -> Tri:
        value = answers.get(name)
        if value is None:
            return unknown
        return all(check(value) for check in checks)

    return several


def _make_check(spec: FieldSpec, op: str, raw: Any, where: str) -> Callable[[Any], bool]:
    if op == "is":
        expected = _check_value(spec, raw, where)
        return lambda value: bool(value == expected)
    if op in ("in", "contains_any"):
        if not isinstance(raw, list) or not raw:
            raise ConditionError(f"{where}: expected a non-empty list")
        options = frozenset(_check_value(spec, item, where) for item in raw)
        if op == "in":
            return lambda value: value in options
        return lambda value: not options.isdisjoint(value)
    if op == "contains":
        item = _check_value(spec, raw, where)
        return lambda value: item in value
    limit = float(_check_value(spec, raw, where))
    if op == "gt":
        return lambda value: bool(value > limit)
    if op == "ge":
        return lambda value: bool(value >= limit)
    if op == "lt":
        return lambda value: bool(value < limit)
    return lambda value: bool(value <= limit)
