"""Read queries for the training analytics, and the assessment pre-fill.

Turns stored activities and shoes into the plain values of
:mod:`kneeguard.training` (one query each, columns only: a ten-year history
loads in milliseconds), and combines the training and journal pre-fill into
the answers the next assessment starts from.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kneeguard.journal import journal_prefill
from kneeguard.storage.activities import ActivityRow, ShoeRow
from kneeguard.storage.journal import list_entries
from kneeguard.training import Run, Shoe, training_prefill


def load_runs(session: Session) -> list[Run]:
    """Every stored activity (all sports) as a :class:`Run`, oldest first."""
    query = (select(ActivityRow.start_utc, ActivityRow.utc_offset_s, ActivityRow.sport,
                    ActivityRow.distance_m, ActivityRow.timer_s, ShoeRow.name)
             .outerjoin(ShoeRow, ShoeRow.id == ActivityRow.shoe_id)
             .order_by(ActivityRow.start_utc, ActivityRow.id))
    return [Run(start, offset or 0, sport, distance or 0.0, timer or 0.0, shoe)
            for start, offset, sport, distance, timer, shoe in session.execute(query)]


def load_shoes(session: Session) -> list[Shoe]:
    """Every stored pair of shoes."""
    query = select(ShoeRow.name, ShoeRow.start_km, ShoeRow.limit_km, ShoeRow.retired_at)
    return [Shoe(name, start_km or 0.0, limit_km, retired_at)
            for name, start_km, limit_km, retired_at in session.execute(query)]


def assessment_prefill(session: Session, today: date | None = None) -> dict[str, Any]:
    """Answers of shared/contracts/assessment-answers.md known from the stored history.

    Training keys (``weekly_km_change_pct``, ``pace_change_pct``,
    ``returning_after_break_weeks``, ``shoe_km``) come from
    :func:`kneeguard.training.training_prefill`; journal keys
    (``pain_onset_trend``, ``pain_before_run``, ``pain_during_run``,
    ``pain_after_run``, ``pain_onset_km``, ``swelling``) from
    :func:`kneeguard.journal.journal_prefill`. Keys the data cannot answer are
    absent; the runner may override every value. ``today`` is the local date
    (default: the machine's).
    """
    today = today or date.today()
    out = training_prefill(load_runs(session), load_shoes(session), today)
    out.update(journal_prefill(list_entries(session, until=today), today))
    return out
