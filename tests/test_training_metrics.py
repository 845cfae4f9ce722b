"""Load context: EWMA acute:chronic ratio, CTL/ATL/TSB and Foster monotony/strain."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from kneeguard.training import overview
from kneeguard.training.metrics import LoadSeries, acwr, ewma, monotony, pmc, strain
from kneeguard.training.model import Run


def test_ewma_uses_weight_two_over_n_plus_one() -> None:
    # acute: a = 2/8 = 0.25; chronic: a = 2/29
    assert ewma([10.0, 0.0, 4.0], 7) == pytest.approx([2.5, 1.875, 2.40625])
    assert ewma([10.0, 0.0], 28) == pytest.approx([20 / 29, 20 / 29 * 27 / 29])


def test_acwr_is_hidden_for_the_first_28_days() -> None:
    ratios = acwr([5.0] * 40)
    assert ratios[:27] == [None] * 27
    # day 28 of a constant load: (1 - 0.75^28) / (1 - (27/29)^28)
    assert ratios[27] == pytest.approx(1.1559966, abs=1e-6)
    assert ratios[39] == pytest.approx((1 - 0.75 ** 40) / (1 - (27 / 29) ** 40))


def test_acwr_without_chronic_load_is_none() -> None:
    assert acwr([0.0] * 30)[29] is None


def test_pmc_matches_goldencheetah_factors() -> None:
    result = pmc([10.0, 0.0, 0.0])
    # daily factor 1 - e^(-1/42) = 0.0235283; 1 - e^(-1/7) = 0.1331221
    assert result.ctl[0] == pytest.approx(0.235283, abs=1e-6)
    assert result.atl[0] == pytest.approx(1.331221, abs=1e-6)
    assert result.ctl[1] == pytest.approx(0.235283 * 0.9764717, abs=1e-6)
    assert result.atl[1] == pytest.approx(1.331221 * 0.8668779, abs=1e-6)
    # form is shown the next day: yesterday's CTL minus ATL
    assert result.tsb[0] == 0.0
    assert result.tsb[1] == pytest.approx(0.235283 - 1.331221, abs=1e-6)


def test_foster_monotony_and_strain_count_rest_days_as_zero() -> None:
    week = [10.0, 0.0, 10.0, 0.0, 10.0, 0.0, 10.0]
    # mean 40/7, population SD sqrt(8400/343): monotony = 2/sqrt(3)
    assert monotony(week) == pytest.approx(1.1547005, abs=1e-6)
    assert strain(week) == pytest.approx(46.188022, abs=1e-5)


def test_monotony_is_capped_at_ten_and_zero_without_load() -> None:
    assert monotony([5.0] * 7) == 10.0
    assert strain([5.0] * 7) == 350.0
    assert monotony([0.0] * 7) == 0.0 and strain([0.0] * 7) == 0.0


def test_load_series_counts_history_from_its_first_real_day() -> None:
    loads = LoadSeries([0.0] * 3 + [5.0] * 30, history_start=3)
    assert loads.at(29) is None  # only 27 days of history
    context = loads.at(30)
    assert context is not None and context.monotony == 10.0 and context.strain == 350.0


def _daily_runs(first: date, days: int, km: float) -> list[Run]:
    return [Run(datetime(first.year, first.month, first.day, 7, tzinfo=UTC)
                + timedelta(days=i), 0, "running", km * 1000, km * 330) for i in range(days)]


def test_overview_shows_no_load_context_in_the_first_28_days() -> None:
    runs = _daily_runs(date(2026, 3, 2), 35, 5.0)  # Monday 2 March to Sunday 5 April
    weeks = overview(runs).weeks
    assert [w.load is None for w in weeks] == [True, True, True, False, False]
    fourth = weeks[3].load
    assert fourth is not None
    assert fourth.acwr == pytest.approx(1.1559966, abs=1e-6)  # day 28 = Sunday 29 March
    doc = overview(runs).to_json()
    assert doc["weeks"][0]["load"] is None
    assert doc["weeks"][3]["load"] == {"acwr": 1.16, "ctl": round(fourth.ctl, 1),
                                       "atl": round(fourth.atl, 1),
                                       "tsb": round(fourth.tsb, 1), "monotony": 10.0,
                                       "strain": 350.0}
