"""Which questionnaires fit a runner, from their latest assessment result.

NPRS and LEFS fit every runner with knee pain. The AKPS was built for
patellofemoral pain (runner's knee) and the VISA-P for patellar tendinopathy;
they are suggested when the assessment suspects that condition, meaning it is the
most likely one or has a probability of at least :data:`SUSPECTED`. The licensed
KOOS forms are suggested only when the clinic has imported their wording: KOOS-PF
with the AKPS, the full KOOS for a suspected meniscus tear.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

SUSPECTED = 0.25

# condition id -> instruments built for it (licensed ones need imported wording).
_FOR_CONDITION: tuple[tuple[str, str, str], ...] = (
    ("patellofemoral_pain", "akps",
     "the Anterior Knee Pain Scale was built for patellofemoral pain (runner's knee)"),
    ("patellofemoral_pain", "koos_pf",
     "KOOS-PF measures patellofemoral pain and function"),
    ("patellar_tendinopathy", "visa_p",
     "the VISA-P measures the severity of patellar tendinopathy (jumper's knee)"),
    ("meniscus_tear", "koos",
     "KOOS measures knee injuries such as a meniscus tear"),
)
_FOR_EVERYONE: tuple[tuple[str, str], ...] = (
    ("nprs", "the 0-10 pain rating tracks pain for every runner with knee pain"),
    ("lefs", "the Lower Extremity Functional Scale tracks function, including running"),
)
_LICENSED = ("koos", "koos_pf", "koos_12")


@dataclass(frozen=True)
class Suggestion:
    instrument_id: str
    reason: str


def _suspected(result: Mapping[str, Any] | None) -> list[str]:
    """Condition ids the result suspects, most likely first (tolerates partial results)."""
    if not result:
        return []
    conditions = result.get("conditions")
    if not isinstance(conditions, list):
        return []
    found: list[str] = []
    for rank, condition in enumerate(conditions):
        if not isinstance(condition, Mapping) or not isinstance(condition.get("id"), str):
            continue
        probability = condition.get("probability")
        likely = isinstance(probability, int | float) and probability >= SUSPECTED
        if rank == 0 or likely:
            found.append(condition["id"])
    return found


def suggest_instruments(result: Mapping[str, Any] | None,
                        licensed_available: Collection[str] = ()) -> list[Suggestion]:
    """The instruments to ask, condition-specific ones first, each with its reason.

    ``result`` is an assessment result (shared/contracts/assessment-answers.md) or
    ``None`` when there is none; ``licensed_available`` lists the licensed instruments
    whose wording the database holds.
    """
    suggestions: list[Suggestion] = []
    for condition in _suspected(result):
        for wanted, instrument_id, reason in _FOR_CONDITION:
            if wanted != condition:
                continue
            if instrument_id in _LICENSED and instrument_id not in licensed_available:
                continue
            if all(s.instrument_id != instrument_id for s in suggestions):
                suggestions.append(Suggestion(instrument_id, f"{reason}, which the latest "
                                              "assessment suspects"))
    suggestions.extend(Suggestion(i, reason) for i, reason in _FOR_EVERYONE)
    return suggestions
