"""Everything the therapist's report shows, gathered in one pass over storage.

:func:`report_data` takes a storage session and returns a plain dict (JSON
values only: strings, numbers, lists, dicts, ``None``), so the renderer, the
tests and any later API read the same document. The history is loaded once
(``load_runs``) and shared by the training story, the journal chart and the
plan; nothing here renders charts or HTML (see :mod:`kneeguard.report.render`).

Sections, each ``None``-free with a ``missing`` message when there is no data:
``assessment``, ``training``, ``journal``, ``questionnaires``, ``plan``.
"""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kneeguard.journal import Entry
    from kneeguard.settings import Settings
    from kneeguard.storage.assessments import StoredAssessment
    from kneeguard.training import Run, Warning

SCHEMA = "kneeguard.report-data/1"
#: Weeks of training shown in the weekly distance chart.
WEEKS = 26
#: Days of pain journal shown in the pain chart (as on the web journal page).
JOURNAL_DAYS = 84
#: Conditions shown with their evidence; the others are listed with their probability.
DETAILED_CONDITIONS = 3
#: Earlier assessments listed under the latest one.
EARLIER_ASSESSMENTS = 4
#: Training warnings listed (newest first); the rest are counted.
WARNINGS_SHOWN = 5
PLAN_WEEKS = 6

MISSING = {
    "assessment": "No assessment yet: kneeguard assess (or Assess in the web app).",
    "training": "No runs imported yet: kneeguard import PATH (a watch file, a folder or a "
                "Strava/Garmin export archive).",
    "journal": "No pain journal entries yet: kneeguard journal add (or the Journal page).",
    "questionnaires": "No questionnaires answered yet: kneeguard survey ID "
                      "(kneeguard instruments lists them).",
}


def report_data(session: Session, settings: Settings | None = None, today: date | None = None,
                weeks: int = WEEKS, now: datetime | None = None) -> dict[str, Any]:
    """The report's content as of ``today`` (default: the machine's local date)."""
    from kneeguard.knowledge import load_kb
    from kneeguard.settings import Settings
    from kneeguard.storage.assessments import list_assessments
    from kneeguard.storage.journal import list_entries
    from kneeguard.storage.training import load_runs

    settings = settings or Settings()
    if not 500.0 <= float(settings.shoe_limit_km) <= 800.0:
        from kneeguard.errors import ConfigError

        raise ConfigError(f"shoe_limit_km must be between 500 and 800 km, not "
                          f"{settings.shoe_limit_km:g}")
    today = today or date.today()
    now = now or datetime.now(UTC)
    kb = load_kb()
    runs = load_runs(session)
    assessments = list_assessments(session, limit=EARLIER_ASSESSMENTS + 1)
    entries = list_entries(session, until=today)
    latest = assessments[0] if assessments else None
    return {
        "schema": SCHEMA,
        "report_date": today.isoformat(),
        "generated_at": now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "kb_version": kb.version,
        "kb_released": kb.released,
        "notice": kb.notice,
        "assessment": _assessment(assessments, kb.version, today),
        "training": _training(session, runs, settings, today, weeks),
        "journal": _journal(entries, runs, today),
        "questionnaires": _questionnaires(session, settings, latest),
        "plan": _plan(runs, entries, latest, settings, today),
    }


# -- assessment ----------------------------------------------------------------------------


def _local(value: datetime) -> datetime:
    return value.astimezone() if value.tzinfo is not None else value


