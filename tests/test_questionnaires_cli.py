"""`kneeguard survey`, `scores` and `instruments`, the stored responses and the import of a
clinic's licensed wording (placeholder text here: the real KOOS wording is licensed)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kneeguard.errors import QuestionnaireError
from kneeguard.questionnaires import apply_text, check_text, load_instrument

AKPS_82 = {"AKPS1": 3, "AKPS2": 5, "AKPS3": 3, "AKPS4": 8, "AKPS5": 4, "AKPS6": 6,
           "AKPS7": 7, "AKPS8": 8, "AKPS9": 8, "AKPS10": 10, "AKPS11": 10, "AKPS12": 5,
           "AKPS13": 5}


def placeholder_text(instrument_id: str = "koos") -> dict[str, Any]:
    """A wording file with made-up placeholder text (never the licensed wording)."""
    items = [{"id": item_id, "text": f"Placeholder question {item_id}",
              "options": [{"value": v, "label": f"placeholder answer {v}"}
                          for v in (0, 1, 2, 3, 4)]}
             for item_id in load_instrument(instrument_id).item_ids]
    return {"schema": "kneeguard.instrument-text/1", "instrument": instrument_id,
            "language": "en", "source": "test clinic licence 0000",
            "instructions": ["Placeholder instructions."], "items": items}


def _write(tmp_path: Path, name: str, document: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


# --- survey score (the contract) --------------------------------------------------------


def test_survey_score_json_is_the_contract(run_cli: Any, tmp_path: Path) -> None:
    answers = _write(tmp_path, "akps.json", AKPS_82)
    result = run_cli("survey", "score", "akps", "--answers", answers, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"instrument": "akps", "scores": {"total": 82},
                                         "missing": [], "notes": []}


def test_survey_score_reads_stdin_and_reports_null_subscales(run_cli: Any) -> None:
    answers = {"S1": 1, "S2": 1, "S3": 1, "S4": 1, "P1": 4}
    result = run_cli("survey", "score", "koos", "--answers", "-", "--format", "json",
                     input=json.dumps(answers))
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["scores"] == {"symptoms": 75.0, "pain": None, "adl": None, "sport_rec": None,
                             "qol": None}
    assert len(doc["missing"]) == 42 - 5
    assert "pain not computable: 1 of 9 items answered, at least 5 needed (KOOS 2012 rule)" in (
        doc["notes"])


def test_survey_score_does_not_store(run_cli: Any, tmp_path: Path) -> None:
    answers = _write(tmp_path, "akps.json", AKPS_82)
    assert run_cli("survey", "score", "akps", "--answers", answers).exit_code == 0
    result = run_cli("scores", "--format", "json")
    assert json.loads(result.stdout) == {"instruments": []}


@pytest.mark.parametrize(("answers", "message"), [
    ({**AKPS_82, "AKPS99": 5}, "Error: akps: unknown item 'AKPS99' (the items are AKPS1, "),
    ({**AKPS_82, "AKPS2": 4}, "Error: akps: item AKPS2 has value 4, which is not one of its "
     "options (5, 3, 0)"),
])
def test_survey_score_malformed_answers(run_cli: Any, tmp_path: Path, answers: Any,
                                        message: str) -> None:
    result = run_cli("survey", "score", "akps", "--answers", _write(tmp_path, "a.json", answers),
                     "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1


def test_survey_score_unknown_instrument_and_bad_json(run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("survey", "score", "womac", "--answers", "-", input="{}")
    assert result.exit_code == 6
    assert result.stderr.startswith("Error: there is no questionnaire 'womac' (known: nprs, ")
    bad = tmp_path / "bad.json"
    bad.write_text("{\"AKPS1\": ", encoding="utf-8")
    result = run_cli("survey", "score", "akps", "--answers", str(bad))
    assert result.exit_code == 2
    assert "is not valid JSON" in result.stderr


def test_survey_score_needs_answers(run_cli: Any) -> None:
    result = run_cli("survey", "score", "akps")
    assert result.exit_code == 2
    assert "usage: kneeguard survey score INSTRUMENT --answers FILE|-" in result.stderr


# --- storing responses and scores over time ---------------------------------------------


def test_stored_responses_and_scores_over_time(run_cli: Any, tmp_path: Path,
                                               db_url: str) -> None:
    first = _write(tmp_path, "1.json", AKPS_82)
    second = _write(tmp_path, "2.json", {**AKPS_82, "AKPS6": 10, "AKPS7": 10, "AKPS4": 10})
    third = _write(tmp_path, "3.json", {**AKPS_82, "AKPS6": 10, "AKPS7": 10, "AKPS4": 10,
                                       "AKPS9": 6})
    for path, when in ((first, "2026-01-05T08:00+00:00"), (second, "2026-02-05T08:00+00:00"),
                       (third, "2026-03-05T08:00+00:00")):
        result = run_cli("--db", db_url, "survey", "akps", "--answers", path,
                         "--when", when, "--format", "json")
        assert result.exit_code == 0, result.stderr
    stored = json.loads(result.stdout)
    assert stored["scores"] == {"total": 89} and stored["answered_at"] == "2026-03-05T08:00:00Z"

    result = run_cli("--db", db_url, "scores", "--format", "json")
    doc = json.loads(result.stdout)
    assert [b["instrument"] for b in doc["instruments"]] == ["akps"]
    block = doc["instruments"][0]
    assert (block["mcid"], block["direction"]) == (10.0, "higher_is_better")
    assert [(h["value"], h["since_previous"], h["since_baseline"]) for h in block["history"]] == [
        (82.0, None, None),
        (91.0, {"delta": 9.0, "label": "within_mcid", "mcid": 10.0},      # 82 + 2 + 4 + 3
         {"delta": 9.0, "label": "within_mcid", "mcid": 10.0}),
        (89.0, {"delta": -2.0, "label": "within_mcid", "mcid": 10.0},
         {"delta": 7.0, "label": "within_mcid", "mcid": 10.0})]

    text = run_cli("--db", db_url, "scores")
    assert "Anterior Knee Pain Scale" in text.stdout and "MCID 10" in text.stdout
    assert "+9.0 within MCID" in text.stdout


def test_scores_uses_the_koos_mcid_setting(run_cli: Any, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    base = {f"Q{n}": 2 for n in range(1, 5)}  # qol 50
    better = {f"Q{n}": 1 for n in range(1, 5)} | {"Q4": 2}  # mean 1.25 -> 68.75 (+18.75)
    for doc, when in ((base, "2026-01-01"), (better, "2026-02-01")):
        assert run_cli("survey", "koos", "--answers", _write(tmp_path, "k.json", doc),
                       "--when", when).exit_code == 0
    monkeypatch.setenv("KNEEGUARD_KOOS_MCID", "20")
    doc = json.loads(run_cli("scores", "--instrument", "koos", "--format", "json").stdout)
    qol = [h for h in doc["instruments"][0]["history"] if h["score"] == "qol"]
    assert qol[1]["since_previous"] == {"delta": 18.75, "label": "within_mcid", "mcid": 20.0}


def test_survey_when_must_be_iso(run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("survey", "akps", "--answers", _write(tmp_path, "a.json", AKPS_82),
                     "--when", "last tuesday")
    assert result.exit_code == 2
    assert "--when 'last tuesday' is not an ISO date" in result.stderr


def test_a_refused_response_stores_nothing(run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("survey", "akps", "--answers",
                     _write(tmp_path, "a.json", {**AKPS_82, "AKPS1": 4}))
    assert result.exit_code == 2
    assert json.loads(run_cli("scores", "--format", "json").stdout) == {"instruments": []}


# --- the interactive form ---------------------------------------------------------------


def test_interactive_akps_uses_option_letters_and_shows_attribution(run_cli: Any) -> None:
    # a=best option of each item except: AKPS1 b (3), AKPS4 c (5), AKPS9 b (8)
    letters = ["b", "a", "a", "c", "a", "a", "a", "a", "b", "a", "a", "a", "a"]
    result = run_cli("survey", "akps", input="\n".join(letters) + "\n")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Anterior Knee Pain Scale (AKPS, Kujala score)" in out
    assert "Source: Kujala UM et al. Scoring of patellofemoral disorders." in out
    assert "Citation: Kujala UM, Jaakkola LH" in out
    assert "[8/13] 8. Prolonged sitting with the knees flexed" in out
    assert "b) Slight or periodical" in out
    assert "total: 91" in out  # 100 - 2 - 5 - 2
    assert "Saved as response 1." in out


def test_interactive_visa_p_follows_the_branch(run_cli: Any) -> None:
    # Q1-Q6 are typed as their 0-10 value; Q7 and Q8B by position; the branch by letter
    keys = ["5", "6", "7", "8", "9", "10", "2", "B", "4"]
    result = run_cli("survey", "visa_p", "--format", "json", input="\n".join(keys) + "\n")
    assert result.exit_code == 0, result.stderr
    # the prompts go to stderr; the test runner echoes the typed input onto stdout
    doc = json.loads(result.stdout[result.stdout.index("{"):])
    assert doc["scores"] == {"total": 63}  # 45 + Q7 4 + Q8B 14
    assert "8B. If you have some pain while undertaking sport" in result.stderr
    assert "8A. " not in result.stderr and "8C. " not in result.stderr


def test_interactive_reasks_skips_and_quits(run_cli: Any) -> None:
    result = run_cli("survey", "nprs", input="12\n4\n\n\n\n\n")
    assert result.exit_code == 0, result.stderr
    assert "Please type one of 0, 1, 2" in result.stdout
    assert "NPRS_NOW: 4" in result.stdout
    assert "unanswered: NPRS_BEFORE_RUN, NPRS_DURING_RUN, NPRS_AFTER_RUN, NPRS_WORST_WEEK" in (
        result.stdout)

    quit_ = run_cli("survey", "lefs", input="4\nq\n")
    assert quit_.exit_code == 1
    assert "Stopped; nothing was saved." in quit_.stdout
    doc = json.loads(run_cli("scores", "--format", "json").stdout)
    assert [b["instrument"] for b in doc["instruments"]] == ["nprs"]


def test_interactive_shows_change_since_last_time(run_cli: Any) -> None:
    assert run_cli("survey", "nprs", input="6\n\n\n\n\n").exit_code == 0
    result = run_cli("survey", "nprs", input="3\n\n\n\n\n")
    assert "NPRS_NOW: 3   since last time: -3.0 improved (MCID 2)" in result.stdout


# --- licensed wording -------------------------------------------------------------------


def test_koos_form_without_wording_says_how_to_obtain_it(run_cli: Any) -> None:
    result = run_cli("survey", "koos")
    assert result.exit_code == 6
    assert "licensed by Mapi Research Trust" in result.stderr
    assert "kneeguard instruments import FILE" in result.stderr
    assert result.stdout == ""


def test_import_wording_then_fill_in_the_koos_pf_form(run_cli: Any, tmp_path: Path,
                                                      db_url: str) -> None:
    path = _write(tmp_path, "koos_pf.json", placeholder_text("koos_pf"))
    result = run_cli("--db", db_url, "instruments", "import", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "Imported the koos_pf wording (en, 11 items)."
    again = run_cli("--db", db_url, "instruments", "import", path)
    assert again.stdout.strip().endswith("it replaces the earlier one.")

    listing = json.loads(run_cli("--db", db_url, "instruments", "--format", "json").stdout)
    assert {r["id"]: r["wording"] for r in listing} == {
        "nprs": "shipped", "akps": "shipped", "visa_p": "shipped", "lefs": "shipped",
        "koos": "not imported (licensed)", "koos_pf": "imported",
        "koos_12": "not imported (licensed)"}

    answers = "\n".join(["1"] * 6 + ["2"] * 5) + "\n"  # mean 16/11
    result = run_cli("--db", db_url, "survey", "koos_pf", input=answers)
    assert result.exit_code == 0, result.stderr
    assert "Placeholder question PF3" in result.stdout
    assert "0) placeholder answer 0" in result.stdout
    assert "Wording: licensed text imported by the clinic" in result.stdout
    assert f"koos_pf: {100 - 25 * 16 / 11:.1f}" in result.stdout  # 63.6


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["items"].append({**d["items"][0], "id": "PF12"}),
     "items[11] has id 'PF12', which is not an item of koos_pf"),
    (lambda d: d["items"].pop(), "items PF11 of koos_pf have no text"),
    (lambda d: d["items"].append(dict(d["items"][0])), "item PF1 appears twice"),
    (lambda d: d["items"][2]["options"].pop(), "item PF3 must have exactly one option for each "
     "value 0, 1, 2, 3 and 4"),
    (lambda d: d["items"][2]["options"][0].update(value=5), "item PF3 option 1 has value 5"),
    (lambda d: d["items"][4].update(text=" "), "item PF5 text must be non-empty text"),
    (lambda d: d.update(schema="x"), "schema must be 'kneeguard.instrument-text/1'"),
    (lambda d: d.update(colour="red"), "unknown field 'colour'"),
])
def test_import_refuses_a_file_that_does_not_match_the_definition(
        change: Any, message: str, run_cli: Any, tmp_path: Path) -> None:
    doc = placeholder_text("koos_pf")
    change(doc)
    result = run_cli("instruments", "import", _write(tmp_path, "t.json", doc))
    assert result.exit_code == 2
    assert message in result.stderr
    listing = json.loads(run_cli("instruments", "--format", "json").stdout)
    assert {r["id"]: r["wording"] for r in listing}["koos_pf"] == "not imported (licensed)"


def test_import_refuses_shipped_instruments_and_unknown_ones(run_cli: Any,
                                                             tmp_path: Path) -> None:
    doc = placeholder_text("koos_pf") | {"instrument": "akps"}
    result = run_cli("instruments", "import", _write(tmp_path, "t.json", doc))
    assert result.exit_code == 2 and "akps ships with its own wording" in result.stderr
    doc["instrument"] = "womac"
    result = run_cli("instruments", "import", _write(tmp_path, "t.json", doc))
    assert result.exit_code == 6 and "there is no questionnaire 'womac'" in result.stderr


def test_applied_text_keeps_the_definition_scoring() -> None:
    koos = load_instrument("koos")
    worded = apply_text(koos, check_text(placeholder_text("koos"), koos))
    assert worded.item("S4").text == "Placeholder question S4"
    assert worded.content_hash == koos.content_hash and worded.subscales == koos.subscales
    with pytest.raises(QuestionnaireError, match="instrument is 'koos', expected 'koos_12'"):
        check_text(placeholder_text("koos"), load_instrument("koos_12"))


# --- suggestions ------------------------------------------------------------------------


def test_instruments_marks_the_ones_the_latest_assessment_suggests(run_cli: Any,
                                                                   db_url: str) -> None:
    from kneeguard.storage import connect
    from kneeguard.storage.assessments import save_assessment

    db = connect(db_url)
    result = {"knowledge_base_version": "test", "triage": {"level": "see_clinician"},
              "running": {"advice": "reduce"},
              "conditions": [{"id": "patellar_tendinopathy", "probability": 0.7}]}
    with db.session() as session:
        save_assessment(session, {"schema": "kneeguard.answers/1"}, result,
                        datetime(2026, 3, 1, tzinfo=UTC))
    db.dispose()
    listing = json.loads(run_cli("--db", db_url, "instruments", "--format", "json").stdout)
    suggested = [r["id"] for r in listing if r["suggested"]]
    assert suggested == ["nprs", "visa_p", "lefs"]
    text = run_cli("--db", db_url, "survey")
    assert text.exit_code == 0
    assert text.stdout.splitlines()[2].startswith("  visa_p: the VISA-P measures")


def test_a_back_dated_form_is_compared_with_the_response_before_it(run_cli: Any,
                                                                    tmp_path: Path) -> None:
    for value, when in ((6, "2026-01-10"), (2, "2026-03-01")):
        path = _write(tmp_path, "n.json", {"NPRS_NOW": value})
        assert run_cli("survey", "nprs", "--answers", path, "--when", when).exit_code == 0
    path = _write(tmp_path, "n.json", {"NPRS_NOW": 5})
    result = run_cli("survey", "nprs", "--answers", path, "--when", "2026-02-01")
    # against 6 on 10 January, not against 2 on 1 March (which would read "worsened")
    assert "NPRS_NOW: 5   since last time: -1.0 within MCID (MCID 2)" in result.stdout
