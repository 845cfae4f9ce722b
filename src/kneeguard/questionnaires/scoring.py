"""Checking a response and scoring it by each instrument's official rule.

:func:`check_answers` turns a raw answers object (item id -> chosen option's value,
``null`` or absent = unanswered) into clean values, refusing an unknown item, a value
that is not one of the item's options, or a branch answer that contradicts its branch
question, each with a :class:`~kneeguard.errors.QuestionnaireError` naming the item.

:func:`score` applies the instrument's rule, including its missing-item rule:

* NPRS: every context item is its own 0-10 score; unanswered means no score.
* AKPS, LEFS, VISA-P: the sum of the chosen values, only when every required item is
  answered (no official proration; kneeguard's policy in the definition files). For
  VISA-P the branch question picks which one of Q8A/Q8B/Q8C is required.
* KOOS (2012 rule), KOOS-PF: per subscale ``100 - 25 x mean of the answered items``
  when at least half of its items are answered; KOOS-12 likewise per scale
  (at least 2 of 4), its summary the mean of the three scales when all three exist.

Scores are stored unrounded; showing them is the caller's job (one decimal for the
KOOS family, integers elsewhere).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kneeguard.errors import KnowledgeBaseError, QuestionnaireError
from kneeguard.questionnaires.model import Instrument, Item

Value = int | str
Score = int | float | None


@dataclass(frozen=True)
class ScoreResult:
    """The scores of one response: ``None`` where the missing-item rule says no score."""

    instrument: str
    scores: dict[str, Score]
    missing: tuple[str, ...]
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The ``survey score`` document of shared/contracts/cli-json.md."""
        return {"instrument": self.instrument, "scores": dict(self.scores),
                "missing": list(self.missing), "notes": list(self.notes)}


def _describe(value: Any) -> str:
    return "true" if value is True else "false" if value is False else repr(value)


def _clean_value(instrument: Instrument, item: Item, value: Any) -> Value:
    allowed = ", ".join(str(v) for v in item.values)
    where = f"{instrument.id}: item {item.id}"
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise QuestionnaireError(f"{where} must be one of its option values ({allowed}), "
                                 f"not {_describe(value)}", field=item.id)
    for option in item.options:
        if isinstance(option.value, str):
            if value == option.value:
                return option.value
        elif not isinstance(value, str) and value == option.value:
            return option.value
    raise QuestionnaireError(f"{where} has value {_describe(value)}, which is not one of its "
                             f"options ({allowed})", field=item.id)


def check_answers(instrument: Instrument, answers: Any) -> dict[str, Value]:
    """Validate a raw answers object; returns only the answered items, in item order."""
    if not isinstance(answers, Mapping):
        raise QuestionnaireError(f"{instrument.id}: the answers must be a JSON object mapping "
                                 "item ids to the chosen option's value")
    ids = instrument.item_ids
    for key in answers:
        if key not in ids:
            raise QuestionnaireError(
                f"{instrument.id}: unknown item {key!r} (the items are {', '.join(ids)})",
                field=str(key))
    clean: dict[str, Value] = {}
    for item in instrument.items:
        if answers.get(item.id) is not None:
            clean[item.id] = _clean_value(instrument, item, answers[item.id])

    # Branch items: at most one per branch question, and only the one it selects.
    groups: dict[str, list[Item]] = {}
    for item in instrument.items:
        for controller, _ in item.enable_when:
            groups.setdefault(controller, []).append(item)
    for controller, members in groups.items():
        answered = [m for m in members if m.id in clean]
        if len(answered) > 1:
            names = " and ".join(m.id for m in answered)
            raise QuestionnaireError(
                f"{instrument.id}: answer only one of {', '.join(m.id for m in members)} "
                f"(the one {controller} selects), not {names}", field=answered[1].id)
        for member in answered:
            chosen = clean.get(controller)
            wanted = dict(member.enable_when)[controller]
            if chosen is not None and str(chosen) != wanted:
                raise QuestionnaireError(
                    f"{instrument.id}: item {member.id} belongs to {controller} = {wanted}, "
                    f"but {controller} is {chosen}", field=member.id)
    return clean


def _enabled(item: Item, answers: Mapping[str, Value]) -> bool | None:
    """True/False when the item applies; None when its branch question is unanswered."""
    for controller, wanted in item.enable_when:
        if controller not in answers:
            return None
        if str(answers[controller]) != wanted:
            return False
    return True


def _required(instrument: Instrument, members: tuple[str, ...],
              answers: Mapping[str, Value]) -> tuple[list[str], list[Item]]:
    """(ids needed but unanswered, items that count) for a complete-sum score."""
    missing: list[str] = []
    counted: list[Item] = []
    for item_id in members:
        item = instrument.item(item_id)
        enabled = _enabled(item, answers)
        if enabled is None:
            missing.extend(c for c, _ in item.enable_when if c not in missing)
        elif enabled:
            if item_id in answers:
                counted.append(item)
            else:
                missing.append(item_id)
    for item in instrument.items:  # branch questions are required even though unscored
        if not item.scored and item.id not in answers and item.id not in missing:
            missing.append(item.id)
    order = {i: n for n, i in enumerate(instrument.item_ids)}
    return sorted(missing, key=order.__getitem__), counted


