"""The assessment wizard of the web app: steps, form values in, answers out.

The questions, their steps, choice labels and help texts are data
(``knowledge/data/questions.yaml`` through ``load_kb().questionnaire``); this
module turns one step into form controls and a submitted step back into
contract answers (``kneeguard.answers/1``).

The wizard keeps no state on the server: every step's form carries the
answers given so far as JSON in a hidden field, so any app server can take
the next step and nothing is stored before the runner asks for the result.
A value that cannot be read comes back with the raw text and one sentence
next to the field; nothing typed is lost.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kneeguard.assessment import answers_document, parse_answers
from kneeguard.errors import AnswersError
from kneeguard.knowledge import load_kb
from kneeguard.knowledge.vocabulary import FIELDS, FieldSpec

MAX_STATE_CHARS = 20_000
UNSURE = ""


@dataclass
class Choice:
    value: str
    label: str
    help: str | None = None


@dataclass
class QuestionView:
    field: str
    text: str
    kind: str
    help: str | None
    unit: str | None
    choices: list[Choice]
    value: Any  # raw text for numbers, list for enum_list, str for enum/bool ("" = unsure)
    error: str | None = None
    prefilled: bool = False
    visible: bool = True
    show_if: str | None = None  # JSON of the knowledge base's show_if, for app.js

    @property
    def input_id(self) -> str:
        return f"q-{self.field}"


@dataclass
class StepView:
    id: str
    title: str
    intro: str | None
    index: int
    total: int
    questions: list[QuestionView]
    titles: list[str] = field(default_factory=list)

    @property
    def first(self) -> bool:
        return self.index == 0

    @property
    def last(self) -> bool:
        return self.index == self.total - 1

    @property
    def errors(self) -> list[QuestionView]:
        return [q for q in self.questions if q.error]


@lru_cache(maxsize=1)
def steps() -> tuple[Any, ...]:
    return tuple(load_kb().questionnaire.steps)


def step_index(step_id: str) -> int:
    for i, step in enumerate(steps()):
        if step.id == step_id:
            return i
    return 0


def step_of_field(name: str) -> int:
    for i, step in enumerate(steps()):
        if any(q.field == name for q in step.questions):
            return i
    return 0


def _choices(question: Any, spec: FieldSpec) -> list[Choice]:
    if question.choices:
        return [Choice(str(c.value), c.label, c.help) for c in question.choices]
    if spec.kind == "bool":
        return [Choice("yes", "Yes"), Choice("no", "No")]
    return []


def _display(spec: FieldSpec, value: Any) -> Any:
    """A parsed answer as the form shows it."""
    if value is None:
        return [] if spec.kind == "enum_list" else UNSURE
    if spec.kind == "bool":
        return "yes" if value else "no"
    if spec.kind == "enum_list":
        return [str(v) for v in value]
    if spec.kind in ("int", "number"):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return str(value)


def build_step(index: int, answers: Mapping[str, Any], raw: Mapping[str, Any] | None = None,
               errors: Mapping[str, str] | None = None,
               prefilled: frozenset[str] = frozenset()) -> StepView:
    """The form of step ``index`` showing ``answers`` (or ``raw`` text where it was wrong)."""
    kb = load_kb()
    all_steps = steps()
    step = all_steps[index]
    parsed = _parsed_for_conditions(answers)
    questions = []
    for q in step.questions:
        spec = FIELDS[q.field]
        value = raw[q.field] if raw is not None and q.field in raw else _display(
            spec, answers.get(q.field))
        visible = True
        if q.field in kb.show_if:
            visible = kb.show_if[q.field](parsed) is not False
        questions.append(QuestionView(
            field=q.field, text=q.text, kind=spec.kind, help=q.help, unit=q.unit,
            choices=_choices(q, spec), value=value, error=(errors or {}).get(q.field),
            prefilled=q.field in prefilled and q.field in answers, visible=visible,
            show_if=json.dumps(q.show_if) if q.show_if else None))
    return StepView(step.id, step.title, step.intro, index, len(all_steps), questions,
                    [s.title for s in all_steps])


def _parsed_for_conditions(answers: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in answers.items():
        spec = FIELDS.get(key)
        if spec is None:
            continue
        out[key] = frozenset(value) if spec.kind == "enum_list" else value
    return out


def _number(spec: FieldSpec, text: str) -> float | int:
    cleaned = text.strip().replace(",", ".").replace(" ", "")
    if cleaned.startswith("+"):
        cleaned = cleaned[1:]
    try:
        number = float(cleaned)
    except ValueError:
        raise ValueError(f"Enter {spec.allowed()}, not “{text.strip()[:30]}”.") from None
    if not math.isfinite(number):
        raise ValueError(f"Enter {spec.allowed()}.")
    if spec.kind == "int":
        if not number.is_integer():
            raise ValueError(f"Enter {spec.allowed()} (no decimals).")
        number = int(number)
    if (spec.minimum is not None and number < spec.minimum) or (
            spec.maximum is not None and number > spec.maximum):
        raise ValueError(f"Enter {spec.allowed()}; {text.strip()} is out of range.")
    return number


def read_step(index: int, form: Mapping[str, Any], getlist: Any
              ) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """Read step ``index`` of a submitted form: (answers given, raw values, errors).

    An empty or "not sure" control leaves the question unanswered. ``getlist(name)``
    returns every value of a repeated field (checkboxes).
    """
    given: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for q in steps()[index].questions:
        spec = FIELDS[q.field]
        if spec.kind == "enum_list":
            values = [v for v in getlist(q.field) if isinstance(v, str)]
            raw[q.field] = values
            unknown = [v for v in values if v not in spec.choices]
            if unknown:
                errors[q.field] = "Pick from the listed places only."
            elif values:
                given[q.field] = [c for c in spec.choices if c in values]
            continue
        text = form.get(q.field)
        text = text.strip() if isinstance(text, str) else ""
        raw[q.field] = text
        if text == UNSURE:
            continue
        if spec.kind == "bool":
            if text not in ("yes", "no"):
                errors[q.field] = "Choose yes, no or not sure."
            else:
                given[q.field] = text == "yes"
        elif spec.kind == "enum":
            if text not in spec.choices:
                errors[q.field] = "Choose one of the answers shown."
            else:
                given[q.field] = text
        else:
            try:
                given[q.field] = _number(spec, text)
            except ValueError as exc:
                errors[q.field] = str(exc)
    return given, raw, errors


def merge(answers: Mapping[str, Any], index: int, given: Mapping[str, Any]) -> dict[str, Any]:
    """``answers`` with step ``index`` replaced by ``given``; follow-up questions whose
    condition is now false are dropped (they were not asked)."""
    kb = load_kb()
    fields = {q.field for q in steps()[index].questions}
    out = {k: v for k, v in answers.items() if k not in fields}
    out.update(given)
    parsed = _parsed_for_conditions(out)
    for name in list(out):
        test = kb.show_if.get(name)
        if test is not None and test(parsed) is False:
            del out[name]
    return out


def load_state(text: object) -> dict[str, Any]:
    """The answers carried in the hidden ``state`` field (checked against the contract)."""
    if not isinstance(text, str) or not text.strip():
        return {}
    if len(text) > MAX_STATE_CHARS:
        raise AnswersError("the wizard's saved answers are too long; start again", field=None)
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        raise AnswersError("the wizard's saved answers are damaged; start again",
                           field=None) from None
    if not isinstance(document, dict):
        raise AnswersError("the wizard's saved answers are damaged; start again", field=None)
    document = {**document, "schema": document.get("schema", "kneeguard.answers/1")}
    return dump_state(parse_answers(document))


def dump_state(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Parsed answers as a JSON-able dict (lists in contract order, no schema key)."""
    document = answers_document(_parsed_for_conditions(answers))
    document.pop("schema", None)
    return document


def state_json(answers: Mapping[str, Any]) -> str:
    return json.dumps(dump_state(answers), separators=(",", ":"))


def contract_document(answers: Mapping[str, Any]) -> dict[str, Any]:
    return answers_document(_parsed_for_conditions(answers))
