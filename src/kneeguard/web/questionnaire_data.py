"""What the questionnaire pages and the questionnaire API show, computed in one place.

Both :mod:`kneeguard.web.views.questionnaires` and :mod:`kneeguard.web.api_questionnaires`
call these functions, so a page and its JSON always agree, and they follow the CLI
(``kneeguard instruments``, ``survey``, ``scores``) document for document:

* :func:`listing` -- the instruments, the ones the latest assessment suggests first;
* :func:`form_instrument` -- an instrument with the wording a form shows (a clinic's
  imported text for the licensed KOOS forms, or ``None`` when it has none);
* :func:`read_form` -- a submitted HTML form as an answers object, plus the raw text
  to show again and the per-item errors;
* :func:`store` -- check, score and store one response;
* :func:`response_view` -- a stored response's scores with their interpretation and the
  MCID-aware change since the previous and the first response;
* :func:`score_blocks` -- every score over time (``kneeguard scores --format json``)
  and :func:`scores_chart` its chart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from kneeguard.errors import InputError, NotFound, QuestionnaireError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kneeguard.questionnaires import Change, HistoryRow, Instrument, Item
    from kneeguard.settings import Settings
    from kneeguard.storage.assessments import StoredAssessment
    from kneeguard.storage.questionnaires import StoredResponse

# Readable names of the score keys (the keys themselves stay as in the definitions).
SCORE_NAMES = {
    "total": "total",
    "NPRS_NOW": "pain now",
    "NPRS_BEFORE_RUN": "before a run",
    "NPRS_DURING_RUN": "during a run",
    "NPRS_AFTER_RUN": "after a run",
    "NPRS_WORST_WEEK": "worst in the last week",
    "symptoms": "symptoms",
    "pain": "pain",
    "adl": "daily living (ADL)",
    "sport_rec": "sport and recreation",
    "qol": "quality of life",
    "function": "function",
    "summary": "summary",
    "koos_pf": "KOOS-PF",
}
CHANGE_WORDS = {"improved": "improved", "worsened": "worsened",
                "within_mcid": "within MCID", "no_mcid": "no MCID"}
# NPRS contexts the 3/10 running rule applies to (pain before, during or after running).
RUN_PAIN_ITEMS = ("NPRS_BEFORE_RUN", "NPRS_DURING_RUN", "NPRS_AFTER_RUN")
PAIN_LIMIT = 3
WORDING = {"shipped": "shipped", "imported": "imported", "missing": "not imported (licensed)"}
_INTEGER = re.compile(r"-?\d{1,6}")
_MAX_RAW = 12  # characters of a submitted option value worth echoing back


def score_name(key: str) -> str:
    return SCORE_NAMES.get(key, key.replace("_", " "))


def instant(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def mcid_override(settings: Settings, instrument_id: str) -> float | None:
    """The KOOS MCID is a setting (``koos_mcid``); the others come from the definitions."""
    return settings.koos_mcid if instrument_id == "koos" else None


def interpretation(instrument: Instrument) -> str:
    """The score's range and direction in words, with the definition's own note."""
    from kneeguard.questionnaires.model import read_definition

    low, high = instrument.score_range
    better = "higher" if instrument.direction == "higher_is_better" else "lower"
    text = f"Scores run from {low:g} to {high:g}; {better} is better."
    note = read_definition(instrument.id).get("scoring", {}).get("direction_note")
    if isinstance(note, str) and note.strip():
        text += f" {note.strip()}"
    elif instrument.licensed:
        text += f" {high:g} means no knee problems, {low:g} extreme problems."
    return text


# -- listing -----------------------------------------------------------------------------


@dataclass
class Listed:
    """One instrument as the list shows it."""

    instrument: Instrument
    wording: str  # shipped | imported | missing
    suggested: str | None
    responses: int
    last: StoredResponse | None

    def to_json(self) -> dict[str, Any]:
        """The row of ``kneeguard instruments --format json`` plus a few optional fields."""
        i = self.instrument
        mcid = i.mcid
        return {
            "id": i.id, "name": i.name, "items": len(i.items), "scores": list(i.score_keys),
            "direction": i.direction, "mcid": None if mcid is None else mcid.value,
            "wording": WORDING[self.wording], "citation": i.citation,
            "suggested": self.suggested,
            "version": i.version, "attribution": i.attribution,
            "range": list(i.score_range), "responses": self.responses,
            "last_answered_at": None if self.last is None else instant(self.last.answered_at),
        }


def listing(session: Session) -> tuple[StoredAssessment | None, list[Listed]]:
    """The latest assessment and every instrument, the suggested ones first (in the order
    and with the reasons of :func:`kneeguard.questionnaires.suggest_instruments`)."""
    from kneeguard.questionnaires import load_instruments, suggest_instruments
    from kneeguard.storage.assessments import latest_assessment
    from kneeguard.storage.questionnaires import list_instrument_texts, list_responses

    latest = latest_assessment(session)
    texts = {t.instrument_id for t in list_instrument_texts(session)}
    suggestions = suggest_instruments(None if latest is None else latest.result, texts)
    reasons = {s.instrument_id: s.reason for s in suggestions}
    counts: dict[str, int] = {}
    last: dict[str, StoredResponse] = {}
    for response in list_responses(session):  # oldest first: the last one wins
        counts[response.instrument_id] = counts.get(response.instrument_id, 0) + 1
        last[response.instrument_id] = response
    rows = []
    for instrument in load_instruments():
        wording = ("shipped" if not instrument.licensed
                   else "imported" if instrument.id in texts else "missing")
        rows.append(Listed(instrument, wording, reasons.get(instrument.id),
                           counts.get(instrument.id, 0), last.get(instrument.id)))
    order = {s.instrument_id: n for n, s in enumerate(suggestions)}
    rows.sort(key=lambda r: (r.suggested is None, order.get(r.instrument.id, 0)))
    return latest, rows


# -- the form ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormInstrument:
    """An instrument as its form shows it; ``wording_missing`` for licensed forms whose
    text this database does not hold (then there is no form, only how to obtain it)."""

    instrument: Instrument
    text_hash: str | None = None
    source: str | None = None
    wording_missing: bool = False

    @property
    def help(self) -> str:
        from kneeguard.questionnaires import LICENSED_TEXT_HELP

        return LICENSED_TEXT_HELP.format(name=self.instrument.name, id=self.instrument.id)


def form_instrument(session: Session, instrument_id: str) -> FormInstrument:
    """The instrument with its wording; :class:`NotFound` for an unknown id."""
    from kneeguard.questionnaires import apply_text, check_text, load_instrument
    from kneeguard.storage.questionnaires import get_instrument_text

    instrument = load_instrument(instrument_id)
    if not instrument.licensed:
        return FormInstrument(instrument)
    stored = get_instrument_text(session, instrument_id)
    if stored is None:
        return FormInstrument(instrument, wording_missing=True)
    text = check_text(stored.content, instrument, "stored wording")
    return FormInstrument(apply_text(instrument, text), stored.content_hash, stored.source)


def groups(instrument: Instrument) -> list[tuple[str | None, list[Item]]]:
    """Items grouped under a heading: the KOOS subscales; one untitled group otherwise."""
    if instrument.licensed:
        titled: list[tuple[str | None, list[Item]]] = []
        seen: set[str] = set()
        for key, members in instrument.subscales:
            items = [instrument.item(m) for m in members
                     if m in instrument.item_ids and m not in seen]
            if items and len(instrument.subscales) > 1:
                seen.update(i.id for i in items)
                titled.append((score_name(key).capitalize(), items))
        rest = [i for i in instrument.items if i.id not in seen]
        if titled and not rest:
            return titled
    return [(None, list(instrument.items))]


def numbers(instrument: Instrument) -> dict[str, str]:
    """What each item is called on the page: its number on the form (VISA-P "8A"), the
    standard code for the KOOS family (S1, P5), else its position."""
    out = {}
    for position, item in enumerate(instrument.items, start=1):
        if item.number is not None:
            out[item.id] = str(item.number)
        else:
            out[item.id] = item.id if instrument.licensed else str(position)
    return out


def is_scale(item: Item) -> bool:
    """0-10 rating items are shown as a row of numbered buttons."""
    return item.type in ("scale_0_10", "integer_0_10")


def scale_text(item: Item, value: int | str, label: str | None) -> tuple[str, str | None]:
    """What a 0-10 button shows, and the anchor its label adds for screen readers.

    Where every option has its own wording (VISA-P Q1: "0 min" ... "100 min") the buttons
    show it; otherwise they show the numbers and the few anchors ("0 = No pain") are
    written out once above them (:func:`anchors`) and read with their button."""
    if label is None or label == str(value):
        return str(value), None
    if all(o.label is not None and o.label != str(o.value) for o in item.options):
        return label, None
    return str(value), label


def anchors(item: Item) -> list[str]:
    """The anchor wordings of a 0-10 item (e.g. ``0 = No pain``), verbatim."""
    out = []
    for option in item.options:
        _, anchor = scale_text(item, option.value, option.label)
        if anchor is not None:
            out.append(f"{option.value} = {anchor}")
    return out


def _convert(item: Item, raw: str) -> int | str:
    """A submitted option value: a whole number where the item's values are numbers."""
    if all(isinstance(v, int) for v in item.values) and _INTEGER.fullmatch(raw):
        return int(raw)
    return raw