def _assessment(stored: list[StoredAssessment], kb_version: str,
                today: date) -> dict[str, Any]:
    if not stored:
        return {"present": False, "missing": MISSING["assessment"]}
    latest = stored[0]
    result = latest.result
    triage = result.get("triage", {})
    running = result.get("running", {})
    conditions = [{"id": c.get("id"), "name": c.get("name") or c.get("id"),
                   "short_name": c.get("short_name"),
                   "probability": float(c.get("probability") or 0.0),
                   "percent": round(100.0 * float(c.get("probability") or 0.0)),
                   "evidence_for": list(c.get("evidence_for") or []),
                   "evidence_against": list(c.get("evidence_against") or [])}
                  for c in result.get("conditions", [])]
    return {
        "present": True,
        "id": latest.id,
        "created_at": latest.created_at.isoformat(),
        "date": _local(latest.created_at).date().isoformat(),
        "days_before_report": (today - _local(latest.created_at).date()).days,
        "kb_version": latest.kb_version,
        "kb_current": latest.kb_version == kb_version,
        "triage": {"level": triage.get("level", latest.triage_level),
                   "label": triage.get("label") or str(triage.get("level", "")).replace(
                       "_", " ").capitalize(),
                   "now": triage.get("now"), "reasons": list(triage.get("reasons") or [])},
        "running": {"advice": running.get("advice", latest.running_advice),
                    "label": running.get("label") or running.get("advice"),
                    "reasons": list(running.get("reasons") or [])},
        "red_flags": _red_flags(result),
        "conditions": conditions[:DETAILED_CONDITIONS],
        "other_conditions": conditions[DETAILED_CONDITIONS:],
        "advice": list(result.get("advice") or []),
        "avoid": list(result.get("avoid") or []),
        "answers": _answers_summary(latest.answers),
        "earlier": [{"date": _local(a.created_at).date().isoformat(),
                     "top": _top_name(a.result), "percent": _top_percent(a.result),
                     "triage": a.triage_level.replace("_", " "),
                     "running": a.running_advice} for a in stored[1:]],
    }


def _red_flags(result: dict[str, Any]) -> list[dict[str, str]]:
    """Each red flag found with its name and reason (from the explanation when present)."""
    explained = {f.get("id"): f for f in result.get("explanation", {}).get("red_flags", [])
                 if isinstance(f, dict)}
    out = []
    for flag_id in result.get("red_flags") or []:
        info = explained.get(flag_id, {})
        out.append({"id": str(flag_id),
                    "name": str(info.get("name") or str(flag_id).replace("_", " ")),
                    "triage": str(info.get("triage") or "").replace("_", " "),
                    "reason": str(info.get("reason") or "")})
    return out


def _top_name(result: dict[str, Any]) -> str:
    conditions = result.get("conditions") or [{}]
    return str(conditions[0].get("name") or conditions[0].get("id") or "-")


def _top_percent(result: dict[str, Any]) -> int:
    conditions = result.get("conditions") or [{}]
    return round(100.0 * float(conditions[0].get("probability") or 0.0))


def _answers_summary(answers: dict[str, Any]) -> list[str]:
    """The few answers a therapist looks at first, as short phrases."""
    out: list[str] = []
    who = []
    if answers.get("side"):
        who.append(f"{answers['side']} knee")
    if answers.get("sex"):
        who.append(str(answers["sex"]))
    if answers.get("age") is not None:
        who.append(f"age {answers['age']}")
    if who:
        out.append(", ".join(who))
    if answers.get("weeks_since_onset") is not None:
        onset = f"{answers['weeks_since_onset']} weeks since onset"
        if answers.get("onset"):
            onset += f" ({answers['onset']})"
        out.append(onset)
    ratings = [f"{label} {answers[key]}/10" for key, label in
               (("pain_now", "now"), ("pain_before_run", "before runs"),
                ("pain_during_run", "during runs"), ("pain_after_run", "after runs"))
               if answers.get(key) is not None]
    if ratings:
        out.append("pain " + ", ".join(ratings))
    if answers.get("pain_locations"):
        out.append("where: " + ", ".join(str(p).replace("_", " ")
                                         for p in answers["pain_locations"]))
    if answers.get("pain_timing"):
        out.append("when: " + ", ".join(str(p).replace("_", " ")
                                        for p in answers["pain_timing"]))
    if answers.get("swelling"):
        out.append(f"swelling: {answers['swelling']}")
    return out


# -- training ------------------------------------------------------------------------------


