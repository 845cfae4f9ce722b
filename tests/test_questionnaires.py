"""Questionnaire definitions and scoring: every rule against hand-worked cases.

Each expected score below was worked out by hand from the rule in the definition
file (shown in the comment next to it), not produced by the code under test.
"""

from __future__ import annotations

import copy
import json

import pytest

from conftest import shared_path
from kneeguard.errors import KnowledgeBaseError, QuestionnaireError
from kneeguard.questionnaires import (
    INSTRUMENT_IDS,
    load_instrument,
    load_instruments,
    score,
)
from kneeguard.questionnaires.model import parse_instrument, read_definition

# The pinned content hash of each shipped definition (canonical JSON, SHA-256). Changing
# an item's wording, an option, a weight or a rule changes the hash: that is a new
# instrument version and must be a deliberate, reviewed change of this table.
PINNED = {
    "nprs": "775cdae09b67fe60d6a4805767145e35efe33b1dc141381f330ed7cb9f455575",
    "akps": "59ffd37a84e3a494f2487a51e3a413878deae0c867be8297cf07a8b7aea305fc",
    "visa_p": "c80c8e58afebdc814cc2b938eb2c926fd1a2b98b88e699471e63b5a0c9db762c",
    "lefs": "f0bf0eeb5d35537aa566cad71e2ec8f1d89862ffd4c08119221e6ce7056e2bae",
    "koos": "e507553736de70089abb514d1ae79a93fe9e67bb870b155ffaedfabaedee6d92",
    "koos_pf": "8dceb445f29a1def4cf78a117077a83b77070193e5abe4594730ad9329e3da8f",
    "koos_12": "657b30e8a9213cafb7a5463a11928ab154df07431a5935c88e064e8a93336cf4",
}


# --- the definitions --------------------------------------------------------------------


def test_every_shipped_definition_loads_and_validates() -> None:
    instruments = load_instruments()
    assert [i.id for i in instruments] == list(INSTRUMENT_IDS)
    assert {i.id: len(i.items) for i in instruments} == {
        "nprs": 5, "akps": 13, "visa_p": 11, "lefs": 20, "koos": 42, "koos_pf": 11,
        "koos_12": 12}


@pytest.mark.parametrize("instrument_id", INSTRUMENT_IDS)
def test_content_hash_is_pinned(instrument_id: str) -> None:
    assert load_instrument(instrument_id).content_hash == PINNED[instrument_id]


@pytest.mark.corpus
@pytest.mark.parametrize("instrument_id", INSTRUMENT_IDS)
def test_shipped_definition_is_the_shared_one_verbatim(instrument_id: str) -> None:
    shared = json.loads(shared_path("data", "instruments", f"{instrument_id}.json")
                        .read_text(encoding="utf-8"))
    assert read_definition(instrument_id) == shared


def test_licensed_instruments_ship_no_wording() -> None:
    for instrument_id in ("koos", "koos_pf", "koos_12"):
        raw = read_definition(instrument_id)
        instrument = load_instrument(instrument_id)
        assert instrument.licensed
        assert raw["text"] is None and "items" not in raw
        assert all(item.text is None for item in instrument.items)
        assert all(o.label is None for item in instrument.items for o in item.options)


def test_worded_items_keep_their_verbatim_text() -> None:
    akps = load_instrument("akps")
    assert akps.item("AKPS8").text == "Prolonged sitting with the knees flexed"
    assert [(o.value, o.label) for o in akps.item("AKPS1").options] == [
        (5, "None"), (3, "Slight or periodical"), (0, "Constant")]
    lefs = load_instrument("lefs")
    assert lefs.item("LEFS2").text == "Your usual hobbies, recreational or sporting activities."
    assert lefs.attribution is not None and "American Physical Therapy Association" in (
        lefs.attribution)
    visa = load_instrument("visa_p")
    assert visa.item("Q8B").enable_when == (("Q8_branch", "B"),)


def test_directions_and_default_mcids_follow_the_definitions() -> None:
    assert {i.id: (i.direction, i.mcid.value if i.mcid else None)
            for i in load_instruments()} == {
        "nprs": ("lower_is_better", 2.0), "akps": ("higher_is_better", 10.0),
        "visa_p": ("higher_is_better", 13.0), "lefs": ("higher_is_better", 9.0),
        "koos": ("higher_is_better", 10.0), "koos_pf": ("higher_is_better", 16.4),
        "koos_12": ("higher_is_better", None)}