def _clean(instrument: Instrument, message: str) -> str:
    text = message.removeprefix(f"{instrument.id}: ").strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def read_form(instrument: Instrument, form: Any) -> tuple[dict[str, Any], dict[str, str],
                                                          dict[str, str]]:
    """``(answers, raw, errors)`` of a submitted form.

    ``raw`` keeps exactly what was sent (to check the same options again), ``errors``
    maps item ids to one sentence each. A blank answer means unanswered. The form asks
    only the branch sub-item its branch question selects (VISA-P Q8), so answers to the
    other sub-items, hidden in the page, are left out once the branch is answered.
    """
    from kneeguard.questionnaires import check_answers

    raw: dict[str, str] = {}
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for item in instrument.items:
        sent = [v for v in form.getlist(item.id) if isinstance(v, str)]
        value = sent[0].strip() if sent else ""
        raw[item.id] = value
        if not value:
            continue
        if len({v.strip() for v in sent}) > 1:
            errors[item.id] = "Choose only one answer."
        elif len(value) > _MAX_RAW:
            errors[item.id] = _NOT_AN_OPTION.format(value=value[:_MAX_RAW] + "...")
        else:
            answers[item.id] = _convert(item, value)
    for item in instrument.items:
        for controller, wanted in item.enable_when:
            chosen = answers.get(controller)
            if item.id in answers and chosen is not None and str(chosen) != wanted:
                del answers[item.id]
    for item_id, value in list(answers.items()):
        try:
            check_answers(instrument, {item_id: value})
        except QuestionnaireError:
            errors[item_id] = _NOT_AN_OPTION.format(value=value)
            del answers[item_id]
    if not errors:
        try:
            check_answers(instrument, answers)
        except QuestionnaireError as exc:
            errors[exc.field or "form"] = _branch_message(instrument, exc)
    return answers, raw, errors