def _sum_complete(instrument: Instrument, answers: Mapping[str, Value]) -> ScoreResult:
    (key, members), = instrument.subscales
    missing, counted = _required(instrument, members, answers)
    notes: list[str] = []
    total: Score = None
    if missing:
        short = instrument.id.upper().replace("_", "-")
        notes.append(f"{key} not computable: kneeguard scores the {short} only "
                     f"when every item is answered ({len(missing)} missing: "
                     f"{', '.join(missing)})")
    else:
        total = sum(int(answers[item.id]) for item in counted)
    return ScoreResult(instrument.id, {key: total}, tuple(missing), tuple(notes))


def _single_items(instrument: Instrument, answers: Mapping[str, Value]) -> ScoreResult:
    scores: dict[str, Score] = {}
    missing: list[str] = []
    for key, (item_id,) in instrument.subscales:
        value = answers.get(item_id)
        scores[key] = None if value is None else int(value)
        if value is None:
            missing.append(item_id)
    notes = [] if len(missing) < len(scores) else ["no rating was given"]
    return ScoreResult(instrument.id, scores, tuple(missing), tuple(notes))


def _mean_scale(key: str, members: tuple[str, ...], answers: Mapping[str, Value],
                rule: str, notes: list[str]) -> Score:
    """``100 - 25 x mean`` of the answered items when at least half are answered."""
    values = [int(answers[i]) for i in members if i in answers]
    needed = math.ceil(len(members) / 2)
    if len(values) < needed:
        notes.append(f"{key} not computable: {len(values)} of {len(members)} items answered, "
                     f"at least {needed} needed ({rule})")
        return None
    if len(values) < len(members):
        notes.append(f"{key} computed from {len(values)} of {len(members)} items ({rule})")
    return 100 - 25 * sum(values) / len(values)


_KOOS_RULES = {
    "koos": "KOOS 2012 rule",
    "koos_pf": "KOOS 2012 rule applied by analogy",
    "koos_12": "KOOS-12 rule",
}


def _koos_means(instrument: Instrument, answers: Mapping[str, Value]) -> ScoreResult:
    notes: list[str] = []
    scores: dict[str, Score] = {}
    rule = _KOOS_RULES[instrument.id]
    for key, members in instrument.subscales:
        if all(m in scores for m in members):  # a summary of earlier scales
            parts = [scores[m] for m in members]
            if any(p is None for p in parts):
                notes.append(f"{key} not computable: it needs all of {', '.join(members)} "
                             "(kneeguard's reading, not confirmed by the authors)")
                scores[key] = None
            else:
                scores[key] = sum(p for p in parts if p is not None) / len(parts)
        else:
            scores[key] = _mean_scale(key, members, answers, rule, notes)
    missing = tuple(i for i in instrument.item_ids if i not in answers)
    return ScoreResult(instrument.id, scores, missing, tuple(notes))


_Scorer = Callable[[Instrument, Mapping[str, Value]], ScoreResult]
_SCORERS: dict[str, tuple[_Scorer, tuple[str, ...]]] = {
    # instrument id: (scorer, the scoring.method values the definition may declare)
    "nprs": (_single_items, ("single_item",)),
    "akps": (_sum_complete, ("sum_of_weights",)),
    "lefs": (_sum_complete, ("sum",)),
    "visa_p": (_sum_complete, ("sum",)),
    "koos": (_koos_means, ()),
    "koos_pf": (_koos_means, ()),
    "koos_12": (_koos_means, ()),
}


def check_scorable(instrument: Instrument) -> None:
    """Refuse a definition the scorer cannot apply (called when a definition is loaded)."""
    from kneeguard.questionnaires.model import read_definition

    where = f"instrument file {instrument.id}.json"
    if instrument.id not in _SCORERS:
        raise KnowledgeBaseError(f"{where}: kneeguard has no scoring rule for {instrument.id}")
    scorer, methods = _SCORERS[instrument.id]
    method = read_definition(instrument.id).get("scoring", {}).get("method")
    if methods and method not in methods:
        raise KnowledgeBaseError(f"{where}: scoring.method {method!r} is not "
                                 f"{' or '.join(methods)}")
    if scorer is _sum_complete:
        if len(instrument.subscales) != 1:
            raise KnowledgeBaseError(f"{where}: a summed score has exactly one subscale")
        # The largest possible total must be the top of the range (catches a weight typo).
        best: dict[str, int] = {}
        for item_id in instrument.subscales[0][1]:
            item = instrument.item(item_id)
            group = ",".join(c for c, _ in item.enable_when) or item_id
            top = max(int(v) for v in item.values)
            best[group] = max(best.get(group, 0), top)
        if sum(best.values()) != instrument.score_range[1]:
            raise KnowledgeBaseError(f"{where}: the item maxima sum to {sum(best.values())}, "
                                     f"not {instrument.score_range[1]:g}")
    if scorer is _single_items and any(len(m) != 1 for _, m in instrument.subscales):
        raise KnowledgeBaseError(f"{where}: every single-item score names one item")


def score(instrument: Instrument, answers: Any) -> ScoreResult:
    """Check ``answers`` and score them by the instrument's rule."""
    clean = check_answers(instrument, answers)
    scorer, _ = _SCORERS[instrument.id]
    return scorer(instrument, clean)


def format_score(instrument: Instrument, value: float | int | None) -> str:
    """A score as shown to people: one decimal for the KOOS family (its rounding rule),
    integers elsewhere; ``None`` (the missing-item rule) reads "not computable"."""
    if value is None:
        return "not computable"
    if "one decimal" in instrument.rounding:
        return f"{value:.1f}"
    return f"{value:g}"
