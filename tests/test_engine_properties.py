"""Property tests of the engine over random valid and malformed answer documents."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kneeguard.assessment import assess
from kneeguard.errors import AnswersError
from kneeguard.knowledge.vocabulary import CONDITION_IDS, FIELDS, SCHEMA, FieldSpec

RANK = {"self_care": 0, "see_clinician": 1, "urgent": 2, "emergency": 3}

# The answers that signal danger: setting one must never lower the triage level.
RED_FLAG_ANSWERS: list[tuple[str, Any]] = [
    ("fever", True), ("warm_red_skin", True), ("calf_pain_or_swelling", True),
    ("night_pain_or_weight_loss", True), ("can_bear_weight", False),
    ("hip_or_groin_pain", True), ("locking", True), ("cannot_fully_straighten", True),
    ("cannot_fully_bend", True), ("giving_way", True), ("numbness_or_tingling", True),
    ("skin_wound_over_knee", True), ("swelling", "marked"), ("swelling", "mild"),
]
PAIN_FIELDS = ["pain_now", "pain_before_run", "pain_during_run", "pain_after_run"]


def value_strategy(spec: FieldSpec) -> st.SearchStrategy[Any]:
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "enum":
        return st.sampled_from(spec.choices)
    if spec.kind == "enum_list":
        return st.lists(st.sampled_from(spec.choices), max_size=4, unique=True)
    low = spec.minimum if spec.minimum is not None else -200
    high = spec.maximum if spec.maximum is not None else 400
    if spec.kind == "int":
        return st.integers(int(low), int(high))
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


answers_documents = st.fixed_dictionaries(
    {"schema": st.just(SCHEMA)},
    optional={name: value_strategy(spec) for name, spec in FIELDS.items()},
)


@settings(max_examples=300, deadline=None)
@given(answers_documents)
def test_probabilities_form_a_distribution(document: dict[str, Any]) -> None:
    result = assess(document)
    probabilities = [c["probability"] for c in result["conditions"]]
    assert sorted(c["id"] for c in result["conditions"]) == sorted(CONDITION_IDS)
    assert all(0.0 <= p <= 1.0 for p in probabilities)
    assert math.isclose(sum(probabilities), 1.0, abs_tol=1e-9)
    assert probabilities == sorted(probabilities, reverse=True)
    assert result["triage"]["level"] in RANK
    if result["red_flags"]:
        assert result["running"]["advice"] == "stop"
        assert "other_needs_examination" in [c["id"] for c in result["conditions"][:3]]


@settings(max_examples=300, deadline=None)
@given(answers_documents, st.sampled_from(RED_FLAG_ANSWERS))
def test_a_red_flag_answer_never_lowers_triage(document: dict[str, Any],
                                               flag: tuple[str, Any]) -> None:
    field, value = flag
    swelling = ["none", "mild", "marked"]
    if field == "swelling" and document.get("swelling") in swelling:
        assume(swelling.index(value) > swelling.index(document["swelling"]))
    before = RANK[assess(document)["triage"]["level"]]
    after = RANK[assess({**document, field: value})["triage"]["level"]]
    assert after >= before


@settings(max_examples=300, deadline=None)
@given(answers_documents, st.sampled_from(PAIN_FIELDS), st.integers(4, 10))
def test_pain_above_three_never_continues(document: dict[str, Any], field: str,
                                          rating: int) -> None:
    result = assess({**document, field: rating})
    assert result["running"]["advice"] == "stop"
    assert RANK[result["triage"]["level"]] >= RANK["see_clinician"]


@settings(max_examples=200, deadline=None)
@given(answers_documents, st.sampled_from(["mild", "marked"]))
def test_swelling_never_continues(document: dict[str, Any], swelling: str) -> None:
    assert assess({**document, "swelling": swelling})["running"]["advice"] == "stop"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


@st.composite
def malformed_documents(draw: st.DrawFn) -> Any:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(json_values)
    base = draw(answers_documents)
    if kind == 1:
        field = draw(st.sampled_from(sorted(FIELDS)))
        return {**base, field: draw(json_values)}
    if kind == 2:
        return {**base, draw(st.text(min_size=1, max_size=15)): draw(json_values)}
    return {**base, "schema": draw(json_values)}


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(malformed_documents())
def test_malformed_documents_give_the_clear_error_and_nothing_else(document: Any) -> None:
    try:
        assess(document)
    except AnswersError as exc:
        assert exc.message and "\n" not in exc.message
        if exc.field is not None and exc.field.isidentifier():
            assert exc.message.startswith(f"{exc.field}:")
    # a mutation that happens to be valid is simply assessed


@pytest.mark.parametrize("document", [
    {"schema": SCHEMA, "pain_now": True},
    {"schema": SCHEMA, "age": "30"},
    {"schema": SCHEMA, "pain_locations": "outside_of_knee"},
])
def test_wrong_types_name_the_field(document: dict[str, Any]) -> None:
    with pytest.raises(AnswersError) as info:
        assess(document)
    assert info.value.field in document
