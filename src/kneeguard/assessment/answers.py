"""Parse an answers document (``kneeguard.answers/1``) strictly.

Every field of the contract is optional except ``schema``; an unanswered
question is simply absent. Anything else is refused with an
:class:`~kneeguard.errors.AnswersError` that names the field and what it
accepts: an unknown field, a wrong type, a value out of range or an unknown id.
Nothing is guessed or defaulted.

The parsed answers are a plain ``dict`` holding only answered fields; list
answers become ``frozenset`` (order and repeats carry no meaning), and an
empty list counts as unanswered.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from kneeguard.errors import AnswersError
from kneeguard.knowledge.vocabulary import FIELDS, SCHEMA, FieldSpec

Answers = dict[str, Any]


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _fail(spec: FieldSpec, value: Any, detail: str | None = None) -> AnswersError:
    got = detail or f"got {_describe(value)}"
    return AnswersError(f"{spec.name}: must be {spec.allowed()} ({got})", field=spec.name)


def _number(spec: FieldSpec, raw: Any) -> float | int:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise _fail(spec, raw)
    value: float | int = raw
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(spec, value)
    if spec.kind == "int" and isinstance(value, float):
        if not value.is_integer():
            raise _fail(spec, value)
        value = int(value)
    if spec.minimum is not None and value < spec.minimum:
        raise _fail(spec, value)
    if spec.maximum is not None and value > spec.maximum:
        raise _fail(spec, value)
    return value


def _value(spec: FieldSpec, value: Any) -> Any:
    if spec.kind in ("int", "number"):
        return _number(spec, value)
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise _fail(spec, value)
        return value
    if spec.kind == "enum":
        if not isinstance(value, str) or value not in spec.choices:
            raise _fail(spec, value)
        return value
    # enum_list
    if not isinstance(value, list):
        raise _fail(spec, value)
    for item in value:
        if not isinstance(item, str) or item not in spec.choices:
            raise _fail(spec, value, f"{_describe(item)} is not one of them")
    return frozenset(value)


def parse_answers(document: Any) -> Answers:
    """Validate ``document`` against the answers contract; return the answered fields."""
    if not isinstance(document, Mapping):
        raise AnswersError(f"answers: must be a JSON object, not {_describe(document)}",
                           field=None)
    if "schema" not in document:
        raise AnswersError(f'schema: required, and must be "{SCHEMA}"', field="schema")
    if document["schema"] != SCHEMA:
        raise AnswersError(f'schema: must be "{SCHEMA}" (got {_describe(document["schema"])})',
                           field="schema")
    answers: Answers = {}
    for key, value in document.items():
        if key == "schema":
            continue
        spec = FIELDS.get(key) if isinstance(key, str) else None
        if spec is None:
            name = key if isinstance(key, str) and key.isidentifier() else _describe(str(key))
            raise AnswersError(
                f"{name}: unknown field; the answers contract ({SCHEMA}) has: "
                + ", ".join(FIELDS), field=str(key))
        if value is None:
            raise _fail(spec, value, "leave an unanswered question out instead of null")
        parsed = _value(spec, value)
        if isinstance(parsed, frozenset) and not parsed:
            continue
        answers[key] = parsed
    return answers


def answers_document(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The contract document for parsed answers (lists sorted in the contract's id order)."""
    document: dict[str, Any] = {"schema": SCHEMA}
    for name, spec in FIELDS.items():
        if name in answers:
            value = answers[name]
            if spec.kind == "enum_list":
                value = [c for c in spec.choices if c in value]
            document[name] = value
    return document


def answers_json_schema() -> dict[str, Any]:
    """A JSON Schema of the answers contract (for the web API's OpenAPI document)."""
    properties: dict[str, Any] = {"schema": {"const": SCHEMA}}
    for name, spec in FIELDS.items():
        prop: dict[str, Any]
        if spec.kind == "bool":
            prop = {"type": "boolean"}
        elif spec.kind == "enum":
            prop = {"type": "string", "enum": list(spec.choices)}
        elif spec.kind == "enum_list":
            prop = {"type": "array", "items": {"type": "string", "enum": list(spec.choices)}}
        else:
            prop = {"type": "integer" if spec.kind == "int" else "number"}
            if spec.minimum is not None:
                prop["minimum"] = spec.minimum
            if spec.maximum is not None:
                prop["maximum"] = spec.maximum
        properties[name] = prop
    return {
        "title": "kneeguard.answers/1",
        "type": "object",
        "properties": properties,
        "required": ["schema"],
        "additionalProperties": False,
    }
