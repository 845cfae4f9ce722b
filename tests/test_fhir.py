"""FHIR R4 export: every bundle validates with the fhir.resources models (R4B package, the
R4-compatible release it ships), codes are LOINC only where the definitions name one."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from fulldb import populate
from kneeguard.questionnaires import load_instrument, load_instruments, score
from kneeguard.report.fhir import (
    LOINC,
    NPRS_NOW_LOINC,
    AssessmentData,
    FhirInput,
    PainEntryData,
    ResponseData,
    RunData,
    build_bundle,
)

T = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def validate(bundle: dict[str, Any]) -> Bundle:
    """Validate the bundle and each resource with its own model; references must resolve."""
    json.dumps(bundle)  # plain JSON
    parsed = Bundle.model_validate(bundle)
    urls = {e["fullUrl"] for e in bundle["entry"]}
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
        for reference in _values(resource, "reference"):
            assert reference in urls, f"dangling reference {reference}"
    return parsed


def _values(node: Any, key: str) -> Iterator[Any]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from _values(v, key)
    elif isinstance(node, list):
        for v in node:
            yield from _values(v, key)


def _codings(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for codings in _values(bundle, "coding") for c in codings]


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _sample() -> FhirInput:
    answers = {"AKPS1": 3, "AKPS2": 5, "AKPS3": 3, "AKPS4": 8, "AKPS5": 4, "AKPS6": 6,
               "AKPS7": 7, "AKPS8": 8, "AKPS9": 8, "AKPS10": 10, "AKPS11": 10, "AKPS12": 5,
               "AKPS13": 5}
    koos = {f"P{n}": 1 for n in range(1, 10)} | {"S1": 0, "S2": 1, "S3": 2, "S4": 1}
    visa = {"Q1": 5, "Q2": 6, "Q3": 7, "Q4": 8, "Q5": 9, "Q6": 10, "Q7": 4, "Q8_branch": "B",
            "Q8B": 14}
    nprs = {"NPRS_NOW": 3}

    def response(n: int, instrument_id: str, given: dict[str, Any]) -> ResponseData:
        scores = score(load_instrument(instrument_id), given).scores
        return ResponseData(n, instrument_id, T, given, scores)

    result = {
        "triage": {"level": "urgent", "reasons": ["locking knee"]},
        "running": {"advice": "stop", "reasons": ["do not run on a swollen knee"]},
        "conditions": [{"id": "meniscus_tear", "name": "meniscus tear", "probability": 0.7,
                        "evidence_for": ["locking"], "evidence_against": []},
                       {"id": "patellofemoral_pain", "name": "runner's knee",
                        "probability": 0.3, "evidence_for": [],
                        "evidence_against": ["swelling"]}],
        "red_flags": ["locked_knee"], "advice": ["See a doctor within 24 hours."],
        "avoid": ["running"], "knowledge_base_version": "2026.11"}
    return FhirInput(
        pseudonym="kg-test-0001", generated_at=T,
        assessments=[AssessmentData(1, T, {"pain_now": 5}, result)],
        responses=[response(1, "akps", answers), response(2, "koos", koos),
                   response(3, "visa_p", visa), response(4, "nprs", nprs)],
        pain_entries=[PainEntryData(1, date(2026, 3, 2), 1, 4, 3, 6.5,
                                    ("around_or_behind_kneecap",), "mild", "stairs", 7),
                      PainEntryData(2, date(2026, 3, 3), None, None, 2)],
        runs=[RunData(7, "running", T, 10012.37, 3001.5, 3120.0)],
    )


def test_bundle_validates_and_holds_every_kind_of_record() -> None:
    bundle = build_bundle(_sample())
    parsed = validate(bundle)
    assert parsed.type == "collection"
    assert Counter(e["resource"]["resourceType"] for e in bundle["entry"]) == {
        "Patient": 1, "ClinicalImpression": 1, "QuestionnaireResponse": 4,
        # assessment pain 1 + scores (akps 1, koos symptoms+pain 2, visa_p 1, nprs now 1)
        # + journal 2 + run 1
        "Observation": 1 + 5 + 2 + 1}


def test_patient_is_pseudonymous() -> None:
    (patient,) = _resources(build_bundle(_sample()), "Patient")
    assert set(patient) == {"resourceType", "id", "meta", "identifier"}
    assert patient["identifier"][0]["value"] == "kg-test-0001"
    assert patient["meta"]["security"][0]["code"] == "PSEUDED"


def test_loinc_codes_only_where_the_definitions_name_them() -> None:
    allowed = {code for i in load_instruments() for _, code in i.loinc_scores}
    assert allowed == {"72514-3", "72101-9", "72102-7", "72100-1", "72099-5", "72098-7"}
    assert dict(load_instrument("nprs").loinc_scores)["NPRS_NOW"] == NPRS_NOW_LOINC
    bundle = build_bundle(_sample())
    used = {c["code"] for c in _codings(bundle) if c["system"] == LOINC}
    assert used == {"72514-3", "72101-9", "72102-7"}  # pain now, KOOS symptoms and pain
    systems = {c["system"] for c in _codings(bundle)}
    assert all(s.startswith(("urn:kneeguard:fhir:", "http://terminology.hl7.org/"))
               or s == LOINC for s in systems)


def test_score_observations_and_questionnaire_responses() -> None:
    bundle = build_bundle(_sample())
    scores = {o["code"]["text"]: o for o in _resources(bundle, "Observation")
              if "derivedFrom" in o and o["code"]["coding"][-1]["system"].endswith("score")}
    assert scores["Anterior Knee Pain Scale (AKPS, Kujala score): total"]["valueQuantity"][
        "value"] == 82
    koos_pain = scores["Knee injury and Osteoarthritis Outcome Score (KOOS): pain"]
    assert koos_pain["code"]["coding"][0] == {"system": LOINC, "code": "72102-7"}
    assert koos_pain["valueQuantity"]["value"] == 75.0
    # adl, sport_rec and qol are not computable: no Observation for them
    assert not any(":" in k and k.endswith(("adl", "sport_rec", "qol")) for k in scores)

    responses = {r["questionnaire"].split(":")[-1].split("|")[0]: r
                 for r in _resources(bundle, "QuestionnaireResponse")}
    akps_items = {i["linkId"]: i for i in responses["akps"]["item"]}
    assert akps_items["AKPS8"]["text"] == "Prolonged sitting with the knees flexed"
    assert akps_items["AKPS1"]["answer"] == [{"valueInteger": 3}]
    assert all("text" not in i for i in responses["koos"]["item"])  # licensed wording
    visa_items = {i["linkId"]: i for i in responses["visa_p"]["item"]}
    assert visa_items["Q8_branch"]["answer"] == [{"valueString": "B"}]


def test_assessment_as_clinical_impression() -> None:
    (impression,) = _resources(build_bundle(_sample()), "ClinicalImpression")
    assert impression["status"] == "completed"
    assert impression["summary"].startswith("Triage: urgent; running: stop; most likely: "
                                            "meniscus tear (70%)")
    assert impression["protocol"] == ["urn:kneeguard:fhir:knowledge-base:2026.11"]
    codes = [f["itemCodeableConcept"]["coding"][0]["code"] for f in impression["finding"]]
    assert codes == ["meniscus_tear", "patellofemoral_pain", "locked_knee"]
    assert impression["finding"][0]["basis"] == "probability 0.70. for: locking"


def test_journal_and_runs() -> None:
    bundle = build_bundle(_sample())
    observations = _resources(bundle, "Observation")
    run = next(o for o in observations if o["category"][0]["coding"][0]["code"] == "activity")
    assert run["effectivePeriod"] == {"start": "2026-03-02T07:00:00Z",
                                      "end": "2026-03-02T07:52:00Z"}
    assert [(c["code"]["coding"][0]["code"], c["valueQuantity"]["value"],
             c["valueQuantity"]["code"]) for c in run["component"]] == [
        ("distance", 10012.37, "m"), ("moving-duration", 3001.5, "s"),
        ("elapsed-duration", 3120.0, "s")]
    entries = [o for o in observations
               if o["code"]["coding"][0]["code"] == "pain-journal-entry"]
    assert [e["effectiveDateTime"] for e in entries] == ["2026-03-02", "2026-03-03"]
    first = {c["code"]["coding"][0]["code"]: c for c in entries[0]["component"]}
    assert first["pain-during-run"]["valueQuantity"]["value"] == 4
    assert first["pain-onset-distance"]["valueQuantity"] == {
        "value": 6.5, "unit": "km", "system": "http://unitsofmeasure.org", "code": "km"}
    assert entries[0]["derivedFrom"] == [{"reference": next(
        e["fullUrl"] for e in bundle["entry"] if e["resource"] is run)}]
    assert "derivedFrom" not in entries[1]


def test_ids_are_stable_for_a_pseudonym() -> None:
    sample = _sample()
    assert build_bundle(sample) == build_bundle(sample)
    other = build_bundle(FhirInput("kg-someone-else", T, sample.assessments))
    assert other["entry"][1]["fullUrl"] != build_bundle(sample)["entry"][1]["fullUrl"]


def test_empty_database_gives_a_bundle_with_the_patient_only(run_cli: Any,
                                                              tmp_path: Path) -> None:
    out = tmp_path / "bundle.json"
    result = run_cli("export", "--fhir", str(out))
    assert result.exit_code == 0, result.stderr
    bundle = json.loads(out.read_text(encoding="utf-8"))
    validate(bundle)
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Patient"]
    assert bundle["entry"][0]["resource"]["identifier"][0]["value"].startswith("kg-")


def test_cli_export_of_a_full_database_validates(db_url: str, run_cli: Any,
                                                 tmp_path: Path) -> None:
    from kneeguard.storage import connect

    db = connect(db_url)
    populate(db)
    db.dispose()
    out = tmp_path / "bundle.json"
    result = run_cli("--db", db_url, "export", "--fhir", str(out), "--pseudonym", "kg-42")
    assert result.exit_code == 0, result.stderr
    bundle = json.loads(out.read_text(encoding="utf-8"))
    validate(bundle)
    assert Counter(e["resource"]["resourceType"] for e in bundle["entry"]) == {
        "Patient": 1, "ClinicalImpression": 2, "QuestionnaireResponse": 5,
        # runs: running + trail (not the ride) 2; journal 2; pain now of assessment 1 1;
        # scores: akps 1, nprs 2, visa_p 1, koos symptoms + pain 2, koos_12 4
        "Observation": 2 + 2 + 1 + 10}
    again = tmp_path / "again.json"
    run_cli("--db", db_url, "export", "--fhir", str(again), "--pseudonym", "kg-42")
    first, second = (json.loads(p.read_text(encoding="utf-8")) for p in (out, again))
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]


@pytest.mark.parametrize("bad_reference", ["urn:uuid:not-in-bundle"])
def test_the_validator_catches_a_dangling_reference(bad_reference: str) -> None:
    bundle = build_bundle(_sample())
    bundle["entry"][1]["resource"]["subject"] = {"reference": bad_reference}
    with pytest.raises(AssertionError, match="dangling reference"):
        validate(bundle)


def test_the_validator_catches_an_unknown_field() -> None:
    from pydantic import ValidationError

    bundle = build_bundle(_sample())
    bundle["entry"][2]["resource"]["painScore"] = 3
    with pytest.raises(ValidationError):
        validate(bundle)
