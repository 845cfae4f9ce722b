"""The answer fields and ids the knowledge base speaks about.

This is the ``kneeguard.answers/1`` contract (shared/contracts/assessment-answers.md)
as a table: the assessment parses answers with it and the knowledge-base loader
checks every rule against it, so a rule cannot name a field or an id the
contract does not have.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SCHEMA = "kneeguard.answers/1"
RESULT_SCHEMA = "kneeguard.result/1"

LOCATIONS = (
    "around_or_behind_kneecap",
    "outside_of_knee",
    "below_kneecap_on_tendon",
    "inside_just_below_joint",
    "front_of_kneecap_surface",
    "inside_joint_line",
    "outside_joint_line",
    "back_of_knee",
    "whole_knee",
)

TIMINGS = (
    "during_run",
    "after_run",
    "sitting_long_knees_bent",
    "stairs_down",
    "stairs_up",
    "squatting",
    "jumping",
    "downhill",
    "start_of_run_then_eases",
    "kneeling",
    "at_rest",
    "at_night",
)

MECHANISMS = (
    "twist_or_pivot",
    "sudden_stop_or_direction_change",
    "fall_or_direct_blow",
    "kneeling",
    "none_remembered",
)

CONDITION_IDS = (
    "patellofemoral_pain",
    "itb_syndrome",
    "patellar_tendinopathy",
    "meniscus_tear",
    "pes_anserine_bursitis",
    "prepatellar_bursitis",
    "other_needs_examination",
)

TRIAGE_LEVELS = ("emergency", "urgent", "see_clinician", "self_care")  # most urgent first
RUNNING_ADVICE = ("stop", "reduce", "continue")  # most restrictive first

Kind = Literal["int", "number", "enum", "enum_list", "bool"]


@dataclass(frozen=True)
class FieldSpec:
    """One answer field: its kind, allowed ids and numeric range."""

    name: str
    kind: Kind
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def allowed(self) -> str:
        """What the field accepts, in words (used in error messages)."""
        if self.kind == "bool":
            return "true or false"
        if self.kind == "enum":
            return "one of " + ", ".join(f'"{c}"' for c in self.choices)
        if self.kind == "enum_list":
            return "a list of ids from " + ", ".join(f'"{c}"' for c in self.choices)
        what = "a whole number" if self.kind == "int" else "a number"
        low, high = _fmt(self.minimum), _fmt(self.maximum)
        if self.minimum is not None and self.maximum is not None:
            return f"{what} from {low} to {high}"
        if self.minimum is not None:
            return f"{what} of at least {low}"
        return what


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _rating(name: str) -> FieldSpec:
    return FieldSpec(name, "int", minimum=0, maximum=10)


def _flag(name: str) -> FieldSpec:
    return FieldSpec(name, "bool")


FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("age", "int", minimum=5, maximum=110),
        FieldSpec("sex", "enum", ("female", "male", "other")),
        FieldSpec("side", "enum", ("left", "right", "both")),
        FieldSpec("pain_locations", "enum_list", LOCATIONS),
        FieldSpec("pain_timing", "enum_list", TIMINGS),
        _rating("pain_now"),
        _rating("pain_before_run"),
        _rating("pain_during_run"),
        _rating("pain_after_run"),
        FieldSpec("pain_onset_km", "number", minimum=0),
        FieldSpec("pain_onset_trend", "enum", ("earlier", "same", "later", "no_pattern")),
        FieldSpec("weeks_since_onset", "number", minimum=0),
        FieldSpec("onset", "enum", ("gradual", "sudden")),
        FieldSpec("mechanism", "enum_list", MECHANISMS),
        FieldSpec("swelling", "enum", ("none", "mild", "marked")),
        FieldSpec("swelling_site", "enum",
                  ("whole_joint", "front_of_kneecap", "inner_below_joint", "back_of_knee")),
        _flag("warm_red_skin"),
        _flag("fever"),
        _flag("skin_wound_over_knee"),
        _flag("locking"),
        _flag("catching_clicking"),
        _flag("giving_way"),
        _flag("cannot_fully_straighten"),
        _flag("cannot_fully_bend"),
        _flag("can_bear_weight"),
        _flag("calf_pain_or_swelling"),
        _flag("night_pain_or_weight_loss"),
        _flag("numbness_or_tingling"),
        _flag("hip_or_groin_pain"),
        FieldSpec("weekly_km_change_pct", "number"),
        FieldSpec("pace_change_pct", "number"),
        _flag("hills_or_downhill_increase"),
        FieldSpec("returning_after_break_weeks", "number", minimum=0),
        FieldSpec("break_reason", "enum", ("illness", "pregnancy", "injury", "other")),
        FieldSpec("shoe_km", "number", minimum=0),
        _flag("new_shoes_recently"),
        _flag("previous_knee_injury_or_surgery"),
    )
}