def _broken(instrument_id: str, change: object) -> None:
    raw = copy.deepcopy(read_definition(instrument_id))
    change(raw)  # type: ignore[operator]
    instrument = parse_instrument(raw, f"{instrument_id}.json")
    from kneeguard.questionnaires.scoring import check_scorable

    check_scorable(instrument)


def test_a_repeated_item_id_is_refused_naming_the_file() -> None:
    def repeat(raw: dict) -> None:  # type: ignore[type-arg]
        raw["items"][1]["id"] = "AKPS1"

    with pytest.raises(KnowledgeBaseError, match=r"akps\.json: items repeat an item id"):
        _broken("akps", repeat)


def test_a_weight_typo_is_caught_by_the_range_check() -> None:
    def typo(raw: dict) -> None:  # type: ignore[type-arg]
        raw["items"][0]["options"][0]["value"] = 6  # Limp 'None' must be 5

    with pytest.raises(KnowledgeBaseError, match="item maxima sum to 101, not 100"):
        _broken("akps", typo)


def test_a_subscale_naming_an_unknown_item_is_refused() -> None:
    def unknown(raw: dict) -> None:  # type: ignore[type-arg]
        raw["subscales"]["pain"].append("P10")

    with pytest.raises(KnowledgeBaseError, match=r"subscales\.pain names P10"):
        _broken("koos", unknown)


def test_licensed_wording_in_a_definition_is_refused() -> None:
    def worded(raw: dict) -> None:  # type: ignore[type-arg]
        raw["text"] = "some wording"

    with pytest.raises(KnowledgeBaseError, match="licensed wording is never shipped"):
        _broken("koos_pf", worded)


# --- AKPS: sum of the chosen weights, all 13 items required -----------------------------

AKPS_82 = {"AKPS1": 3, "AKPS2": 5, "AKPS3": 3, "AKPS4": 8, "AKPS5": 4, "AKPS6": 6,
           "AKPS7": 7, "AKPS8": 8, "AKPS9": 8, "AKPS10": 10, "AKPS11": 10, "AKPS12": 5,
           "AKPS13": 5}  # 3+5+3+8+4+6+7+8+8+10+10+5+5 = 82


def test_akps_sums_the_weights() -> None:
    assert score(load_instrument("akps"), AKPS_82).to_json() == {
        "instrument": "akps", "scores": {"total": 82}, "missing": [], "notes": []}


def test_akps_best_and_worst_forms() -> None:
    akps = load_instrument("akps")
    best = {i.id: max(int(v) for v in i.values) for i in akps.items}
    worst = {i.id: 0 for i in akps.items}
    assert score(akps, best).scores == {"total": 100}
    assert score(akps, worst).scores == {"total": 0}  # all zeros is a score, not missing


def test_akps_with_one_item_missing_is_not_computable() -> None:
    answers = {k: v for k, v in AKPS_82.items() if k != "AKPS7"}
    result = score(load_instrument("akps"), answers)
    assert result.scores == {"total": None}
    assert result.missing == ("AKPS7",)
    assert result.notes == ("total not computable: kneeguard scores the AKPS only when every "
                            "item is answered (1 missing: AKPS7)",)


def test_akps_null_counts_as_unanswered() -> None:
    result = score(load_instrument("akps"), {**AKPS_82, "AKPS13": None})
    assert result.scores == {"total": None}
    assert result.missing == ("AKPS13",)


def test_akps_a_whole_float_is_the_same_answer() -> None:
    assert score(load_instrument("akps"), {**AKPS_82, "AKPS1": 3.0}).scores == {"total": 82}


# --- LEFS: sum of 20 items 0-4, all required --------------------------------------------


def test_lefs_sum() -> None:
    answers = {f"LEFS{n}": (4, 3, 2, 1, 0)[(n - 1) % 5] for n in range(1, 21)}
    assert score(load_instrument("lefs"), answers).scores == {"total": 40}  # 4 x (4+3+2+1+0)
    assert score(load_instrument("lefs"),
                 {f"LEFS{n}": 4 for n in range(1, 21)}).scores == {"total": 80}


