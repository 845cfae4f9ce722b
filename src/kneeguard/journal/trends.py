"""What the pain journal shows: findings, the onset trend and assessment pre-fill.

Findings (each says whether it means "stop running"):

* ``above_3``: any rating above 3/10 in the last 7 days. The clinic's rule:
  pain above 3/10 before, during or after running means stop running and see
  a physical therapist (a safety-first product rule, stricter than tendon
  pain-monitoring models; see shared/knowledge/clinical-evidence.md, 4).
* ``swelling``: mild or marked swelling in the last 7 days: don't run on a
  swollen knee (clinic article).
* ``onset_earlier``: pain begins earlier and earlier in runs (the clinic's
  jumper's-knee warning: first at mile two or three, later at half a mile).
* ``rising``: the mean worst rating of the last 7 days is at least 1 point
  above the 7 days before (both weeks with two or more rated entries).

Onset trend over the last 28 days (at least 3 entries with an onset distance,
spanning 7 days or more): the Theil-Sen slope (median of pairwise slopes) of
onset km per day, times 14 days, relative to the mean onset gives the change
over two weeks; Kendall's tau gives its consistency. ``earlier``: change of
-20% or more with tau <= -0.5; ``later``: +20% or more with tau >= 0.5;
``same``: under 20% either way with every onset within 50% of the mean of
the range; anything else ``no_pattern``. These cut-offs are kneeguard's
conventions, not study results.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from kneeguard.journal.entries import SWELLING, Entry

RECENT_DAYS = 7
TREND_DAYS = 28
MIN_TREND_ENTRIES = 3
MIN_TREND_SPAN_DAYS = 7
TREND_CHANGE = 0.2
TREND_TAU = 0.5
RISE_POINTS = 1.0
STOP_ABOVE = 3

EVIDENCE = {
    "above_3": ("Clinic rule (safety first): pain above 3/10 before, during or after running "
                "means stop running and see a physical therapist."),
    "swelling": "Clinic rule: do not run on a swollen knee.",
    "onset_earlier": ("Clinic article: with jumper's knee (patellar tendinopathy) pain begins "
                      "earlier and earlier in runs, first at mile two or three, later at half "
                      "a mile; unload the tendon instead of stretching it."),
    "rising": ("kneeguard convention: a rise of 1 point or more in the weekly mean rating; "
               "about 2 points on the 0-10 scale is the smallest change patients call "
               "important (Farrar et al. 2001, Pain)."),
}


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str  # above_3 | swelling | onset_earlier | rising
    day: date
    detail: str
    evidence: str
    stop: bool

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "date": self.day.isoformat(), "detail": self.detail,
                "evidence": self.evidence, "stop": self.stop}


def _recent(entries: Iterable[Entry], today: date, days: int) -> list[Entry]:
    since = today - timedelta(days=days - 1)
    return sorted((e for e in entries if since <= e.day <= today), key=lambda e: e.day)


def onset_trend(entries: Iterable[Entry], today: date) -> str | None:
    """earlier | same | later | no_pattern over the last 28 days, or None if unknown."""
    points = [(e.day.toordinal(), e.pain_onset_km) for e in _recent(entries, today, TREND_DAYS)
              if e.pain_onset_km is not None]
    if len(points) < MIN_TREND_ENTRIES or points[-1][0] - points[0][0] < MIN_TREND_SPAN_DAYS:
        return None
    ys = [y for _, y in points]
    mean = statistics.fmean(ys)
    if mean <= 0.0:
        return "same"
    slopes: list[float] = []
    concordant = discordant = pairs = 0
    for i, (xi, yi) in enumerate(points):
        for xj, yj in points[i + 1:]:
            if xj == xi:
                continue
            pairs += 1
            slopes.append((yj - yi) / (xj - xi))
            if yj > yi:
                concordant += 1
            elif yj < yi:
                discordant += 1
    if not slopes:
        return None
    change = statistics.median(slopes) * 14.0 / mean
    tau = (concordant - discordant) / pairs
    if change <= -TREND_CHANGE and tau <= -TREND_TAU:
        return "earlier"
    if change >= TREND_CHANGE and tau >= TREND_TAU:
        return "later"
    if abs(change) < TREND_CHANGE and all(abs(y - mean) <= 0.5 * mean for y in ys):
        return "same"
    return "no_pattern"


def findings(entries: Iterable[Entry], today: date) -> list[Finding]:
    """What the journal shows as of ``today``, stop findings first."""
    entries = list(entries)
    recent = _recent(entries, today, RECENT_DAYS)
    found: list[Finding] = []
    high = [e for e in recent if (e.worst or 0) > STOP_ABOVE]
    if high:
        worst = max(high, key=lambda e: (e.worst or 0, e.day))
        found.append(Finding(
            "above_3", worst.day,
            f"You rated your pain {worst.worst}/10 on {worst.day.isoformat()}: above 3/10 means "
            "stop running and see a physical therapist.", EVIDENCE["above_3"], True))
    swollen = [e for e in recent if e.swelling in ("mild", "marked")]
    if swollen:
        last = swollen[-1]
        found.append(Finding(
            "swelling", last.day,
            f"You noted {last.swelling} swelling on {last.day.isoformat()}: don't run while the "
            "knee is swollen.", EVIDENCE["swelling"], True))
    if onset_trend(entries, today) == "earlier":
        onsets = [e for e in _recent(entries, today, TREND_DAYS) if e.pain_onset_km is not None]
        found.append(Finding(
            "onset_earlier", onsets[-1].day,
            f"Pain now begins earlier in your runs (from {onsets[0].pain_onset_km:g} km on "
            f"{onsets[0].day.isoformat()} to {onsets[-1].pain_onset_km:g} km on "
            f"{onsets[-1].day.isoformat()}); a sign of an overloaded tendon: reduce running "
            "and see a physical therapist.", EVIDENCE["onset_earlier"], False))
    this_week = [e.worst for e in recent if e.worst is not None]
    week_before = [e.worst for e in _recent(entries, today - timedelta(days=RECENT_DAYS),
                                            RECENT_DAYS) if e.worst is not None]
    if len(this_week) >= 2 and len(week_before) >= 2:
        now, before = statistics.fmean(this_week), statistics.fmean(week_before)
        if round(now - before, 6) >= RISE_POINTS:
            found.append(Finding(
                "rising", recent[-1].day,
                f"Your pain ratings are rising: {now:.1f}/10 on average this week against "
                f"{before:.1f}/10 the week before.", EVIDENCE["rising"], False))
    return found


def journal_prefill(entries: Iterable[Entry], today: date) -> dict[str, Any]:
    """Assessment answers the journal can give (keys it cannot answer are left out).

    ``pain_before_run``/``pain_during_run``/``pain_after_run``: the highest
    rating of the last 7 days (safety first: the worst, not the typical, so
    a rating above 3/10 is never hidden). ``pain_onset_km``: the median onset
    of the last 7 days. ``swelling``: the most marked swelling noted in the
    last 7 days. ``pain_onset_trend``: :func:`onset_trend`.
    """
    entries = list(entries)
    recent = _recent(entries, today, RECENT_DAYS)
    out: dict[str, Any] = {}
    trend = onset_trend(entries, today)
    if trend is not None:
        out["pain_onset_trend"] = trend
    for field, key in (("pain_before", "pain_before_run"), ("pain_during", "pain_during_run"),
                       ("pain_after", "pain_after_run")):
        values = [getattr(e, field) for e in recent if getattr(e, field) is not None]
        if values:
            out[key] = max(values)
    onsets = [e.pain_onset_km for e in recent if e.pain_onset_km is not None]
    if onsets:
        out["pain_onset_km"] = round(statistics.median(onsets), 1)
    swelling = [e.swelling for e in recent if e.swelling is not None]
    if swelling:
        out["swelling"] = max(swelling, key=SWELLING.index)
    return out
