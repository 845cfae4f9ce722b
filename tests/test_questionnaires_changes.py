"""MCID-aware change labels, scores over time, and which instruments to suggest."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kneeguard.questionnaires import (
    ScoredResponse,
    classify_change,
    load_instrument,
    score_history,
    suggest_instruments,
)


@pytest.mark.parametrize(("instrument_id", "before", "after", "label"), [
    ("akps", 84, 94, "improved"),       # +10 reaches the MCID of 10
    ("akps", 84, 93, "within_mcid"),    # +9 does not
    ("akps", 84, 74, "worsened"),       # -10
    ("akps", 84, 84, "within_mcid"),
    ("nprs", 6, 4, "improved"),         # lower is better: -2 reaches the MCID of 2
    ("nprs", 6, 5, "within_mcid"),
    ("nprs", 3, 5, "worsened"),
    ("visa_p", 50, 62, "within_mcid"),  # +12 < 13
    ("visa_p", 50, 63, "improved"),
    ("lefs", 60, 51, "worsened"),       # -9 reaches 9
    ("koos_pf", 50.0, 66.0, "within_mcid"),  # +16 < 16.4
    ("koos_pf", 50.0, 66.5, "improved"),
    ("koos_12", 50.0, 90.0, "no_mcid"),      # no published MCID: shown, not judged
])
def test_change_labels(instrument_id: str, before: float, after: float, label: str) -> None:
    change = classify_change(load_instrument(instrument_id), before, after)
    assert change.label == label
    assert change.delta == after - before


def test_koos_float_noise_does_not_hide_a_real_mcid() -> None:
    koos = load_instrument("koos")
    before = 100 - 25 * 10 / 7   # 64.2857...
    after = before + 10 - 1e-12  # what float arithmetic can give for "+10"
    assert classify_change(koos, before, after).label == "improved"


def test_mcid_override_for_koos() -> None:
    koos = load_instrument("koos")
    assert classify_change(koos, 62.5, 71.0).label == "within_mcid"
    change = classify_change(koos, 62.5, 71.0, mcid=8.0)
    assert (change.label, change.mcid) == ("improved", 8.0)


def test_describe() -> None:
    assert classify_change(load_instrument("akps"), 84, 96).describe() == "+12.0 improved"
    assert classify_change(load_instrument("nprs"), 4, 5).describe() == "+1.0 within MCID"


def _at(day: int) -> datetime:
    return datetime(2026, 3, day, 9, 0, tzinfo=UTC)


def test_history_compares_with_previous_and_first_computable_score() -> None:
    akps = load_instrument("akps")
    rows = score_history(akps, [
        ScoredResponse(3, _at(20), {"total": 75}),
        ScoredResponse(1, _at(1), {"total": 60}),
        ScoredResponse(2, _at(10), {"total": None}),  # incomplete form: skipped as a basis
        ScoredResponse(4, _at(25), {"total": 70}),
    ])
    assert [(r.response_id, r.value) for r in rows] == [(1, 60.0), (2, None), (3, 75.0),
                                                        (4, 70.0)]
    assert rows[0].since_previous is None and rows[0].since_baseline is None
    assert rows[1].since_previous is None
    assert (rows[2].since_previous.delta, rows[2].since_previous.label) == (15.0, "improved")
    assert (rows[3].since_previous.delta, rows[3].since_previous.label) == (-5.0,
                                                                           "within_mcid")
    assert (rows[3].since_baseline.delta, rows[3].since_baseline.label) == (10.0, "improved")


def test_history_of_a_multi_score_instrument_keeps_score_order() -> None:
    nprs = load_instrument("nprs")
    rows = score_history(nprs, [
        ScoredResponse(1, _at(1), {"NPRS_NOW": 6, "NPRS_DURING_RUN": 7}),
        ScoredResponse(2, _at(8), {"NPRS_NOW": 3, "NPRS_DURING_RUN": 6}),
    ])
    second = [(r.score, r.since_previous.label if r.since_previous else None)
              for r in rows if r.response_id == 2]
    assert second == [("NPRS_NOW", "improved"), ("NPRS_BEFORE_RUN", None),
                      ("NPRS_DURING_RUN", "within_mcid"), ("NPRS_AFTER_RUN", None),
                      ("NPRS_WORST_WEEK", None)]


def _result(*conditions: tuple[str, float]) -> dict[str, object]:
    return {"conditions": [{"id": c, "name": c, "probability": p} for c, p in conditions]}


def test_suggestions_for_suspected_runners_knee_and_tendinopathy() -> None:
    found = suggest_instruments(_result(("patellofemoral_pain", 0.55),
                                        ("patellar_tendinopathy", 0.30),
                                        ("itb_syndrome", 0.10)))
    assert [s.instrument_id for s in found] == ["akps", "visa_p", "nprs", "lefs"]
    assert "which the latest assessment suspects" in found[0].reason


def test_only_the_top_condition_or_a_likely_one_counts() -> None:
    found = suggest_instruments(_result(("itb_syndrome", 0.6),
                                        ("patellar_tendinopathy", 0.2),
                                        ("patellofemoral_pain", 0.1)))
    assert [s.instrument_id for s in found] == ["nprs", "lefs"]
    found = suggest_instruments(_result(("patellar_tendinopathy", 0.3),
                                        ("patellofemoral_pain", 0.25)))
    assert [s.instrument_id for s in found] == ["visa_p", "akps", "nprs", "lefs"]


def test_licensed_forms_only_when_their_wording_is_imported() -> None:
    result = _result(("patellofemoral_pain", 0.5), ("meniscus_tear", 0.3))
    assert [s.instrument_id for s in suggest_instruments(result)] == ["akps", "nprs", "lefs"]
    found = suggest_instruments(result, licensed_available={"koos_pf", "koos"})
    assert [s.instrument_id for s in found] == ["akps", "koos_pf", "koos", "nprs", "lefs"]


def test_without_an_assessment_everyone_gets_nprs_and_lefs() -> None:
    assert [s.instrument_id for s in suggest_instruments(None)] == ["nprs", "lefs"]
    assert [s.instrument_id for s in suggest_instruments({"conditions": "junk"})] == [
        "nprs", "lefs"]
