"""FHIR R4 export: one ``collection`` Bundle for a clinic system.

:func:`build_bundle` is a pure function from plain data (:class:`FhirInput`) to a
Bundle dict; :func:`collect` reads that plain data from a database. The bundle holds

* a pseudonymous ``Patient`` (an identifier only: no name, birth date or gender);
* each assessment as a ``ClinicalImpression`` (triage, running advice, conditions with
  their probability and evidence, red flags, knowledge-base version) plus, when the
  runner rated it, the current pain as an ``Observation``;
* each questionnaire as a ``QuestionnaireResponse`` plus one score ``Observation`` per
  computable score;
* each pain-journal entry as an ``Observation`` whose components are the ratings
  before/during/after the run, the onset distance, locations and swelling (derived
  from its run's ``Observation`` when the entry belongs to a run);
* each running activity as an ``Observation`` with distance and duration components.

Codes: LOINC only where the instrument definition names one (NPRS "now" 72514-3 and
the KOOS subscales); never an invented LOINC code. Everything else uses kneeguard's
local code systems under :data:`LOCAL` (docs/fhir.md lists them). Resource ids are
UUIDv5 of the pseudonym and the record, so exporting again gives the same ids.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kneeguard.questionnaires import load_instrument

if TYPE_CHECKING:
    from kneeguard.storage import Database

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
# kneeguard's own code systems (not resolvable web addresses; see docs/fhir.md).
LOCAL = "urn:kneeguard:fhir:"
PSEUDONYM_SYSTEM = LOCAL + "pseudonym"
CONDITION_SYSTEM = LOCAL + "condition"
TRIAGE_SYSTEM = LOCAL + "triage-level"
RUNNING_ADVICE_SYSTEM = LOCAL + "running-advice"
RED_FLAG_SYSTEM = LOCAL + "red-flag"
SCORE_SYSTEM = LOCAL + "questionnaire-score"
PAIN_SYSTEM = LOCAL + "pain-rating"
ACTIVITY_SYSTEM = LOCAL + "activity"
NPRS_NOW_LOINC = "72514-3"  # read from the NPRS definition; checked in the tests
_NAMESPACE = uuid.UUID("18766ca2-448a-46a6-b210-8935e63d035c")  # fixed: ids stay stable


@dataclass(frozen=True)
class AssessmentData:
    id: int
    created_at: datetime
    answers: Mapping[str, Any]
    result: Mapping[str, Any]


@dataclass(frozen=True)
class ResponseData:
    id: int
    instrument_id: str
    answered_at: datetime
    answers: Mapping[str, Any]
    scores: Mapping[str, float | int | None]


@dataclass(frozen=True)
class PainEntryData:
    """A pain-journal entry: 0-10 ratings around a run (or on a day without one)."""

    id: int
    day: date
    pain_before: int | None = None
    pain_during: int | None = None
    pain_after: int | None = None
    pain_onset_km: float | None = None
    locations: Sequence[str] = ()
    swelling: str | None = None
    note: str = ""
    run_id: int | None = None


@dataclass(frozen=True)
class RunData:
    id: int
    sport: str
    start_utc: datetime
    distance_m: float
    timer_s: float
    elapsed_s: float


@dataclass(frozen=True)
class FhirInput:
    pseudonym: str
    generated_at: datetime
    assessments: Sequence[AssessmentData] = ()
    responses: Sequence[ResponseData] = ()
    pain_entries: Sequence[PainEntryData] = ()
    runs: Sequence[RunData] = ()


def _instant(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _concept(*codings: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    concept: dict[str, Any] = {"coding": list(codings)}
    if text:
        concept["text"] = text
    return concept


def _category(code: str) -> list[dict[str, Any]]:
    return [_concept(_coding(OBSERVATION_CATEGORY, code))]


def _score_quantity(value: float) -> dict[str, Any]:
    return {"value": value, "unit": "score", "system": UCUM, "code": "{score}"}


class _Builder:
    def __init__(self, pseudonym: str) -> None:
        self.pseudonym = pseudonym
        self.entries: list[dict[str, Any]] = []

    def url(self, kind: str, key: object) -> str:
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{self.pseudonym}/{kind}/{key}')}"

    def add(self, kind: str, key: object, resource: dict[str, Any]) -> str:
        full_url = self.url(kind, key)
        resource = {"resourceType": resource.pop("resourceType"),
                    "id": full_url.removeprefix("urn:uuid:"), **resource}
        self.entries.append({"fullUrl": full_url, "resource": resource})
        return full_url


def _assessment(b: _Builder, patient: str, a: AssessmentData) -> None:
    result = a.result
    triage = result.get("triage", {})
    running = result.get("running", {})
    conditions = result.get("conditions", [])
    when = _instant(a.created_at)
    top = conditions[0] if conditions else None
    summary = (f"Triage: {triage.get('level')}; running: {running.get('advice')}"
               + (f"; most likely: {top.get('name')} ({top.get('probability', 0):.0%})"
                  if top else "")
               + ". A decision aid, not a diagnosis.")
    findings = []
    for condition in conditions:
        basis = [f"probability {condition.get('probability', 0):.2f}"]
        if condition.get("evidence_for"):
            basis.append("for: " + "; ".join(condition["evidence_for"]))
        if condition.get("evidence_against"):
            basis.append("against: " + "; ".join(condition["evidence_against"]))
        findings.append({
            "itemCodeableConcept": _concept(
                _coding(CONDITION_SYSTEM, condition["id"], condition.get("name")),
                text=condition.get("name")),
            "basis": ". ".join(basis),
        })
    for flag in result.get("red_flags", []):
        findings.append({"itemCodeableConcept": _concept(_coding(RED_FLAG_SYSTEM, flag),
                                                         text=f"red flag: {flag}")})
    prognosis = []
    if triage.get("level"):
        prognosis.append(_concept(_coding(TRIAGE_SYSTEM, triage["level"]),
                                  text="; ".join(triage.get("reasons", [])) or None))
    if running.get("advice"):
        prognosis.append(_concept(_coding(RUNNING_ADVICE_SYSTEM, running["advice"]),
                                  text="; ".join(running.get("reasons", [])) or None))
    resource: dict[str, Any] = {
        "resourceType": "ClinicalImpression",
        "status": "completed",
        "description": "kneeguard knee-pain assessment after running",
        "subject": {"reference": patient},
        "effectiveDateTime": when,
        "date": when,
        "summary": summary,
        "protocol": [f"{LOCAL}knowledge-base:{result.get('knowledge_base_version', '')}"],
    }
    if findings:
        resource["finding"] = findings
    if prognosis:
        resource["prognosisCodeableConcept"] = prognosis
    notes = [f"Advice: {x}" for x in result.get("advice", [])]
    notes += [f"Avoid: {x}" for x in result.get("avoid", [])]
    if notes:
        resource["note"] = [{"text": n} for n in notes]
    impression = b.add("assessment", a.id, resource)
    pain_now = a.answers.get("pain_now")
    if isinstance(pain_now, int) and not isinstance(pain_now, bool):
        b.add("assessment-pain", a.id, {
            "resourceType": "Observation", "status": "final", "category": _category("survey"),
            "code": _concept(_coding(LOINC, NPRS_NOW_LOINC,
                                     "Pain severity - 0-10 verbal numeric rating [Score] - "
                                     "Reported"), text="Knee pain right now (0-10)"),
            "subject": {"reference": patient}, "effectiveDateTime": when,
            "valueQuantity": _score_quantity(pain_now),
            "derivedFrom": [{"reference": impression}],
        })


def _response(b: _Builder, patient: str, r: ResponseData) -> None:
    instrument = load_instrument(r.instrument_id)
    when = _instant(r.answered_at)
    items = []
    for item in instrument.items:
        value = r.answers.get(item.id)
        if value is None:
            continue
        entry: dict[str, Any] = {"linkId": item.id}
        if item.text:  # shipped wording only: licensed KOOS text never leaves the clinic
            entry["text"] = item.text
        entry["answer"] = [{"valueString": value} if isinstance(value, str)
                           else {"valueInteger": int(value)}]
        items.append(entry)
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{LOCAL}questionnaire:{instrument.id}|{instrument.content_hash[:12]}",
        "status": "completed",
        "subject": {"reference": patient},
        "authored": when,
    }
    if items:
        resource["item"] = items
    response = b.add("response", r.id, resource)
    for key in instrument.score_keys:
        value = r.scores.get(key)
        if value is None:
            continue
        local = _coding(SCORE_SYSTEM, f"{instrument.id}.{key}",
                        f"{instrument.name}: {key}")
        loinc = instrument.loinc_for(key)
        code = _concept(_coding(LOINC, loinc), local) if loinc else _concept(local)
        code["text"] = f"{instrument.name}: {key}"
        b.add("score", f"{r.id}/{key}", {
            "resourceType": "Observation", "status": "final", "category": _category("survey"),
            "code": code, "subject": {"reference": patient}, "effectiveDateTime": when,
            "valueQuantity": _score_quantity(float(value) if isinstance(value, float)
                                             else int(value)),
            "derivedFrom": [{"reference": response}],
        })


def _pain_entry(b: _Builder, patient: str, p: PainEntryData, run_ids: set[int]) -> None:
    components: list[dict[str, Any]] = []
    for code, label, value in (("pain-before-run", "knee pain before the run", p.pain_before),
                               ("pain-during-run", "knee pain during the run", p.pain_during),
                               ("pain-after-run", "knee pain after the run", p.pain_after)):
        if value is not None:
            components.append({"code": _concept(_coding(PAIN_SYSTEM, code, label),
                                                text=f"{label} (0-10)"),
                               "valueQuantity": _score_quantity(value)})
    if p.pain_onset_km is not None:
        components.append({
            "code": _concept(_coding(PAIN_SYSTEM, "pain-onset-distance",
                                     "distance into the run at which pain began"),
                             text="pain began after"),
            "valueQuantity": {"value": p.pain_onset_km, "unit": "km", "system": UCUM,
                              "code": "km"}})
    for location in p.locations:
        components.append({
            "code": _concept(_coding(PAIN_SYSTEM, "pain-location", "where it hurts"),
                             text="where it hurts"),
            "valueCodeableConcept": _concept(_coding(PAIN_SYSTEM + "-location", location),
                                             text=location.replace("_", " "))})
    if p.swelling is not None:
        components.append({
            "code": _concept(_coding(PAIN_SYSTEM, "swelling", "swelling"), text="swelling"),
            "valueCodeableConcept": _concept(_coding(PAIN_SYSTEM + "-swelling", p.swelling),
                                             text=p.swelling)})
    resource: dict[str, Any] = {
        "resourceType": "Observation", "status": "final", "category": _category("survey"),
        "code": _concept(_coding(PAIN_SYSTEM, "pain-journal-entry", "pain journal entry"),
                         text="Knee pain journal entry"
                         + (" (with a run)" if p.run_id is not None else "")),
        "subject": {"reference": patient},
        "effectiveDateTime": p.day.isoformat(),
    }
    if components:
        resource["component"] = components
    else:
        resource["dataAbsentReason"] = _concept(_coding(
            "http://terminology.hl7.org/CodeSystem/data-absent-reason", "not-asked"))
    if p.run_id is not None and p.run_id in run_ids:
        resource["derivedFrom"] = [{"reference": b.url("run", p.run_id)}]
    if p.note:
        resource["note"] = [{"text": p.note}]
    b.add("pain", p.id, resource)


def _run(b: _Builder, patient: str, run: RunData) -> None:
    end = run.start_utc + timedelta(seconds=run.elapsed_s)
    b.add("run", run.id, {
        "resourceType": "Observation", "status": "final", "category": _category("activity"),
        "code": _concept(_coding(ACTIVITY_SYSTEM, run.sport, run.sport.replace("_", " ")),
                         text=run.sport.replace("_", " ").capitalize()),
        "subject": {"reference": patient},
        "effectivePeriod": {"start": _instant(run.start_utc), "end": _instant(end)},
        "component": [
            {"code": _concept(_coding(ACTIVITY_SYSTEM, "distance", "distance"),
                              text="distance"),
             "valueQuantity": {"value": round(run.distance_m, 2), "unit": "m",
                               "system": UCUM, "code": "m"}},
            {"code": _concept(_coding(ACTIVITY_SYSTEM, "moving-duration", "moving time"),
                              text="moving time"),
             "valueQuantity": {"value": round(run.timer_s, 3), "unit": "s",
                               "system": UCUM, "code": "s"}},
            {"code": _concept(_coding(ACTIVITY_SYSTEM, "elapsed-duration", "elapsed time"),
                              text="elapsed time"),
             "valueQuantity": {"value": round(run.elapsed_s, 3), "unit": "s",
                               "system": UCUM, "code": "s"}},
        ],
    })


def build_bundle(data: FhirInput) -> dict[str, Any]:
    """The FHIR R4 ``collection`` Bundle for ``data`` (a plain dict, ready for JSON)."""
    b = _Builder(data.pseudonym)
    patient = b.add("patient", "", {
        "resourceType": "Patient",
        "meta": {"security": [_coding(
            "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "PSEUDED",
            "pseudonymized")]},
        "identifier": [{"system": PSEUDONYM_SYSTEM, "value": data.pseudonym}],
    })
    for assessment in sorted(data.assessments, key=lambda a: (a.created_at, a.id)):
        _assessment(b, patient, assessment)
    for response in sorted(data.responses, key=lambda r: (r.answered_at, r.id)):
        _response(b, patient, response)
    for entry in sorted(data.pain_entries, key=lambda p: (p.day, p.id)):
        _pain_entry(b, patient, entry, {r.id for r in data.runs})
    for run in sorted(data.runs, key=lambda r: (r.start_utc, r.id)):
        _run(b, patient, run)
    return {
        "resourceType": "Bundle",
        "id": b.url("bundle", _instant(data.generated_at)).removeprefix("urn:uuid:"),
        "meta": {"lastUpdated": _instant(data.generated_at)},
        "type": "collection",
        "timestamp": _instant(data.generated_at),
        "entry": b.entries,
    }


def collect(db: Database, pseudonym: str, generated_at: datetime | None = None) -> FhirInput:
    """Read everything the bundle shows from ``db`` as plain data."""
    from sqlalchemy import select

    from kneeguard.storage.activities import RUNNING_SPORTS, ActivityRow
    from kneeguard.storage.assessments import list_assessments
    from kneeguard.storage.base import utcnow
    from kneeguard.storage.questionnaires import list_responses

    with db.session() as session:
        assessments = [AssessmentData(a.id, a.created_at, a.answers, a.result)
                       for a in list_assessments(session)]
        responses = [ResponseData(r.id, r.instrument_id, r.answered_at, r.answers, r.scores)
                     for r in list_responses(session)]
        runs = [RunData(r.id, r.sport, r.start_utc, r.distance_m, r.timer_s, r.elapsed_s)
                for r in session.scalars(select(ActivityRow).where(
                    ActivityRow.sport.in_(RUNNING_SPORTS)).order_by(ActivityRow.start_utc))]
        pain = _pain_entries(session)
    return FhirInput(pseudonym, generated_at or utcnow(), assessments, responses, pain, runs)


def _pain_entries(session: Any) -> list[PainEntryData]:
    from kneeguard.storage.journal import list_entries

    return [PainEntryData(e.id or 0, e.day, e.pain_before, e.pain_during, e.pain_after,
                          e.pain_onset_km, tuple(e.locations), e.swelling, e.note, e.run_id)
            for e in list_entries(session)]