def _training(session: Session, runs: list[Run], settings: Settings, today: date,
              weeks: int) -> dict[str, Any]:
    from kneeguard.storage.activities import list_shoes
    from kneeguard.storage.training import load_shoes
    from kneeguard.training import overview
    from kneeguard.training.overview import week_flags
    from kneeguard.training.series import monday
    from kneeguard.training.warnings import comebacks

    running = [r for r in runs if r.is_running and r.distance_m > 0 and r.local_day <= today]
    if not running:
        return {"present": False, "missing": MISSING["training"]}
    limit = float(settings.shoe_limit_km)
    # Four extra weeks give the first shown week its 4-week average.
    view = overview(runs, load_shoes(session), weeks=weeks + 4, shoe_limit_km=limit,
                    today=today)
    # (week start, km, runs, longest km) for every week, then empty weeks up to today's week
    # when the last run falls inside the window: a current break shows as a gap.
    rows = [(r.week.week_start, r.week.km, r.week.runs, r.week.longest_km) for r in view.weeks]
    this_monday = monday(today)
    gap = (this_monday - rows[-1][0]).days // 7
    if 0 < gap < weeks:
        rows += [(rows[-1][0] + timedelta(weeks=k), 0.0, 0, 0.0) for k in range(1, gap + 1)]
    current = rows[-1][0] == this_monday
    offset = max(0, len(rows) - weeks)
    shown = rows[offset:]
    shown_from = shown[0][0]
    warnings = view.warnings
    flags = week_flags(warnings, (start for start, *_ in shown))
    kms = [km for _, km, _, _ in rows]
    weekly = []
    for i, (start, km, count, longest) in enumerate(shown):
        before = kms[max(0, offset + i - 4):offset + i]
        previous = kms[offset + i - 1] if offset + i > 0 else 0.0
        weekly.append({"week_start": start.isoformat(), "km": round(km, 1), "runs": count,
                       "longest_km": round(longest, 1),
                       "change_pct": round(100.0 * (km - previous) / previous)
                       if previous > 0 else None,
                       "average_km": round(statistics.fmean(before), 1)
                       if len(before) == 4 else None,
                       "flag": ", ".join(flags.get(start, [])) or None})
    in_window = [w for w in warnings if w.date >= shown_from]
    returns = comebacks(running)
    last_comeback = returns[-1] if returns else None
    load = view.weeks[-1].load if view.weeks[-1].week.week_start == this_monday else None
    month_ago = today - timedelta(days=30)
    shoes: list[dict[str, Any]] = []
    for shoe in list_shoes(session):
        cap = shoe.limit_km or limit
        shoes.append({"name": shoe.name, "km": round(shoe.distance_km, 1), "runs": shoe.runs,
                      "limit_km": round(cap), "over": shoe.distance_km > cap,
                      "retired": shoe.retired_at is not None,
                      "last_run": shoe.last_run.date().isoformat() if shoe.last_run else None})
    shoes.sort(key=lambda s: s["last_run"] or "", reverse=True)  # most recently run first
    shoes.sort(key=lambda s: s["retired"])  # then the retired pairs
    recent4 = kms[-5:-1] if current else []
    return {
        "present": True,
        "runs": len(running),
        "first_run": running[0].local_day.isoformat(),
        "last_run": running[-1].local_day.isoformat(),
        "total_km": round(sum(r.km for r in running)),
        "weeks_shown": len(shown),
        "shown_from": shown_from.isoformat(),
        "weekly": weekly,
        "current": current,
        "days_since_last_run": (today - running[-1].local_day).days,
        "this_week_km": round(kms[-1], 1) if current else None,
        "usual_week_km": round(statistics.median(recent4), 1) if recent4 else None,
        "longest_30d_km": round(max((r.km for r in running if r.local_day >= month_ago),
                                    default=0.0), 1),
        "warnings": [_warning_json(w) for w in reversed(in_window)][:WARNINGS_SHOWN],
        "warnings_total": len(in_window),
        "spikes": sum(1 for w in in_window if w.kind == "run_spike"),
        "weekly_jumps": sum(1 for w in in_window if w.kind == "weekly_jump"),
        "last_comeback": None if last_comeback is None else _warning_json(last_comeback),
        "shoes": shoes,
        "load": None if load is None else {
            "acwr": None if load.acwr is None else round(load.acwr, 2),
            "ctl": round(load.ctl, 1), "atl": round(load.atl, 1), "tsb": round(load.tsb, 1),
            "monotony": round(load.monotony, 2)},
    }


