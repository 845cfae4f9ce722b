"""Load context: acute:chronic ratio, fitness/fatigue/form and monotony/strain.

All three take the daily running distance in km as the load (rest days are
zeros) and are *informational only*: kneeguard never raises a warning from
them, because the acute:chronic ratio does not predict injury well enough to
act on alone (Impellizzeri et al. 2020, "Acute:chronic workload ratio:
conceptual issues and fundamental pitfalls", Int J Sports Physiol Perform).
They are shown only once the history covers :data:`MIN_HISTORY_DAYS` days.

* Acute:chronic workload ratio with exponentially weighted moving averages
  (Williams et al. 2017, Br J Sports Med): ``ewma = load * a + (1 - a) * ewma``
  with ``a = 2 / (N + 1)``, N = 7 (acute) and 28 (chronic), both starting at 0.
* Performance-management chart as in GoldenCheetah's PMC: ``ctl = load * (1 - e)
  + ctl * e`` with ``e = exp(-1/N)``, i.e. a daily factor ``1 - e^(-1/N)``,
  N = 42 (CTL, "fitness") and 7 (ATL, "fatigue"), starting at 0. TSB ("form")
  is shown the next day, as GoldenCheetah does by default: ``tsb[d] = ctl[d-1]
  - atl[d-1]``.
* Foster (1998) monotony = mean daily load / standard deviation of the daily
  load over 7 days (population SD, rest days as zero), capped at 10 when the
  SD is (near) zero; strain = weekly load x monotony.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Load context is shown only once the history spans this many days (the chronic window).
MIN_HISTORY_DAYS = 28
ACUTE_DAYS = 7
CHRONIC_DAYS = 28
CTL_DAYS = 42
ATL_DAYS = 7
#: Chronic load (km a day) below which the acute:chronic ratio is not shown.
MIN_CHRONIC_KM = 0.01
#: Foster monotony is capped here: a week of identical days has SD 0.
MONOTONY_CAP = 10.0


def ewma(loads: list[float], n: int) -> list[float]:
    """Exponentially weighted moving average with weight ``2 / (n + 1)``, from 0."""
    alpha = 2.0 / (n + 1)
    keep = 1.0 - alpha
    out = [0.0] * len(loads)
    value = 0.0
    for i, load in enumerate(loads):
        value = load * alpha + keep * value
        out[i] = value
    return out


def acwr(loads: list[float]) -> list[float | None]:
    """EWMA acute:chronic ratio per day; ``None`` before 28 days or without chronic load
    (under 10 m a day, e.g. months after the last run, where a ratio means nothing)."""
    acute = ewma(loads, ACUTE_DAYS)
    chronic = ewma(loads, CHRONIC_DAYS)
    out: list[float | None] = [None] * len(loads)
    for i in range(MIN_HISTORY_DAYS - 1, len(loads)):
        if chronic[i] >= MIN_CHRONIC_KM:
            out[i] = acute[i] / chronic[i]
    return out


def pmc_average(loads: list[float], n: int) -> list[float]:
    """GoldenCheetah's PMC average: daily factor ``1 - exp(-1/n)``, from 0."""
    decay = math.exp(-1.0 / n)
    gain = 1.0 - decay
    out = [0.0] * len(loads)
    value = 0.0
    for i, load in enumerate(loads):
        value = load * gain + value * decay
        out[i] = value
    return out


@dataclass(frozen=True, slots=True)
class Pmc:
    ctl: list[float]
    atl: list[float]
    tsb: list[float]


def pmc(loads: list[float]) -> Pmc:
    """CTL (N = 42), ATL (N = 7) and TSB (yesterday's CTL minus ATL) per day."""
    ctl = pmc_average(loads, CTL_DAYS)
    atl = pmc_average(loads, ATL_DAYS)
    tsb = [0.0] + [c - a for c, a in zip(ctl[:-1], atl[:-1], strict=True)] if loads else []
    return Pmc(ctl, atl, tsb)


def monotony(week: list[float]) -> float:
    """Foster monotony of seven daily loads: mean / population SD, capped at 10.

    A week with no load has monotony 0 (nothing to be monotonous about).
    """
    if not week:
        return 0.0
    mean = sum(week) / len(week)
    if mean <= 0.0:
        return 0.0
    sd = math.sqrt(sum((x - mean) ** 2 for x in week) / len(week))
    if sd <= mean / MONOTONY_CAP:
        return MONOTONY_CAP
    return mean / sd


def strain(week: list[float]) -> float:
    """Foster strain: the week's total load times its monotony."""
    return sum(week) * monotony(week)


@dataclass(frozen=True, slots=True)
class LoadContext:
    """The load figures on one day; ``acwr`` is ``None`` when chronic load is zero."""

    acwr: float | None
    ctl: float
    atl: float
    tsb: float
    monotony: float
    strain: float


class LoadSeries:
    """Every load figure for a daily load list, computed once (linear time)."""

    def __init__(self, loads: list[float], history_start: int = 0) -> None:
        """``history_start`` is the index of the first day of history (days before it
        are padding, e.g. to start the series on a Monday)."""
        self.loads = loads
        self.history_start = history_start
        self.acwr = acwr(loads)
        self.pmc = pmc(loads)

    def at(self, index: int) -> LoadContext | None:
        """Load context on day ``index``, or ``None`` in the first 28 days of history."""
        if index - self.history_start < MIN_HISTORY_DAYS - 1 or index >= len(self.loads):
            return None
        week = self.loads[index - 6:index + 1]
        return LoadContext(
            acwr=self.acwr[index],
            ctl=self.pmc.ctl[index],
            atl=self.pmc.atl[index],
            tsb=self.pmc.tsb[index],
            monotony=monotony(week),
            strain=strain(week),
        )
