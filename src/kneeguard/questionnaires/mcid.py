"""Change between two scores, called an improvement or a worsening only beyond the MCID.

The minimal clinically important difference (MCID) is the smallest change patients
perceive as important, so a change that reaches it counts (``|delta| >= MCID``);
anything smaller is reported as "within the MCID band", never as better or worse.
Direction comes from the definition: for NPRS a decrease is an improvement, for the
other instruments an increase. An instrument without a published MCID (KOOS-12) gets
the label ``no_mcid``: the change is shown, not judged.

:func:`score_history` turns a runner's stored responses into one row per score and
response with the change since the previous response and since the first (baseline).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from kneeguard.questionnaires.model import Instrument

ChangeLabel = Literal["improved", "worsened", "within_mcid", "no_mcid"]

# Float noise in the KOOS formula (e.g. 9.999999999999998) must not hide a real MCID.
_EPSILON = 1e-9


@dataclass(frozen=True)
class Change:
    before: float
    after: float
    delta: float
    mcid: float | None
    label: ChangeLabel

    def describe(self) -> str:
        """E.g. ``+12.0 improved`` or ``-3.0 within MCID``."""
        words = {"improved": "improved", "worsened": "worsened",
                 "within_mcid": "within MCID", "no_mcid": "(no MCID)"}
        return f"{self.delta:+.1f} {words[self.label]}"


def mcid_value(instrument: Instrument, override: float | None = None) -> float | None:
    """The MCID used for ``instrument``: ``override`` when given, else the definition's."""
    if override is not None:
        return override
    entry = instrument.mcid
    return None if entry is None else entry.value


def classify_change(instrument: Instrument, before: float, after: float,
                    mcid: float | None = None) -> Change:
    """Label the change from ``before`` to ``after`` (``mcid`` overrides the definition's)."""
    threshold = mcid_value(instrument, mcid)
    delta = after - before
    label: ChangeLabel
    if threshold is None:
        label = "no_mcid"
    elif abs(delta) + _EPSILON < threshold:
        label = "within_mcid"
    else:
        better = delta > 0 if instrument.direction == "higher_is_better" else delta < 0
        label = "improved" if better else "worsened"
    return Change(before, after, delta, threshold, label)


@dataclass(frozen=True)
class ScoredResponse:
    """A stored response as the history needs it."""

    id: int
    answered_at: datetime
    scores: Mapping[str, float | int | None]


@dataclass(frozen=True)
class HistoryRow:
    response_id: int
    answered_at: datetime
    score: str
    value: float | None
    since_previous: Change | None
    since_baseline: Change | None


def score_history(instrument: Instrument, responses: Iterable[ScoredResponse],
                  mcid: float | None = None) -> list[HistoryRow]:
    """One row per response and score, oldest first, with MCID-aware changes.

    The previous and the baseline value of a score are the latest earlier and the
    first response in which that score could be computed.
    """
    ordered = sorted(responses, key=lambda r: (r.answered_at, r.id))
    rows: list[HistoryRow] = []
    for key in instrument.score_keys:
        first: float | None = None
        last: float | None = None
        for response in ordered:
            raw = response.scores.get(key)
            value = None if raw is None else float(raw)
            previous = baseline = None
            if value is not None:
                if last is not None:
                    previous = classify_change(instrument, last, value, mcid)
                if first is not None:
                    baseline = classify_change(instrument, first, value, mcid)
                first = value if first is None else first
                last = value
            rows.append(HistoryRow(response.id, response.answered_at, key, value,
                                   previous, baseline))
    order = {k: n for n, k in enumerate(instrument.score_keys)}
    rows.sort(key=lambda r: (r.answered_at, r.response_id, order[r.score]))
    return rows
