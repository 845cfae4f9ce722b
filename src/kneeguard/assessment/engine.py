"""The assessment engine: answers -> red flags -> triage -> probabilities -> advice.

Pure functions over the compiled knowledge base; the engine holds no clinical
numbers of its own. The steps follow clinical-evidence.md section 3.1:

1. Red flags are rules outside the probability model. Each sets a minimum
   triage level and means "stop running"; it also constrains the ranking
   (``other_first``, ``screening`` or ``implicates``).
2. Triage floors (pain above 3/10, swelling, persistence, worsening, meniscal
   pattern, ...) set further minimum levels and running advice.
3. Probabilities: prior x demographic modifier (capped) x likelihood ratios
   (each raised to the shrink exponent; the product of a correlated group
   capped; the whole product capped), normalised over all seven conditions.
4. Ranking constraints from the flags are applied by raising the flagged
   condition's score just above the one it must pass, then renormalising, so
   the list stays sorted by probability.
5. Self-care is offered only for mild, early overuse (rule 9); otherwise the
   level is at least "see a clinician". The most urgent level wins.
6. Advice and "avoid" come from the flags, the rules, the likely conditions and
   the training story, each naming the rule and source that produced it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kneeguard.assessment import explain
from kneeguard.assessment.answers import Answers, parse_answers
from kneeguard.knowledge import KnowledgeBase, load_kb
from kneeguard.knowledge.model import Floor, RedFlag
from kneeguard.knowledge.vocabulary import CONDITION_IDS, RESULT_SCHEMA

LEVEL_RANK = {"self_care": 0, "see_clinician": 1, "urgent": 2, "emergency": 3}
RUNNING_RANK = {"continue": 0, "reduce": 1, "stop": 2}
OTHER = "other_needs_examination"


@dataclass(frozen=True)
class FiredFlag:
    flag: RedFlag
    level: str
    reason: str
    implicated: tuple[str, ...]


@dataclass
class Posterior:
    """Scores per condition plus what produced them (for the explanation)."""

    scores: dict[str, float]
    contributions: dict[str, list[explain.Contribution]] = field(default_factory=dict)
    flagged: dict[str, list[str]] = field(default_factory=dict)


def assess(document: Mapping[str, Any], kb: KnowledgeBase | None = None) -> dict[str, Any]:
    """Assess one answers document (``kneeguard.answers/1``); return the result contract."""
    return evaluate(parse_answers(document), kb or load_kb())


def evaluate(answers: Answers, kb: KnowledgeBase) -> dict[str, Any]:
    """Assess already-parsed answers (see :func:`kneeguard.assessment.answers.parse_answers`)."""
    flags = red_flags(answers, kb)
    floors = [f for f in kb.floors if f.test(answers) is True]
    posterior = probabilities(answers, kb)
    apply_ranking(posterior, flags, kb.combination.ranking_margin)
    total = sum(posterior.scores.values())
    probs = {c: s / total for c, s in posterior.scores.items()}
    order = sorted(CONDITION_IDS, key=lambda c: (-probs[c], CONDITION_IDS.index(c)))

    level, triage_reasons, self_care = _triage(answers, kb, flags, floors, order[0])
    running, running_reasons = _running(answers, kb, flags, floors, self_care)
    advice, avoid = explain.advice(answers, kb, flags=[f.flag for f in flags], floors=floors,
                                   order=order, probs=probs, level=level,
                                   self_care=self_care)
    conditions = [
        explain.condition_entry(kb.condition(c), probs[c], posterior.contributions.get(c, []),
                                posterior.flagged.get(c, []))
        for c in order
    ]
    return {
        "schema": RESULT_SCHEMA,
        "triage": {"level": level, "reasons": triage_reasons,
                   "label": kb.triage_labels[level], "now": kb.triage_now[level]},
        "running": {"advice": running, "reasons": running_reasons,
                    "label": kb.running_labels[running]},
        "conditions": conditions,
        "red_flags": [f.flag.id for f in flags],
        "advice": [item.text for item in advice],
        "avoid": [item.text for item in avoid],
        "knowledge_base_version": kb.version,
        "notice": kb.notice,
        "explanation": {
            "red_flags": [{"id": f.flag.id, "name": f.flag.name, "triage": f.level,
                           "reason": f.reason} for f in flags],
            "rules": [f.id for f in floors],
            "advice": [item.as_dict() for item in advice],
            "avoid": [item.as_dict() for item in avoid],
        },
    }


def red_flags(answers: Answers, kb: KnowledgeBase) -> list[FiredFlag]:
    """Every red flag that holds, most urgent first, with its level and reason."""
    fired: list[FiredFlag] = []
    for flag in kb.red_flags:
        best = None
        for level in flag.levels:
            if level.test(answers) is True and (
                    best is None or LEVEL_RANK[level.triage] > LEVEL_RANK[best.triage]):
                best = level
        if best is None:
            continue
        implicated = tuple(c for c, test in flag.implicates
                           if test is None or test(answers) is True)
        fired.append(FiredFlag(flag, best.triage, best.reason, implicated))
    fired.sort(key=lambda f: -LEVEL_RANK[f.level])
    return fired


def probabilities(answers: Answers, kb: KnowledgeBase) -> Posterior:
    """Unnormalised scores: prior x demographic modifier x capped likelihood ratios."""
    comb = kb.combination
    k = comb.lr_shrink_exponent
    group_cap = math.log(comb.group_cap)
    total_cap = math.log(comb.total_cap)
    posterior = Posterior(scores={})

    states = [(f, f.test(answers)) for f in kb.findings]
    overridden: dict[str, set[str]] = {c: set() for c in CONDITION_IDS}
    for finding, state in states:
        if state is True and finding.overrides:
            for c in finding.lr:
                overridden[c].update(finding.overrides)

    demographic = explain.demographic_factors(answers, kb)
    for c in CONDITION_IDS:
        contributions: list[explain.Contribution] = []
        groups: dict[str, float] = {}
        for finding, state in states:
            if state is None or finding.id in overridden[c]:
                continue
            number = (finding.lr if state else finding.lr_absent).get(c)
            if number is None:
                continue
            log_lr = k * math.log(number.value)
            groups[finding.group] = groups.get(finding.group, 0.0) + log_lr
            text = finding.text if state else (finding.text_absent or finding.text)
            contributions.append(explain.Contribution(finding.id, text, math.exp(log_lr)))
        log_total = sum(max(-group_cap, min(group_cap, v)) for v in groups.values())
        log_total = max(-total_cap, min(total_cap, log_total))
        demo_factor, demo_parts = demographic[c]
        contributions.extend(demo_parts)
        prior = kb.condition(c).prior.value
        posterior.scores[c] = prior * demo_factor * math.exp(log_total)
        posterior.contributions[c] = contributions
    return posterior


def apply_ranking(posterior: Posterior, flags: list[FiredFlag], margin: float) -> None:
    """Raise flagged conditions just enough to take the place the flags demand.

    Every condition a flag points at records the flag's name for its explanation,
    whether or not its score had to be raised.
    """
    if not flags:
        return
    first: str | None = None
    if any(f.flag.ranking == "other_first" for f in flags):
        first = OTHER
    else:
        for f in flags:
            if f.implicated:
                first = f.implicated[0]
                break
    top3 = [OTHER] + [c for f in flags for c in f.implicated]
    scores = posterior.scores
    for c in dict.fromkeys(top3):
        posterior.flagged[c] = [f.flag.name for f in flags if c in f.implicated or c == OTHER]
    for _ in range(4):  # settles in one or two passes; bounded for safety
        changed = False
        if first is not None:
            best_other = max(s for c, s in scores.items() if c != first)
            if scores[first] <= best_other:
                scores[first] = best_other * margin
                changed = True
        for c in dict.fromkeys(top3):
            others = sorted((s for o, s in scores.items() if o != c), reverse=True)
            if scores[c] <= others[2]:
                scores[c] = others[2] * margin
                changed = True
        if not changed:
            break


def _triage(answers: Answers, kb: KnowledgeBase, flags: list[FiredFlag], floors: list[Floor],
            top: str) -> tuple[str, list[str], bool]:
    """The triage level, its reasons, and whether this is the self-care path."""
    reasons = [f.reason for f in flags] + [f.reason for f in floors]
    levels = [f.level for f in flags] + [f.triage for f in floors]
    if levels:
        level = max(levels, key=LEVEL_RANK.__getitem__)
        return level, list(dict.fromkeys(reasons)), False
    rule = kb.self_care
    unmet = [c.unmet for c in rule.criteria if c.test(answers) is not True]
    if not kb.condition(top).overuse:
        unmet.append(rule.not_overuse_unmet)
    if unmet:
        return "see_clinician", [*unmet, rule.default_reason], False
    return "self_care", [rule.reason], True


def _running(answers: Answers, kb: KnowledgeBase, flags: list[FiredFlag], floors: list[Floor],
             self_care: bool) -> tuple[str, list[str]]:
    rule = kb.self_care
    candidates: list[tuple[str, str]] = []
    if flags:
        names = "; ".join(f.flag.name for f in flags)
        candidates.append(("stop", f"{rule.red_flag_running_reason} ({names})"))
    candidates += [(f.running, f.reason) for f in floors]
    if self_care:
        if rule.continue_test(answers) is True:
            candidates.append(("continue", rule.continue_reason))
        else:
            candidates.append((rule.running, rule.running_reason))
    if not candidates:
        candidates.append(("reduce", rule.default_running_reason))
    advice = max((a for a, _ in candidates), key=RUNNING_RANK.__getitem__)
    reasons = [r for a, r in candidates if a == advice]
    return advice, list(dict.fromkeys(reasons))