def _warning_json(w: Warning) -> dict[str, str]:
    return {"kind": w.kind, "label": w.kind.replace("_", " "), "date": w.date.isoformat(),
            "severity": w.severity, "detail": w.detail}


# -- journal -------------------------------------------------------------------------------


def _journal(entries: list[Entry], runs: list[Run], today: date) -> dict[str, Any]:
    from kneeguard.journal import findings, onset_trend

    if not entries:
        return {"present": False, "missing": MISSING["journal"]}
    since = today - timedelta(days=JOURNAL_DAYS)
    shown = [e for e in entries if e.day >= since]
    rated = [e for e in shown if e.worst is not None]
    onsets = [e for e in shown if e.pain_onset_km is not None]
    trend = onset_trend(entries, today)
    last = entries[-1]
    runs_from = max(since, shown[0].day - timedelta(days=7)) if shown else since
    return {
        "present": True,
        "entries": len(entries),
        "shown": len(shown),
        "since": since.isoformat(),
        "last": {"date": last.day.isoformat(), "worst": last.worst,
                 "onset_km": last.pain_onset_km, "swelling": last.swelling,
                 "note": last.note},
        "worst_recent": max((e.worst or 0 for e in rated), default=None),
        "pain_rows": [{"date": e.day.isoformat(), "worst": e.worst} for e in rated],
        "onset_rows": [{"date": e.day.isoformat(), "onset_km": e.pain_onset_km}
                       for e in onsets],
        # The runs behind the pain line start a week before its first entry.
        "run_rows": [{"date": r.local_day.isoformat(), "km": round(r.km, 2)} for r in runs
                     if r.is_running and r.distance_m > 0 and runs_from <= r.local_day <= today],
        "onset_trend": trend,
        "onset_trend_text": _TREND_TEXT.get(trend, _TREND_TEXT[None]),
        "findings": [{"kind": f.kind, "date": f.day.isoformat(), "detail": f.detail,
                      "stop": f.stop} for f in findings(entries, today)],
    }


_TREND_TEXT: dict[str | None, str] = {
    "earlier": "Pain begins earlier and earlier in the runs (a sign of an overloaded tendon).",
    "later": "Pain begins later in the runs than before.",
    "same": "Pain begins at about the same distance in each run.",
    "no_pattern": "The distance at which pain begins shows no clear pattern.",
    None: "No onset trend yet: it needs 3 entries with an onset distance over at least 7 "
          "days in the last 28.",
}


# -- questionnaires ------------------------------------------------------------------------


