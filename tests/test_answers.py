"""The answers contract: exactly the fields, types, ranges and ids it names."""

from __future__ import annotations

from typing import Any

import pytest

from kneeguard.assessment import answers_document, answers_json_schema, parse_answers
from kneeguard.errors import AnswersError

S = "kneeguard.answers/1"


def test_only_schema_is_required() -> None:
    assert parse_answers({"schema": S}) == {}


@pytest.mark.parametrize(("document", "message"), [
    ({}, 'schema: required, and must be "kneeguard.answers/1"'),
    ({"schema": "kneeguard.answers/2"},
     'schema: must be "kneeguard.answers/1" (got "kneeguard.answers/2")'),
    ({"schema": S, "pain_now": 11}, "pain_now: must be a whole number from 0 to 10 (got 11)"),
    ({"schema": S, "pain_now": 2.5}, "pain_now: must be a whole number from 0 to 10 (got 2.5)"),
    ({"schema": S, "pain_now": True},
     "pain_now: must be a whole number from 0 to 10 (got true)"),
    ({"schema": S, "age": 4}, "age: must be a whole number from 5 to 110 (got 4)"),
    ({"schema": S, "sex": "f"}, 'sex: must be one of "female", "male", "other" (got "f")'),
    ({"schema": S, "fever": "yes"}, 'fever: must be true or false (got "yes")'),
    ({"schema": S, "fever": None},
     "fever: must be true or false (leave an unanswered question out instead of null)"),
    ({"schema": S, "weeks_since_onset": -1},
     "weeks_since_onset: must be a number of at least 0 (got -1)"),
    ({"schema": S, "pain_locations": ["knee"]},
     'pain_locations: must be a list of ids from "around_or_behind_kneecap", '
     '"outside_of_knee", "below_kneecap_on_tendon", "inside_just_below_joint", '
     '"front_of_kneecap_surface", "inside_joint_line", "outside_joint_line", '
     '"back_of_knee", "whole_knee" ("knee" is not one of them)'),
])
def test_errors_name_the_field_and_what_is_allowed(document: dict[str, Any],
                                                  message: str) -> None:
    with pytest.raises(AnswersError) as info:
        parse_answers(document)
    assert info.value.message == message


def test_unknown_field_is_refused_with_the_known_ones() -> None:
    with pytest.raises(AnswersError) as info:
        parse_answers({"schema": S, "pain_level": 3})
    assert info.value.field == "pain_level"
    assert info.value.message.startswith("pain_level: unknown field")
    assert "pain_now" in info.value.message


def test_not_an_object() -> None:
    with pytest.raises(AnswersError, match="must be a JSON object, not a list"):
        parse_answers([])


def test_integral_floats_are_whole_numbers_and_lists_are_sets() -> None:
    parsed = parse_answers({"schema": S, "pain_now": 3.0, "pain_timing": ["downhill",
                                                                          "downhill"]})
    assert parsed == {"pain_now": 3, "pain_timing": frozenset({"downhill"})}
    assert isinstance(parsed["pain_now"], int)


def test_empty_list_counts_as_unanswered() -> None:
    assert parse_answers({"schema": S, "mechanism": []}) == {}


def test_document_round_trip_uses_contract_order() -> None:
    parsed = parse_answers({"schema": S, "pain_locations": ["whole_knee", "outside_of_knee"],
                            "age": 40})
    assert answers_document(parsed) == {"schema": S, "age": 40,
                                        "pain_locations": ["outside_of_knee", "whole_knee"]}


def test_json_schema_lists_every_field() -> None:
    schema = answers_json_schema()
    assert schema["required"] == ["schema"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["pain_now"] == {"type": "integer", "minimum": 0, "maximum": 10}
    assert len(schema["properties"]) == 38