def test_lefs_missing_items_are_named_and_not_prorated() -> None:
    answers = {f"LEFS{n}": 4 for n in range(1, 21) if n not in (5, 17)}
    result = score(load_instrument("lefs"), answers)
    assert result.scores == {"total": None}
    assert result.missing == ("LEFS5", "LEFS17")


# --- VISA-P: Q1-Q7 + the Q8 sub-item chosen by Q8_branch ---------------------------------

VISA_BASE = {"Q1": 5, "Q2": 6, "Q3": 7, "Q4": 8, "Q5": 9, "Q6": 10, "Q7": 4}  # 49


@pytest.mark.parametrize(("branch", "item", "value", "total"), [
    ("A", "Q8A", 30, 79),   # 49 + 30
    ("B", "Q8B", 14, 63),   # 49 + 14
    ("C", "Q8C", 7, 56),    # 49 + 7
    ("C", "Q8C", 0, 49),    # NIL is 0 points, still a complete form
])
def test_visa_p_adds_the_branch_item(branch: str, item: str, value: int, total: int) -> None:
    answers = {**VISA_BASE, "Q8_branch": branch, item: value}
    assert score(load_instrument("visa_p"), answers).to_json() == {
        "instrument": "visa_p", "scores": {"total": total}, "missing": [], "notes": []}


def test_visa_p_full_marks_are_100() -> None:
    answers = {"Q1": 10, "Q2": 10, "Q3": 10, "Q4": 10, "Q5": 10, "Q6": 10, "Q7": 10,
               "Q8_branch": "A", "Q8A": 30}
    assert score(load_instrument("visa_p"), answers).scores == {"total": 100}


def test_visa_p_without_q8_is_not_computable_unlike_awell_score() -> None:
    result = score(load_instrument("visa_p"), VISA_BASE)
    assert result.scores == {"total": None}  # awell-score would report 49 of 70
    assert result.missing == ("Q8_branch",)


def test_visa_p_branch_without_its_item_names_the_item() -> None:
    result = score(load_instrument("visa_p"), {**VISA_BASE, "Q8_branch": "B"})
    assert result.scores == {"total": None}
    assert result.missing == ("Q8B",)


def test_visa_p_sub_item_without_branch_asks_for_the_branch() -> None:
    result = score(load_instrument("visa_p"), {**VISA_BASE, "Q8A": 21})
    assert result.scores == {"total": None}
    assert result.missing == ("Q8_branch",)


def test_visa_p_sub_item_of_another_branch_is_refused() -> None:
    with pytest.raises(QuestionnaireError) as info:
        score(load_instrument("visa_p"), {**VISA_BASE, "Q8_branch": "A", "Q8B": 14})
    assert str(info.value) == "visa_p: item Q8B belongs to Q8_branch = B, but Q8_branch is A"
    assert info.value.field == "Q8B"


def test_visa_p_two_sub_items_are_refused() -> None:
    with pytest.raises(QuestionnaireError, match="answer only one of Q8A, Q8B, Q8C") as info:
        score(load_instrument("visa_p"), {**VISA_BASE, "Q8A": 7, "Q8C": 2})
    assert info.value.field == "Q8C"


def test_visa_p_sub_item_weights_are_per_branch() -> None:
    # 7 is a Q8A and a Q8C weight but not a Q8B one.
    with pytest.raises(QuestionnaireError, match=r"item Q8B has value 7, which is not one of "
                       r"its options \(0, 4, 10, 14, 20\)"):
        score(load_instrument("visa_p"), {**VISA_BASE, "Q8_branch": "B", "Q8B": 7})


def test_visa_p_unknown_branch_letter() -> None:
    with pytest.raises(QuestionnaireError, match=r"item Q8_branch has value 'D'") as info:
        score(load_instrument("visa_p"), {**VISA_BASE, "Q8_branch": "D"})
    assert info.value.field == "Q8_branch"


# --- NPRS: each context is its own 0-10 score -------------------------------------------