_NOT_AN_OPTION = "The answer sent ({value}) is not one of this question's options: choose one."


def _branch_message(instrument: Instrument, exc: QuestionnaireError) -> str:
    """Two sub-items answered while their branch question is not (VISA-P 8A/8B/8C)."""
    item = next((i for i in instrument.items if i.id == exc.field), None)
    if item is None or not item.enable_when:
        return _clean(instrument, exc.message)
    controller = item.enable_when[0][0]
    number_of = numbers(instrument)
    siblings = [number_of[i.id] for i in instrument.items
                if i.enable_when and i.enable_when[0][0] == controller]
    return (f"Answer only one of {', '.join(siblings[:-1])} and {siblings[-1]}: the one "
            f"your answer to question {number_of[controller]} selects.")


def parse_day(value: str, today: date) -> datetime | None:
    """The day a paper form was filled in (blank or today: now); refused when unreadable or
    in the future. A past day counts as noon local time."""
    value = value.strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value!r} is not a date (YYYY-MM-DD)", field="answered_on") from None
    if day > today:
        raise InputError("the date cannot be in the future", field="answered_on")
    if day < date(1900, 1, 1):
        raise InputError("the date is before 1900", field="answered_on")
    if day == today:
        return None
    return datetime.combine(day, time(12, 0)).astimezone(UTC)


