"""The knowledge base as the engine uses it: validated, cross-checked, compiled.

Built by :func:`kneeguard.knowledge.loader.load_kb` from the data files; every
condition on the answers is already a function (see
:mod:`kneeguard.knowledge.predicates`).
"""

from __future__ import annotations

from dataclasses import dataclass

from kneeguard.knowledge.predicates import Condition
from kneeguard.knowledge.schema import Cited, Number, Questionnaire


@dataclass(frozen=True)
class ConditionInfo:
    id: str
    name: str
    short_name: str
    overuse: bool
    summary: str
    prior: Number
    advice: tuple[Cited, ...]
    avoid: tuple[Cited, ...]


@dataclass(frozen=True)
class Finding:
    id: str
    group: str
    text: str
    text_absent: str | None
    test: Condition
    lr: dict[str, Number]
    lr_absent: dict[str, Number]
    overrides: frozenset[str]


@dataclass(frozen=True)
class FlagLevel:
    triage: str
    test: Condition
    reason: str


@dataclass(frozen=True)
class RedFlag:
    id: str
    name: str
    levels: tuple[FlagLevel, ...]
    ranking: str  # "other_first" | "screening" | "implicates"
    implicates: tuple[tuple[str, Condition | None], ...]
    sources: tuple[str, ...]
    advice: tuple[Cited, ...]
    avoid: tuple[Cited, ...]


@dataclass(frozen=True)
class Floor:
    id: str
    test: Condition
    triage: str
    running: str
    reason: str
    advice: tuple[Cited, ...]
    avoid: tuple[Cited, ...]


@dataclass(frozen=True)
class Criterion:
    id: str
    test: Condition
    unmet: str


@dataclass(frozen=True)
class SelfCareRule:
    reason: str
    running: str
    running_reason: str
    advice: tuple[Cited, ...]
    continue_test: Condition
    continue_reason: str
    criteria: tuple[Criterion, ...]
    not_overuse_unmet: str
    default_reason: str
    default_running_reason: str
    red_flag_running_reason: str


@dataclass(frozen=True)
class AdviceRule:
    id: str
    test: Condition
    text: str
    source: str


@dataclass(frozen=True)
class AgeBand:
    id: str
    label: str
    min: int
    max: int
    modifiers: dict[str, Number]


@dataclass(frozen=True)
class Combination:
    lr_shrink_exponent: float
    group_cap: float
    total_cap: float
    demographic_min: float
    demographic_max: float
    ranking_margin: float


@dataclass(frozen=True)
class KnowledgeBase:
    version: str
    released: str
    title: str
    notice: str
    fingerprint: str
    sources: dict[str, str]
    combination: Combination
    conditions: tuple[ConditionInfo, ...]
    findings: tuple[Finding, ...]
    red_flags: tuple[RedFlag, ...]
    floors: tuple[Floor, ...]
    self_care: SelfCareRule
    triage_now: dict[str, str]
    triage_labels: dict[str, str]
    running_labels: dict[str, str]
    training_advice: tuple[AdviceRule, ...]
    general_advice: tuple[Cited, ...]
    sex_modifiers: dict[str, dict[str, Number]]
    age_bands: tuple[AgeBand, ...]
    questionnaire: Questionnaire
    show_if: dict[str, Condition]

    def condition(self, condition_id: str) -> ConditionInfo:
        for info in self.conditions:
            if info.id == condition_id:
                return info
        raise KeyError(condition_id)

    def cite(self, source: str) -> str:
        return self.sources[source]