def _questionnaires(session: Session, settings: Settings,
                    latest: StoredAssessment | None) -> dict[str, Any]:
    from kneeguard.questionnaires import (
        ScoredResponse,
        load_instruments,
        mcid_value,
        score_history,
        suggest_instruments,
    )
    from kneeguard.storage.questionnaires import list_instrument_texts, list_responses

    responses = list_responses(session)
    licensed = [t.instrument_id for t in list_instrument_texts(session)]
    blocks = []
    for instrument in load_instruments():
        mine = [ScoredResponse(r.id, r.answered_at, r.scores) for r in responses
                if r.instrument_id == instrument.id]
        if not mine:
            continue
        override = settings.koos_mcid if instrument.id == "koos" else None
        history = score_history(instrument, mine, override)
        one_decimal = "one decimal" in instrument.rounding
        scores: list[dict[str, Any]] = []
        for key in instrument.score_keys:
            rows = [r for r in history if r.score == key and r.value is not None]
            if not rows:
                scores.append({"score": key, "latest": None, "date": None, "first": None,
                               "n": 0, "since_previous": None, "since_baseline": None})
                continue
            last = rows[-1]
            scores.append({
                "score": key, "n": len(rows),
                "latest": _value(last.value, one_decimal),
                "date": _local(last.answered_at).date().isoformat(),
                "first": _value(rows[0].value, one_decimal),
                "first_date": _local(rows[0].answered_at).date().isoformat(),
                "since_previous": _change(last.since_previous),
                "since_baseline": _change(last.since_baseline)})
        if any(s["n"] for s in scores):  # leave out scores never answered (NPRS contexts)
            scores = [s for s in scores if s["n"]]
        mcid = mcid_value(instrument, override)
        blocks.append({"id": instrument.id, "name": instrument.name,
                       "direction": instrument.direction,
                       "better": "higher" if instrument.direction == "higher_is_better"
                       else "lower",
                       "range": [_value(v, False) for v in instrument.score_range],
                       "mcid": mcid, "responses": len(mine), "scores": scores})
    answered = {b["id"] for b in blocks}
    labels = {i.id: short_name(i.name, i.id) for i in load_instruments()}
    suggested = [{"id": s.instrument_id, "label": labels.get(s.instrument_id,
                                                             s.instrument_id.upper()),
                  "reason": s.reason}
                 for s in suggest_instruments(latest.result if latest else None, licensed)
                 if s.instrument_id not in answered]
    out: dict[str, Any] = {"present": bool(blocks), "instruments": blocks,
                           "suggested": suggested}
    if not blocks:
        out["missing"] = MISSING["questionnaires"]
    return out


def short_name(name: str, instrument_id: str) -> str:
    """"VISA-P" from "Victorian ... - Patella (VISA-P)", "NPRS" from "... (NPRS, 11-point)"."""
    if name.endswith(")") and "(" in name:
        inner = name.rsplit("(", 1)[1].rstrip(")").split(",")[0].strip()
        if inner and " " not in inner:
            return inner
    return name.split(" (")[0] if len(name.split(" (")[0]) <= 12 else instrument_id.upper()


def _value(value: float | None, one_decimal: bool) -> float | int | None:
    if value is None:
        return None
    if one_decimal:
        return round(float(value), 1)
    return int(value) if float(value).is_integer() else round(float(value), 1)


def _change(change: Any) -> dict[str, Any] | None:
    if change is None:
        return None
    words = {"improved": "improved", "worsened": "worsened", "within_mcid": "within MCID",
             "no_mcid": "no MCID"}
    return {"delta": round(change.delta, 1), "label": change.label,
            "text": f"{change.delta:+.1f} {words[change.label]}"}


# -- plan ----------------------------------------------------------------------------------


def _plan(runs: list[Run], entries: list[Entry], latest: StoredAssessment | None,
          settings: Settings, today: date) -> dict[str, Any]:
    """The plan as ``kneeguard plan`` makes it (history, latest assessment, journal)."""
    from kneeguard.journal import findings
    from kneeguard.training import make_plan
    from kneeguard.training.plan import plan_advice

    advice, reasons = plan_advice(latest.result if latest else None,
                                  _local(latest.created_at).date() if latest else None,
                                  [f.detail for f in findings(entries, today) if f.stop])
    plan = make_plan(runs, today, weeks=PLAN_WEEKS, growth_pct=settings.weekly_growth_pct,
                     advice=advice, stop_reasons=reasons)
    weeks = []
    for week in plan.weeks:
        sessions = [d for d in week.days if d.km > 0]
        longest = max((d.km for d in sessions), default=0.0)
        weeks.append({"week_start": week.week_start.isoformat(), "km": week.km,
                      "sessions": len(sessions), "longest_km": longest,
                      "cutback": week.cutback, "focus": week.focus})
    return {"status": plan.status, "mode": plan.mode, "start": plan.start.isoformat(),
            "growth_pct": plan.growth_pct, "reasons": list(dict.fromkeys(plan.reasons)),
            "weekly_level_km": round(plan.weekly_level_km, 1),
            "longest_30d_km": round(plan.longest_30d_km, 1),
            "pain_rule": plan.pain_rule, "weeks": weeks}