def parse_instant(value: Any) -> datetime | None:
    """``answered_at`` of the API: an ISO date or date and time (naive = this computer's
    local time, as ``kneeguard survey --when``), not in the future, not before 1900."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError("answered_at must be an ISO date or date and time, e.g. "
                         "2026-03-01T18:30:00Z", field="answered_at")
    try:
        when = datetime.fromisoformat(value.strip())
        when = when.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        raise InputError(f"answered_at {value[:40]!r} is not an ISO date or date and time "
                         "(e.g. 2026-03-01 or 2026-03-01T18:30:00Z)",
                         field="answered_at") from None
    if when > datetime.now(UTC) + timedelta(days=1):
        raise InputError("answered_at cannot be in the future", field="answered_at")
    if when.year < 1900:
        raise InputError("answered_at is before 1900", field="answered_at")
    return when


# -- storing and showing a response ----------------------------------------------------------


def store(session: Session, instrument: Instrument, answers: Any, text_hash: str | None = None,
          answered_at: datetime | None = None) -> tuple[StoredResponse, dict[str, Any]]:
    """Check and score ``answers`` (a malformed response raises, nothing is written) and
    store them; returns the stored response and the ``survey score`` document."""
    from kneeguard.questionnaires import check_answers, score
    from kneeguard.storage.questionnaires import save_response

    clean = check_answers(instrument, answers)
    result = score(instrument, clean).to_json()
    stored = save_response(session, instrument.id, dict(clean), result,
                           instrument.content_hash, text_hash, answered_at)
    return stored, result


def change_json(change: Change | None) -> dict[str, Any] | None:
    if change is None:
        return None
    return {"delta": change.delta, "label": change.label, "mcid": change.mcid}


def _history(session: Session, settings: Settings, instrument: Instrument) -> list[HistoryRow]:
    from kneeguard.questionnaires import ScoredResponse, score_history
    from kneeguard.storage.questionnaires import list_responses

    responses = [ScoredResponse(r.id, r.answered_at, r.scores)
                 for r in list_responses(session, instrument.id)]
    return score_history(instrument, responses, mcid_override(settings, instrument.id))


@dataclass
class ScoreLine:
    key: str
    name: str
    value: float | int | None
    shown: str
    since_previous: Change | None
    since_baseline: Change | None
    over_limit: bool = False
    single_item: bool = False  # an NPRS context: unanswered means not rated, not shown


@dataclass
class ResponseView:
    instrument: Instrument
    stored: StoredResponse
    lines: list[ScoreLine]
    mcid: float | None
    answers: list[tuple[str, str, str]] = field(default_factory=list)  # number, text, answer
    unanswered: list[str] = field(default_factory=list)  # item numbers as on the form

    def changes_json(self) -> dict[str, Any]:
        return {line.key: change_json(line.since_previous) for line in self.lines}


def response_view(session: Session, settings: Settings, instrument: Instrument,
                  stored: StoredResponse) -> ResponseView:
    """A stored response's scores with the change since the previous and first response."""
    from kneeguard.questionnaires import format_score, mcid_value

    rows = {r.score: r for r in _history(session, settings, instrument)
            if r.response_id == stored.id}
    lines = []
    for key in instrument.score_keys:
        value = stored.scores.get(key)
        row = rows.get(key)
        lines.append(ScoreLine(
            key, score_name(key), value, format_score(instrument, value),
            row.since_previous if row else None, row.since_baseline if row else None,
            over_limit=key in RUN_PAIN_ITEMS and value is not None and value > PAIN_LIMIT,
            single_item=len(instrument.subscale(key)) == 1 and key in instrument.item_ids))
    answers = []
    number_of = numbers(instrument)
    for item in instrument.items:
        if item.id not in stored.answers:
            continue
        chosen = stored.answers[item.id]
        label = next((o.label for o in item.options if o.value == chosen), None)
        shown = str(chosen) if label is None or label == str(chosen) else f"{label} ({chosen})"
        answers.append((number_of[item.id], item.text or item.id, shown))
    return ResponseView(instrument, stored, lines,
                        mcid_value(instrument, mcid_override(settings, instrument.id)), answers,
                        [number_of.get(i, i) for i in stored.missing])


