"""Pydantic models of the knowledge-base files, exactly as a clinician writes them.

Every number is written ``[value, label, source]`` and parsed into :class:`Number`.
Unknown keys are refused, so a misspelt key fails loading instead of being
ignored. The loader turns these models into the compiled form the engine uses
(:mod:`kneeguard.knowledge.model`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Label = Literal["V", "R", "D", "E"]
TriageLevel = Literal["emergency", "urgent", "see_clinician", "self_care"]
RunningAdvice = Literal["stop", "reduce", "continue"]
ConditionNode = dict[str, Any]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Number(Strict):
    """A number with its evidence label and source id."""

    value: float = Field(gt=0)
    label: Label
    source: str

    @model_validator(mode="before")
    @classmethod
    def _from_triple(cls, data: Any) -> Any:
        if isinstance(data, list | tuple):
            if len(data) != 3:
                raise ValueError(
                    "write a number as [value, label, source], e.g. [3.0, E, willy2019]")
            return {"value": data[0], "label": data[1], "source": data[2]}
        return data


class Cited(Strict):
    text: str = Field(min_length=1)
    source: str


class Combination(Strict):
    lr_shrink_exponent: Number
    group_cap: Number
    total_cap: Number
    demographic_min: Number
    demographic_max: Number
    ranking_margin: Number


class Manifest(Strict):
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    released: str
    title: str
    notice: str
    combination: Combination
    sources: dict[str, str]


class ConditionEntry(Strict):
    id: str
    name: str
    short_name: str
    overuse: bool
    summary: str
    prior: Number
    advice: list[Cited]
    avoid: list[Cited] = []


class AgeBand(Strict):
    id: str
    label: str
    min: int
    max: int
    modifiers: dict[str, Number]

    @model_validator(mode="after")
    def _ordered(self) -> AgeBand:
        if self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class Demographics(Strict):
    sex: dict[Literal["female", "male", "other"], dict[str, Number]]
    age_bands: list[AgeBand]


class FindingEntry(Strict):
    id: str
    group: str
    text: str
    text_absent: str | None = None
    when: ConditionNode
    lr: dict[str, Number]
    lr_absent: dict[str, Number] = {}
    overrides: list[str] = []

    @field_validator("lr")
    @classmethod
    def _not_empty(cls, value: dict[str, Number]) -> dict[str, Number]:
        if not value:
            raise ValueError("a finding needs at least one likelihood ratio")
        return value


class FlagLevel(Strict):
    triage: TriageLevel
    when: ConditionNode
    reason: str


class Implicated(Strict):
    condition: str
    when: ConditionNode | None = None


class Implicates(Strict):
    implicates: list[Implicated] = Field(min_length=1)


class RedFlagEntry(Strict):
    id: str
    name: str
    levels: list[FlagLevel] = Field(min_length=1)
    ranking: Literal["other_first", "screening"] | Implicates
    sources: list[str] = Field(min_length=1)
    advice: list[Cited] = Field(min_length=1)
    avoid: list[Cited] = []


class LevelText(Strict):
    id: str
    label: str
    now: str | None = None


class Floor(Strict):
    id: str
    when: ConditionNode
    triage: TriageLevel
    running: RunningAdvice
    reason: str
    advice: list[Cited] = []
    avoid: list[Cited] = []


class Criterion(Strict):
    id: str
    when: ConditionNode
    unmet: str


class SelfCare(Strict):
    reason: str
    running: RunningAdvice
    running_reason: str
    advice: list[Cited] = []
    continue_when: ConditionNode
    continue_reason: str
    criteria: list[Criterion] = Field(min_length=1)
    not_overuse_unmet: str
    default_reason: str
    default_running_reason: str
    red_flag_running_reason: str


class Rules(Strict):
    triage_levels: list[LevelText]
    running_levels: list[LevelText]
    floors: list[Floor]
    self_care: SelfCare


class AdviceRule(Strict):
    id: str
    when: ConditionNode
    text: str
    source: str


class AdviceFile(Strict):
    training: list[AdviceRule]
    general: list[Cited]


class Choice(Strict):
    value: Any
    label: str
    help: str | None = None


class Question(Strict):
    field: str
    text: str
    help: str | None = None
    choices: list[Choice] = []
    unit: str | None = None
    show_if: ConditionNode | None = None


class Step(Strict):
    id: str
    title: str
    intro: str | None = None
    questions: list[Question] = Field(min_length=1)


class Questionnaire(Strict):
    steps: list[Step] = Field(min_length=1)
