"""The demo runner: one made-up runner that every page, test and screenshot can show.

A year of running (or more, for benchmarks) anchored on today, with the story
kneeguard is built to tell:

* a steady base of about 28 km a week,
* a five-week break for illness, then a comeback that builds back up,
* a 40% jump in weekly distance five weeks ago, with one long run about half
  again as long as anything in the month before,
* old shoes past their limit and a newer pair,
* a pain journal over the last four weeks in which the pain below the
  kneecap begins earlier and earlier in the runs (ratings kept at 3/10 or
  below),
* an assessment made yesterday from the answers such a runner gives, with
  the training story pre-filled from the history.

Everything is generated from a fixed seed, so the same ``today`` gives the
same runner. :func:`load_demo` replaces the content of a database (the demo
database, ``settings.demo_db_url``, never the runner's own).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kneeguard.storage import Database

SEED = 20260307
UTC_OFFSET_S = 3600
RUN_WEEKDAYS = (1, 3, 5, 6)  # Tue, Thu, Sat, Sun (long run)
OLD_SHOES, NEW_SHOES = "Pegasus 39 (old pair)", "Ghost 15"
DEMO_ANSWERS: dict[str, Any] = {
    "schema": "kneeguard.answers/1",
    "age": 34, "sex": "female", "side": "right",
    "pain_locations": ["below_kneecap_on_tendon"],
    "pain_timing": ["during_run", "after_run", "jumping", "stairs_down"],
    "pain_now": 1, "weeks_since_onset": 4, "onset": "gradual",
    "mechanism": ["none_remembered"], "swelling": "none",
    "warm_red_skin": False, "fever": False, "skin_wound_over_knee": False,
    "locking": False, "catching_clicking": False, "giving_way": False,
    "cannot_fully_straighten": False, "cannot_fully_bend": False, "can_bear_weight": True,
    "calf_pain_or_swelling": False, "night_pain_or_weight_loss": False,
    "numbness_or_tingling": False, "hip_or_groin_pain": False,
    "hills_or_downhill_increase": False, "new_shoes_recently": False,
    "previous_knee_injury_or_surgery": False,
}


@dataclass
class DemoRun:
    day: date
    km: float
    pace_min_km: float
    shoe: str | None

    @property
    def start_utc(self) -> datetime:
        local = datetime(self.day.year, self.day.month, self.day.day, 7, 30)
        return (local - timedelta(seconds=UTC_OFFSET_S)).replace(tzinfo=UTC)


@dataclass
class DemoJournal:
    day: date
    pain_before: int
    pain_during: int
    pain_after: int
    onset_km: float
    note: str = ""


@dataclass
class Demo:
    today: date
    runs: list[DemoRun] = field(default_factory=list)
    journal: list[DemoJournal] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)


def _week_km(weeks_ago: int, rng: random.Random) -> float:
    """The planned distance of the week ``weeks_ago`` weeks before this one."""
    if weeks_ago > 52:  # earlier years: a base that breathes with the seasons
        season = (weeks_ago % 52) / 52.0
        return 24.0 + 10.0 * abs(season - 0.5) * 2 + rng.uniform(-2.5, 2.5)
    if weeks_ago >= 31:
        return 28.0 + rng.uniform(-2.0, 2.0)
    if weeks_ago >= 26:
        return 0.0  # five weeks ill
    comeback = {25: 10.0, 24: 14.0, 23: 17.0, 22: 20.0, 21: 23.0, 20: 25.0}
    if weeks_ago in comeback:
        return comeback[weeks_ago]
    if weeks_ago >= 7:
        return 26.0 + (19 - weeks_ago) * 0.5 + rng.uniform(-1.0, 1.0)
    return {6: 32.0, 5: 44.8, 4: 33.0, 3: 35.0, 2: 34.0, 1: 33.0, 0: 30.0}[weeks_ago]


def build_demo(today: date | None = None, years: int = 1) -> Demo:
    """The demo runner's history up to ``today`` (default: the machine's today)."""
    today = today or date.today()
    rng = random.Random(SEED)
    demo = Demo(today=today)
    this_monday = today - timedelta(days=today.weekday())
    total_weeks = 52 * years
    new_shoes_from = this_monday - timedelta(weeks=10)
    for weeks_ago in range(total_weeks, -1, -1):
        monday = this_monday - timedelta(weeks=weeks_ago)
        target = _week_km(weeks_ago, rng)
        if target <= 0:
            continue
        long_share = 0.38 if weeks_ago == 5 else 0.33
        shares = [(1 - long_share) / 3] * 3 + [long_share]
        for weekday, share in zip(RUN_WEEKDAYS, shares, strict=True):
            day = monday + timedelta(days=weekday)
            if day >= today:
                continue
            km = round(max(2.0, target * share * rng.uniform(0.9, 1.1)), 2)
            if weeks_ago == 5 and weekday == 6:
                km = 17.2
            pace = 5.75 + rng.uniform(-0.25, 0.25) - (0.25 if weeks_ago <= 5 else 0.0)
            shoe = NEW_SHOES if day >= new_shoes_from else OLD_SHOES
            demo.runs.append(DemoRun(day, km, round(pace, 3), shoe))
    onsets = (7.5, 6.6, 5.8, 5.0, 4.3, 3.6, 3.0, 2.4)
    recent = [r for r in demo.runs if (today - r.day).days <= 26]
    for run, onset in zip(recent[-len(onsets):], onsets, strict=False):
        run.km = max(run.km, round(onset / 0.8 + 0.5, 2))  # the pain begins inside the run
        during = 2 if onset > 4.5 else 3
        note = "Below the kneecap again." if onset < 4 else ""
        demo.journal.append(DemoJournal(run.day, 0 if onset > 4 else 1, during, during,
                                        onset, note))
    demo.answers = dict(DEMO_ANSWERS)
    return demo


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# Questionnaires the demo runner filled in (weeks before today): VISA-P 42 -> 49 -> 63
# (within the MCID of 13, then an improvement) and NPRS now / during a run.
DEMO_RESPONSES: tuple[tuple[int, dict[str, Any], tuple[int, int]], ...] = (
    (6, {"Q1": 3, "Q2": 4, "Q3": 6, "Q4": 5, "Q5": 6, "Q6": 4, "Q7": 4, "Q8_branch": "B",
         "Q8B": 10}, (5, 6)),
    (3, {"Q1": 4, "Q2": 5, "Q3": 7, "Q4": 6, "Q5": 7, "Q6": 6, "Q7": 4, "Q8_branch": "B",
         "Q8B": 10}, (4, 5)),
    (0, {"Q1": 5, "Q2": 6, "Q3": 7, "Q4": 8, "Q5": 9, "Q6": 10, "Q7": 4, "Q8_branch": "B",
         "Q8B": 14}, (2, 3)),
)


def load_demo(db: Database, today: date | None = None, years: int = 1,
              questionnaires: bool = True) -> Demo:
    """Replace everything in ``db`` with the demo runner; return what was loaded.

    ``questionnaires=False`` leaves out the demo's questionnaire responses (for callers
    that add their own).
    """
    from sqlalchemy import delete

    from kneeguard.assessment import assess, parse_answers
    from kneeguard.journal import parse_entry
    from kneeguard.storage.activities import ActivityRow, ActivitySourceRow, ShoeRow
    from kneeguard.storage.assessments import save_assessment
    from kneeguard.storage.base import Base
    from kneeguard.storage.journal import add_entry
    from kneeguard.storage.models import __all__ as _models  # noqa: F401 (all tables known)
    from kneeguard.storage.training import assessment_prefill

    demo = build_demo(today, years)
    now = datetime.now(UTC)
    with db.session() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
        old = ShoeRow(name=OLD_SHOES, brand="Nike", start_km=380.0, limit_km=None,
                      added_at=now, retired_at=None)
        new = ShoeRow(name=NEW_SHOES, brand="Brooks", start_km=0.0, limit_km=None,
                      added_at=now, retired_at=None)
        session.add_all([old, new])
        session.flush()
        shoe_ids = {OLD_SHOES: old.id, NEW_SHOES: new.id}
        rows = []
        for run in demo.runs:
            timer = round(run.km * run.pace_min_km * 60.0, 1)
            name = f"demo-{run.day.isoformat()}.fit"
            row = ActivityRow(
                sport="running", sub_sport="generic", start_utc=run.start_utc,
                utc_offset_s=UTC_OFFSET_S, distance_m=round(run.km * 1000.0, 1),
                timer_s=timer, elapsed_s=round(timer + 60.0, 1),
                elevation_gain_m=round(run.km * 6.0, 1), avg_hr=148.0, avg_cadence=172.0,
                device="Demo watch", shoe_id=shoe_ids.get(run.shoe or ""), incomplete=False,
                imported_at=now)
            row.sources = [ActivitySourceRow(file_name=name, content_hash=_hash(name), leg=0,
                                              format="fit", preferred=True)]
            rows.append(row)
        session.add_all(rows)
        session.flush()
        for item in demo.journal:
            entry = parse_entry({"day": item.day, "pain_before": item.pain_before,
                                 "pain_during": item.pain_during,
                                 "pain_after": item.pain_after,
                                 "pain_onset_km": item.onset_km,
                                 "locations": ["below_kneecap_on_tendon"],
                                 "swelling": "none", "note": item.note}, demo.today)
            add_entry(session, entry)
        session.flush()
        answers = dict(demo.answers)
        prefill = assessment_prefill(session, demo.today)
        answers.update(prefill)
        parse_answers(answers)
        made = datetime.combine(demo.today - timedelta(days=1), datetime.min.time(),
                                tzinfo=UTC) + timedelta(hours=18)
        save_assessment(session, answers, assess(answers), created_at=made)
        demo.answers = answers
        if questionnaires:
            _add_questionnaires(session, demo.today)
    return demo


def _add_questionnaires(session: Any, today: date) -> None:
    from kneeguard.questionnaires import load_instrument, score
    from kneeguard.storage.questionnaires import save_response

    for weeks_ago, visa_p, (now, during) in DEMO_RESPONSES:
        when = datetime.combine(today - timedelta(weeks=weeks_ago), datetime.min.time(),
                                tzinfo=UTC) + timedelta(hours=8)
        for instrument_id, answers in (("visa_p", visa_p),
                                       ("nprs", {"NPRS_NOW": now, "NPRS_DURING_RUN": during})):
            instrument = load_instrument(instrument_id)
            save_response(session, instrument_id, answers, score(instrument, answers).to_json(),
                          instrument.content_hash, None, when)