def test_nprs_scores_each_context_separately() -> None:
    result = score(load_instrument("nprs"), {"NPRS_NOW": 0, "NPRS_DURING_RUN": 6})
    assert result.to_json() == {
        "instrument": "nprs",
        "scores": {"NPRS_NOW": 0, "NPRS_BEFORE_RUN": None, "NPRS_DURING_RUN": 6,
                   "NPRS_AFTER_RUN": None, "NPRS_WORST_WEEK": None},
        "missing": ["NPRS_BEFORE_RUN", "NPRS_AFTER_RUN", "NPRS_WORST_WEEK"],
        "notes": []}


def test_nprs_nothing_answered() -> None:
    result = score(load_instrument("nprs"), {})
    assert set(result.scores.values()) == {None}
    assert result.notes == ("no rating was given",)


@pytest.mark.parametrize("bad", [11, -1, 2.5, "3", True])
def test_nprs_refuses_values_outside_0_to_10(bad: object) -> None:
    with pytest.raises(QuestionnaireError, match=r"^nprs: item NPRS_NOW ") as info:
        score(load_instrument("nprs"), {"NPRS_NOW": bad})
    assert info.value.field == "NPRS_NOW"


# --- KOOS (2012 rule): 100 - 25 x mean per subscale, at least half answered -------------


def _koos_full() -> dict[str, int]:
    answers: dict[str, int] = {}
    answers.update(zip([f"S{n}" for n in range(1, 8)], [1, 2, 0, 1, 0, 2, 1], strict=True))
    answers.update({f"P{n}": 2 for n in range(1, 10)})
    answers.update({f"A{n}": 0 for n in range(1, 18)})
    answers.update(zip([f"SP{n}" for n in range(1, 6)], [4, 4, 3, 3, 2], strict=True))
    answers.update(zip([f"Q{n}" for n in range(1, 5)], [3, 2, 2, 1], strict=True))
    return answers


def test_koos_all_five_subscales() -> None:
    result = score(load_instrument("koos"), _koos_full())
    assert result.scores == {
        "symptoms": 75.0,    # mean 7/7 = 1    -> 100 - 25
        "pain": 50.0,        # mean 2          -> 100 - 50
        "adl": 100.0,        # mean 0
        "sport_rec": 20.0,   # mean 16/5 = 3.2 -> 100 - 80
        "qol": 50.0,         # mean 8/4 = 2
    }
    assert result.missing == ()
    assert result.notes == ()


def test_koos_stores_unrounded_scores() -> None:
    answers = {f"P{n}": 0 for n in range(1, 10)} | {"P1": 1}
    result = score(load_instrument("koos"), answers)
    assert result.scores["pain"] == pytest.approx(100 - 25 / 9)  # 97.2222...
    assert result.scores["symptoms"] is None


@pytest.mark.parametrize(("subscale", "prefix", "size", "needed"), [
    ("symptoms", "S", 7, 4), ("pain", "P", 9, 5), ("adl", "A", 17, 9),
    ("sport_rec", "SP", 5, 3), ("qol", "Q", 4, 2)])
def test_koos_half_rule_at_its_boundary(subscale: str, prefix: str, size: int,
                                        needed: int) -> None:
    koos = load_instrument("koos")
    enough = {f"{prefix}{n}": 2 for n in range(1, needed + 1)} | {f"{prefix}1": 0}
    result = score(koos, enough)
    # mean of (0 + 2 x (needed - 1)) / needed
    expected = 100 - 25 * (2 * (needed - 1)) / needed
    assert result.scores[subscale] == pytest.approx(expected)
    assert f"{subscale} computed from {needed} of {size} items (KOOS 2012 rule)" in result.notes
    # the other four subscales have nothing answered: null, still reported
    assert [k for k, v in result.scores.items() if v is None] == [
        k for k in koos.score_keys if k != subscale]

    too_few = dict(list(enough.items())[: needed - 1])
    result = score(koos, too_few)
    assert result.scores[subscale] is None
    assert (f"{subscale} not computable: {needed - 1} of {size} items answered, at least "
            f"{needed} needed (KOOS 2012 rule)") in result.notes


def test_koos_missing_lists_every_unanswered_item() -> None:
    answers = _koos_full()
    del answers["S3"], answers["A17"]
    result = score(load_instrument("koos"), answers)
    assert result.missing == ("S3", "A17")
    assert result.scores["symptoms"] == pytest.approx(100 - 25 * 7 / 6)  # 7 over 6 items