def get_stored(session: Session, instrument_id: str, response_id: int) -> StoredResponse:
    from kneeguard.storage.questionnaires import get_response

    stored = get_response(session, response_id)
    if stored.instrument_id != instrument_id:
        raise NotFound(f"there is no {instrument_id} response with id {response_id}")
    return stored


# -- scores over time ----------------------------------------------------------------------


@dataclass
class ScoreBlock:
    """One instrument's scores over time, as ``kneeguard scores`` reports them."""

    instrument: Instrument
    mcid: float | None
    rows: list[HistoryRow]

    def to_json(self) -> dict[str, Any]:
        i = self.instrument
        return {
            "instrument": i.id, "name": i.name, "direction": i.direction, "mcid": self.mcid,
            "history": [{
                "response_id": r.response_id, "answered_at": instant(r.answered_at),
                "score": r.score, "value": r.value,
                "since_previous": change_json(r.since_previous),
                "since_baseline": change_json(r.since_baseline),
            } for r in self.rows],
        }


def score_blocks(session: Session, settings: Settings,
                 instrument_id: str | None = None) -> list[ScoreBlock]:
    """Every instrument with stored responses (or just ``instrument_id``), listing order."""
    from kneeguard.questionnaires import load_instrument, load_instruments, mcid_value

    instruments = ([load_instrument(instrument_id)] if instrument_id is not None
                   else list(load_instruments()))
    blocks = []
    for instrument in instruments:
        rows = _history(session, settings, instrument)
        if rows:
            blocks.append(ScoreBlock(
                instrument, mcid_value(instrument, mcid_override(settings, instrument.id)),
                rows))
    return blocks


def chart_rows(block: ScoreBlock) -> list[dict[str, Any]]:
    """The values of :func:`kneeguard.report.charts.questionnaire_scores`."""
    out = []
    for row in block.rows:
        if row.value is None:
            continue
        change = row.since_previous
        out.append({"date": instant(row.answered_at), "score": score_name(row.score),
                    "value": row.value,
                    "change": "first" if change is None else CHANGE_WORDS[change.label]})
    return out


def scores_chart(block: ScoreBlock, cache: bool = True) -> str | None:
    """The SVG chart of one instrument's scores with its MCID band (None without values)."""
    from kneeguard.report import charts

    rows = chart_rows(block)
    if not rows:
        return None
    spec = charts.questionnaire_scores(
        rows, mcid=block.mcid, score_range=block.instrument.score_range,
        higher_is_better=block.instrument.direction == "higher_is_better",
        title=block.instrument.name)
    return charts.to_svg(spec, f"Chart of {block.instrument.name} scores over time",
                         cache=cache)


def store_request(body: Any) -> tuple[Any, datetime | None]:
    """``(answers, answered_at)`` of a store request ``{"answers": {...}, "answered_at": ...}``."""
    if not isinstance(body, Mapping):
        raise QuestionnaireError("the body must be a JSON object with 'answers' (item id -> "
                                 "the chosen option's value) and optionally 'answered_at'",
                                 field="answers")
    unknown = sorted(str(k) for k in body if k not in ("answers", "answered_at"))
    if unknown:
        raise QuestionnaireError(f"unknown field {unknown[0][:40]!r} (allowed: answers, "
                                 "answered_at)", field=unknown[0][:40])
    if "answers" not in body:
        raise QuestionnaireError("'answers' is missing: send the item ids with the chosen "
                                 "option's value", field="answers")
    return body["answers"], parse_instant(body.get("answered_at"))
