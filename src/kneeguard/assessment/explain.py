"""Explanations: what raised and lowered each probability, and where each piece of
advice comes from."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kneeguard.assessment.answers import Answers
from kneeguard.knowledge import KnowledgeBase
from kneeguard.knowledge.model import ConditionInfo, Floor, RedFlag
from kneeguard.knowledge.schema import Cited
from kneeguard.knowledge.vocabulary import CONDITION_IDS

MAX_EVIDENCE = 6
NEGLIGIBLE = 0.05  # |log factor| below this is not worth mentioning


@dataclass(frozen=True)
class Contribution:
    """One factor applied to one condition's score: a finding or a demographic modifier."""

    source_id: str
    text: str
    factor: float


@dataclass(frozen=True)
class AdviceItem:
    text: str
    rule: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"text": self.text, "rule": self.rule, "source": self.source}


def demographic_factors(answers: Answers,
                        kb: KnowledgeBase) -> dict[str, tuple[float, list[Contribution]]]:
    """Per condition: the capped sex x age factor and its parts."""
    comb = kb.combination
    sex = answers.get("sex")
    age = answers.get("age")
    sex_mods = kb.sex_modifiers.get(sex, {}) if isinstance(sex, str) else {}
    band = None
    if age is not None:
        band = next((b for b in kb.age_bands if b.min <= age <= b.max), None)
    result: dict[str, tuple[float, list[Contribution]]] = {}
    for c in CONDITION_IDS:
        parts: list[Contribution] = []
        factor = 1.0
        if c in sex_mods:
            factor *= sex_mods[c].value
            parts.append(Contribution(f"sex:{sex}", f"being {sex}", sex_mods[c].value))
        if band is not None and c in band.modifiers:
            factor *= band.modifiers[c].value
            parts.append(Contribution(f"age:{band.id}", f"age {age} ({band.label})",
                                      band.modifiers[c].value))
        capped = min(comb.demographic_max, max(comb.demographic_min, factor))
        result[c] = (capped, parts)
    return result


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def condition_entry(info: ConditionInfo, probability: float,
                    contributions: Sequence[Contribution],
                    flagged_by: Sequence[str]) -> dict[str, Any]:
    """One entry of the result's ``conditions`` list."""
    strong = sorted((c for c in contributions if abs(math.log(c.factor)) >= NEGLIGIBLE),
                    key=lambda c: -abs(math.log(c.factor)))
    evidence_for = [f"Warning sign: {name}" for name in flagged_by]
    evidence_for += [_capitalise(c.text) for c in strong if c.factor > 1]
    evidence_against = [_capitalise(c.text) for c in strong if c.factor < 1]
    return {
        "id": info.id,
        "name": info.name,
        "probability": probability,
        "evidence_for": list(dict.fromkeys(evidence_for))[:MAX_EVIDENCE],
        "evidence_against": list(dict.fromkeys(evidence_against))[:MAX_EVIDENCE],
        "short_name": info.short_name,
        "summary": info.summary,
    }


def _add(items: list[AdviceItem], seen: set[str], cited: Sequence[Cited], rule: str) -> None:
    for c in cited:
        if c.text not in seen:
            seen.add(c.text)
            items.append(AdviceItem(c.text, rule, c.source))


def advice(answers: Answers, kb: KnowledgeBase, *, flags: Sequence[RedFlag],
           floors: Sequence[Floor], order: Sequence[str], probs: dict[str, float],
           level: str, self_care: bool) -> tuple[list[AdviceItem], list[AdviceItem]]:
    """Advice and things to avoid, most urgent first, each naming its rule and source."""
    advice_items: list[AdviceItem] = []
    avoid_items: list[AdviceItem] = []
    seen: set[str] = set()
    seen_avoid: set[str] = set()
    for flag in flags:
        _add(advice_items, seen, flag.advice, f"red_flag:{flag.id}")
        _add(avoid_items, seen_avoid, flag.avoid, f"red_flag:{flag.id}")
    for floor in floors:
        _add(advice_items, seen, floor.advice, f"rule:{floor.id}")
        _add(avoid_items, seen_avoid, floor.avoid, f"rule:{floor.id}")
    if self_care:
        _add(advice_items, seen, kb.self_care.advice, "rule:self_care")
    if level == "emergency":
        return advice_items, avoid_items
    top = order[0]
    likely = [top] + [c for c in order[1:2]
                      if probs[c] >= 0.2 and probs[c] >= 0.5 * probs[top]]
    for c in likely:
        info = kb.condition(c)
        _add(advice_items, seen, info.advice, f"condition:{c}")
        _add(avoid_items, seen_avoid, info.avoid, f"condition:{c}")
    for rule in kb.training_advice:
        if rule.test(answers) is True and rule.text not in seen:
            seen.add(rule.text)
            advice_items.append(AdviceItem(rule.text, f"training:{rule.id}", rule.source))
    _add(advice_items, seen, kb.general_advice, "general")
    return advice_items, avoid_items