@pytest.mark.parametrize("bad", [5, -1, 1.5, None])
def test_koos_values_are_0_to_4(bad: object) -> None:
    if bad is None:  # null is unanswered, not an error
        assert score(load_instrument("koos"), {"S1": None}).missing[0] == "S1"
        return
    with pytest.raises(QuestionnaireError, match=r"koos: item S1 .*\(0, 1, 2, 3, 4\)"):
        score(load_instrument("koos"), {"S1": bad})


# --- KOOS-PF and KOOS-12 ----------------------------------------------------------------


def test_koos_pf_needs_six_of_eleven() -> None:
    koos_pf = load_instrument("koos_pf")
    six = dict(zip([f"PF{n}" for n in range(1, 7)], [1, 1, 1, 1, 2, 2], strict=True))
    result = score(koos_pf, six)
    assert result.scores == {"koos_pf": pytest.approx(100 - 25 * 8 / 6)}  # 66.67
    assert result.notes == ("koos_pf computed from 6 of 11 items (KOOS 2012 rule applied by "
                            "analogy)",)
    five = dict(list(six.items())[:5])
    assert score(koos_pf, five).scores == {"koos_pf": None}


KOOS_12 = {"P1": 1, "P5": 1, "P6": 2, "P8": 2,       # pain: mean 1.5 -> 62.5
           "A3": 0, "A4": 0, "A7": 1, "SP4": 1,      # function: mean 0.5 -> 87.5
           "Q1": 2, "Q2": 2, "Q3": 2, "Q4": 2}       # qol: mean 2 -> 50


def test_koos_12_scales_and_summary() -> None:
    result = score(load_instrument("koos_12"), KOOS_12)
    assert result.scores == {"pain": 62.5, "function": 87.5, "qol": 50.0,
                             "summary": pytest.approx(200 / 3)}  # (62.5 + 87.5 + 50) / 3


def test_koos_12_scale_from_two_items_and_summary_needs_all_three() -> None:
    answers = {**KOOS_12}
    del answers["P5"], answers["P6"]          # pain from P1=1, P8=2: mean 1.5 -> 62.5
    for q in ("Q2", "Q3", "Q4"):              # qol from one item: not computable
        del answers[q]
    result = score(load_instrument("koos_12"), answers)
    assert result.scores == {"pain": 62.5, "function": 87.5, "qol": None, "summary": None}
    assert ("summary not computable: it needs all of pain, function, qol (kneeguard's "
            "reading, not confirmed by the authors)") in result.notes


def test_koos_12_refuses_a_koos_item_outside_the_short_form() -> None:
    with pytest.raises(QuestionnaireError, match=r"^koos_12: unknown item 'S1' \(the items "
                       r"are P1, P5, P6, P8, A3, A4, A7, SP4, Q1, Q2, Q3, Q4\)$") as info:
        score(load_instrument("koos_12"), {**KOOS_12, "S1": 0})
    assert info.value.field == "S1"


# --- malformed responses ----------------------------------------------------------------


def test_unknown_item_is_named() -> None:
    with pytest.raises(QuestionnaireError, match=r"^akps: unknown item 'AKPS14' ") as info:
        score(load_instrument("akps"), {**AKPS_82, "AKPS14": 5})
    assert info.value.field == "AKPS14"


def test_out_of_range_option_is_named_with_the_allowed_values() -> None:
    with pytest.raises(QuestionnaireError) as info:
        score(load_instrument("akps"), {**AKPS_82, "AKPS3": 4})
    assert str(info.value) == ("akps: item AKPS3 has value 4, which is not one of its options "
                               "(5, 3, 2, 0)")
    assert info.value.field == "AKPS3"


@pytest.mark.parametrize("bad", [True, "5", [5], {"value": 5}])
def test_wrong_types_are_refused(bad: object) -> None:
    with pytest.raises(QuestionnaireError, match=r"^akps: item AKPS1 "):
        score(load_instrument("akps"), {**AKPS_82, "AKPS1": bad})


@pytest.mark.parametrize("bad", [[1, 2], "answers", 3, None])
def test_answers_must_be_an_object(bad: object) -> None:
    with pytest.raises(QuestionnaireError, match="the answers must be a JSON object"):
        score(load_instrument("lefs"), bad)
