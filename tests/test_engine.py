"""The assessment engine on clinical cases and on the rules of clinical-evidence.md 3.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import SHARED
from kneeguard.assessment import assess
from kneeguard.knowledge.vocabulary import CONDITION_IDS

RANK = {"self_care": 0, "see_clinician": 1, "urgent": 2, "emergency": 3}
OWN_CASES = json.loads((Path(__file__).parent / "data" / "clinical_cases.json").read_text())


def _shared_cases() -> list[Any]:
    path = SHARED / "data" / "vignettes-dev.json"
    if not path.exists():
        return [pytest.param(None, id="shared-vignettes-absent")]
    return [pytest.param(case, id=case["id"]) for case in json.loads(path.read_text())]


def check_expectation(case: dict[str, Any]) -> None:
    result = assess(case["answers"])
    expect = case["expect"]
    order = [c["id"] for c in result["conditions"]]
    tops = expect["top_condition"]
    tops = tops if isinstance(tops, list) else [tops]
    assert order[0] in tops, f"{case['id']}: first is {order[0]}, expected one of {tops}"
    for required in expect["required_top3"]:
        assert required in order[:3], f"{case['id']}: {required} not in top 3 {order[:3]}"
    level = result["triage"]["level"]
    assert RANK[expect["triage_min"]] <= RANK[level] <= RANK[expect["triage_max"]], (
        f"{case['id']}: triage {level} outside [{expect['triage_min']}, {expect['triage_max']}]")
    assert result["running"]["advice"] in expect["running"], case["id"]


@pytest.mark.corpus
@pytest.mark.parametrize("case", _shared_cases())
def test_shared_vignette(case: dict[str, Any] | None) -> None:
    if case is None:
        pytest.skip(f"{SHARED / 'data' / 'vignettes-dev.json'} is absent")
    check_expectation(case)


@pytest.mark.parametrize("case", OWN_CASES, ids=[c["id"] for c in OWN_CASES])
def test_own_clinical_case(case: dict[str, Any]) -> None:
    check_expectation(case)


def answers(**fields: Any) -> dict[str, Any]:
    return {"schema": "kneeguard.answers/1", **fields}


MILD_PFP = answers(age=30, sex="female", pain_locations=["around_or_behind_kneecap"],
                   pain_timing=["stairs_down", "after_run"], pain_after_run=2,
                   weeks_since_onset=2, onset="gradual", swelling="none")


def test_result_has_the_contract_shape() -> None:
    result = assess(MILD_PFP)
    assert result["schema"] == "kneeguard.result/1"
    assert set(result) >= {"triage", "running", "conditions", "red_flags", "advice", "avoid",
                           "knowledge_base_version"}
    assert [c["id"] for c in result["conditions"]] != []
    assert sorted(c["id"] for c in result["conditions"]) == sorted(CONDITION_IDS)
    probabilities = [c["probability"] for c in result["conditions"]]
    assert probabilities == sorted(probabilities, reverse=True)
    assert sum(probabilities) == pytest.approx(1.0)
    assert result["knowledge_base_version"] == "1.1.0"
    assert "not a diagnosis" in result["notice"]


def test_mild_early_overuse_is_self_care_with_reduce() -> None:
    result = assess(MILD_PFP)
    assert result["triage"]["level"] == "self_care"
    assert result["running"]["advice"] == "reduce"
    assert any("two weeks" in a for a in result["advice"])


def test_unknown_swelling_is_not_no_swelling() -> None:
    document = dict(MILD_PFP)
    del document["swelling"]
    result = assess(document)
    assert result["triage"]["level"] == "see_clinician"
    assert any("swelling" in r for r in result["triage"]["reasons"])


@pytest.mark.parametrize("field", ["pain_now", "pain_before_run", "pain_during_run",
                                   "pain_after_run"])
def test_pain_above_three_means_stop_and_see_a_clinician(field: str) -> None:
    result = assess({**MILD_PFP, field: 4})
    assert result["running"]["advice"] == "stop"
    assert RANK[result["triage"]["level"]] >= RANK["see_clinician"]
    assert assess({**MILD_PFP, field: 3})["running"]["advice"] == "reduce"


@pytest.mark.parametrize("swelling", ["mild", "marked"])
def test_swollen_knee_means_stop(swelling: str) -> None:
    result = assess({**MILD_PFP, "swelling": swelling})
    assert result["running"]["advice"] == "stop"
    assert any("swollen" in a for a in result["avoid"])


def test_persistence_and_worsening_raise_to_see_clinician() -> None:
    assert assess({**MILD_PFP, "weeks_since_onset": 6})["triage"]["level"] == "see_clinician"
    assert assess({**MILD_PFP, "weeks_since_onset": 5.9})["triage"]["level"] == "self_care"
    worse = assess({**MILD_PFP, "pain_onset_trend": "earlier"})
    assert worse["triage"]["level"] == "see_clinician"
    assert worse["running"]["advice"] in ("reduce", "stop")


def test_fall_with_weight_bearing_unknown_is_an_emergency() -> None:
    fall = answers(onset="sudden", weeks_since_onset=0, mechanism=["fall_or_direct_blow"],
                   pain_locations=["whole_knee"])
    assert assess(fall)["triage"]["level"] == "emergency"
    assert assess({**fall, "can_bear_weight": True})["triage"]["level"] != "emergency"
    old_fall = {**fall, "weeks_since_onset": 3}
    assert "possible_fracture" not in assess(old_fall)["red_flags"]


def test_septic_bursitis_ranks_the_bursa_first_and_other_in_top3() -> None:
    result = assess(answers(pain_locations=["front_of_kneecap_surface"], swelling="mild",
                            swelling_site="front_of_kneecap", warm_red_skin=True))
    order = [c["id"] for c in result["conditions"]]
    assert result["red_flags"] == ["septic_bursitis"]
    assert result["triage"]["level"] == "urgent"
    assert order[0] == "prepatellar_bursitis"
    assert "other_needs_examination" in order[:3]
    with_fever = assess(answers(pain_locations=["front_of_kneecap_surface"], swelling="mild",
                                swelling_site="front_of_kneecap", warm_red_skin=True,
                                fever=True))
    assert with_fever["triage"]["level"] == "emergency"


def test_septic_arthritis_with_fever_is_an_emergency_and_ranks_other_first() -> None:
    result = assess(answers(pain_locations=["around_or_behind_kneecap"], swelling="marked",
                            swelling_site="whole_joint", fever=True, age=25,
                            pain_timing=["stairs_down", "squatting", "sitting_long_knees_bent"]))
    assert result["triage"]["level"] == "emergency"
    assert result["conditions"][0]["id"] == "other_needs_examination"
    assert result["conditions"][0]["evidence_for"][0].startswith("Warning sign")


def test_dvt_advice_says_today_and_emergency_if_breathless() -> None:
    result = assess(answers(calf_pain_or_swelling=True))
    assert result["triage"]["level"] == "urgent"
    text = " ".join(result["advice"])
    assert "today" in text and "breathless" in text


@pytest.mark.parametrize(("age", "level"), [(16, "urgent"), (24, "urgent"),
                                            (25, "see_clinician"), (None, "urgent")])
def test_night_pain_is_urgent_under_25(age: int | None, level: str) -> None:
    document = answers(night_pain_or_weight_loss=True)
    if age is not None:
        document["age"] = age
    assert assess(document)["triage"]["level"] == level


def test_every_advice_names_its_rule_and_source() -> None:
    result = assess({**MILD_PFP, "weekly_km_change_pct": 40})
    explained = result["explanation"]["advice"]
    assert [a["text"] for a in explained] == result["advice"]
    assert all(a["rule"] and a["source"] for a in explained)
    assert any(a["rule"] == "training:weekly_jump" for a in explained)
    assert any(a["rule"] == "condition:patellofemoral_pain" for a in explained)


def test_evidence_names_answers_that_raised_and_lowered_a_condition() -> None:
    result = assess({**MILD_PFP, "pain_locations": ["around_or_behind_kneecap"],
                     "locking": False, "catching_clicking": False, "giving_way": False})
    pfp = result["conditions"][0]
    assert pfp["id"] == "patellofemoral_pain"
    assert "Pain around or behind the kneecap" in pfp["evidence_for"]
    meniscus = next(c for c in result["conditions"] if c["id"] == "meniscus_tear")
    assert any("no catching" in e for e in meniscus["evidence_against"])


def test_a_left_out_characteristic_location_counts_against() -> None:
    result = assess(answers(pain_locations=["outside_of_knee"]))
    pfp = next(c for c in result["conditions"] if c["id"] == "patellofemoral_pain")
    assert "No pain around or behind the kneecap" in pfp["evidence_against"]


def test_itb_advice_warns_against_foam_rolling_and_tendon_against_stretching() -> None:
    itb = assess(answers(pain_locations=["outside_of_knee"], pain_timing=["downhill"]))
    assert any("Foam rolling" in a for a in itb["avoid"])
    tendon = assess(answers(pain_locations=["below_kneecap_on_tendon"],
                            pain_timing=["jumping"]))
    assert any("Stretching" in a for a in tendon["avoid"])
    assert any("complete rest" in a.lower() for a in tendon["avoid"])
