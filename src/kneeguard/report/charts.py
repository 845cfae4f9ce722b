"""Charts shared by the web pages and the PDF report: Vega-Lite specs built with Altair,
rendered to SVG on the server with vl-convert.

Each builder takes plain values (lists of dicts with ISO dates) and returns a
Vega-Lite spec as a plain dict, so tests can assert on it and the same chart
serves the no-JavaScript page and the PDF. :func:`to_svg` renders a spec and
caches the SVG by the spec's content (the same data gives the same bytes).

Colours meet WCAG AA against white and no chart speaks by colour alone:
flagged weeks and spikes also get a triangle marker and a legend entry, the
pain limit is a labelled dashed line.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

BLUE = "#1f5f9e"
ORANGE = "#b3420b"
GREY = "#767676"
LIGHT = "#c9d6e3"
MID = "#7b93ad"
RED = "#b02a1e"
FONT = "DejaVu Sans, Verdana, sans-serif"
WIDTH = 640
HEIGHT = 220
_CONFIG: dict[str, Any] = {
    "font": FONT,
    "view": {"stroke": None},
    "axis": {"labelColor": "#222222", "titleColor": "#222222", "gridColor": "#e4e4e4",
             "labelFontSize": 11, "titleFontSize": 12},
    "legend": {"labelColor": "#222222", "titleColor": "#222222", "labelFontSize": 11,
               "orient": "top"},
    "title": {"color": "#222222", "fontSize": 13, "anchor": "start"},
}

Rows = Sequence[dict[str, Any]]


def _alt() -> Any:
    import altair as alt

    return alt


def _finish(chart: Any, title: str) -> dict[str, Any]:
    spec: dict[str, Any] = chart.properties(title=title).to_dict(validate=False)
    spec["config"] = _CONFIG
    spec.pop("$schema", None)
    return spec


def weekly_distance(weeks: Rows) -> dict[str, Any]:
    """Weekly running distance: bars, the runner's recent average as a line, flagged weeks
    as orange bars with a triangle. Rows: ``week_start``, ``km``, ``average_km`` (the mean
    of the 4 weeks before, or None) and ``flag`` (a short label, or None)."""
    alt = _alt()
    values = [{"week": w["week_start"], "km": round(float(w["km"]), 1),
               "average": None if w.get("average_km") is None
               else round(float(w["average_km"]), 1),
               "kind": "flagged week" if w.get("flag") else "week",
               "flag": w.get("flag") or ""} for w in weeks]
    base = alt.Chart(alt.Data(values=values)).encode(
        x=alt.X("week:T", title=None, axis=alt.Axis(format="%d %b %y", labelAngle=0,
                                                    tickCount=8)))
    bars = base.mark_bar().encode(
        y=alt.Y("km:Q", title="km per week"),
        color=alt.Color("kind:N", title=None,
                        scale=alt.Scale(domain=["week", "flagged week"], range=[BLUE, ORANGE])))
    average = base.mark_line(color=GREY, strokeDash=[5, 3], strokeWidth=2).encode(
        y="average:Q")
    marks = base.transform_filter("datum.flag != ''").mark_point(
        shape="triangle-down", filled=True, size=70, color=ORANGE, yOffset=-8).encode(
        y="km:Q")
    chart = alt.layer(bars, average, marks).properties(width=WIDTH, height=HEIGHT)
    return _finish(chart, "Weekly distance (dashed: your average of the 4 weeks before)")


def runs(rows: Rows) -> dict[str, Any]:
    """Each run's distance by day; long-run spikes (a run longer than the longest of the 30
    days before) in orange with a triangle. Rows: ``date``, ``km``, ``spike`` (severity or
    None)."""
    alt = _alt()
    values = [{"date": r["date"], "km": round(float(r["km"]), 2),
               "kind": f"spike ({r['spike']})" if r.get("spike") else "run"} for r in rows]
    domain = ["run", "spike (small)", "spike (moderate)", "spike (large)"]
    base = alt.Chart(alt.Data(values=values)).encode(
        x=alt.X("date:T", title=None, axis=alt.Axis(format="%d %b %y", labelAngle=0,
                                                    tickCount=8)),
        y=alt.Y("km:Q", title="km per run"))
    points = base.mark_circle(size=28, opacity=0.9).encode(
        color=alt.Color("kind:N", title=None, scale=alt.Scale(
            domain=domain, range=[BLUE, "#8a5a00", ORANGE, RED])))
    spikes = base.transform_filter("datum.kind != 'run'").mark_point(
        shape="triangle-up", filled=True, size=90, color=ORANGE, yOffset=-10)
    chart = alt.layer(points, spikes).properties(width=WIDTH, height=HEIGHT)
    return _finish(chart, "Runs (triangles: a run much longer than the month before)")


def pace(rows: Rows) -> dict[str, Any]:
    """Pace of each run in min/km with a rolling median. Rows: ``date``, ``pace``
    (min/km), ``trend`` (rolling median or None)."""
    alt = _alt()
    values = [{"date": r["date"], "pace": round(float(r["pace"]), 2),
               "trend": None if r.get("trend") is None else round(float(r["trend"]), 2)}
              for r in rows]
    base = alt.Chart(alt.Data(values=values)).encode(
        x=alt.X("date:T", title=None, axis=alt.Axis(format="%d %b %y", labelAngle=0,
                                                    tickCount=8)))
    points = base.mark_circle(size=20, color=MID, opacity=0.8).encode(
        y=alt.Y("pace:Q", title="min per km (lower is faster)",
                scale=alt.Scale(reverse=True, zero=False)))
    trend = base.mark_line(color=BLUE, strokeWidth=2.5).encode(y="trend:Q")
    chart = alt.layer(points, trend).properties(width=WIDTH, height=HEIGHT)
    return _finish(chart, "Pace trend (line: median of the last 10 runs)")


def pain(entries: Rows, run_rows: Rows) -> dict[str, Any]:
    """Pain ratings over time (the worst of before/during/after) in front of the runs
    (grey bars, km on the right axis), with the 3/10 limit. Rows: entries ``date``,
    ``worst``; runs ``date``, ``km``."""
    alt = _alt()
    runs_values = [{"date": r["date"], "km": round(float(r["km"]), 1)} for r in run_rows]
    pain_values = [{"date": e["date"], "pain": e["worst"]} for e in entries
                   if e.get("worst") is not None]
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%d %b", labelAngle=0, tickCount=8))
    bars = alt.Chart(alt.Data(values=runs_values)).mark_bar(color=LIGHT, width=6).encode(
        x=x, y=alt.Y("km:Q", title="run km (grey bars)", axis=alt.Axis(orient="right")))
    line = alt.Chart(alt.Data(values=pain_values)).mark_line(
        color=RED, strokeWidth=2.5, point=alt.OverlayMarkDef(color=RED, size=50, filled=True)
    ).encode(x=x, y=alt.Y("pain:Q", title="pain 0-10 (red line)",
                          scale=alt.Scale(domain=[0, 10])))
    limit = alt.Chart(alt.Data(values=[{"y": 3, "label": "limit 3/10"}])).encode(y="y:Q")
    rule = limit.mark_rule(color=GREY, strokeDash=[4, 4])
    text = limit.mark_text(align="left", dx=4, dy=-7, color="#444444").encode(
        text="label:N", x=alt.value(0))
    chart = alt.layer(bars, alt.layer(line, rule, text)).resolve_scale(y="independent")
    return _finish(chart.properties(width=WIDTH, height=HEIGHT),
                   "Pain after runs (red) with the runs behind it (grey)")


def onset(rows: Rows) -> dict[str, Any]:
    """Distance into the run at which the pain began, per entry, with a trend line.
    Rows: ``date``, ``onset_km``."""
    alt = _alt()
    values = [{"date": r["date"], "km": float(r["onset_km"])} for r in rows]
    base = alt.Chart(alt.Data(values=values)).encode(
        x=alt.X("date:T", title=None, axis=alt.Axis(format="%d %b", labelAngle=0)),
        y=alt.Y("km:Q", title="km into the run", scale=alt.Scale(zero=True)))
    points = base.mark_point(filled=True, size=60, color=BLUE)
    trend = base.transform_regression("date", "km").mark_line(
        color=ORANGE, strokeDash=[6, 3], strokeWidth=2)
    chart = alt.layer(points, trend).properties(width=WIDTH, height=180)
    return _finish(chart, "When the pain begins (dashed: trend)")


def recent_weeks(weeks: Rows) -> dict[str, Any]:
    """This week against the weeks before (home page). Rows: ``label``, ``km``,
    ``current`` (bool)."""
    alt = _alt()
    values = [{"label": w["label"], "km": round(float(w["km"]), 1),
               "kind": "this week" if w.get("current") else "earlier weeks"} for w in weeks]
    base = alt.Chart(alt.Data(values=values)).encode(
        x=alt.X("label:N", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("km:Q", title="km"))
    bars = base.mark_bar().encode(color=alt.Color(
        "kind:N", title=None,
        scale=alt.Scale(domain=["earlier weeks", "this week"], range=[MID, BLUE])))
    labels = base.mark_text(dy=-6, color="#222222").encode(text=alt.Text("km:Q", format=".0f"))
    return _finish(alt.layer(bars, labels).properties(width=360, height=140),
                   "Running distance, this week and the weeks before")


# -- rendering -------------------------------------------------------------------------

_SVG_CACHE: OrderedDict[str, str] = OrderedDict()
_SVG_LOCK = threading.Lock()
_SVG_RENDER_LOCK = threading.Lock()
SVG_CACHE_SIZE = 256
_INNER_ARIA = re.compile(r' (?:role="graphics-[^"]*"|aria-roledescription="[^"]*"|'
                         r'aria-label="[^"]*"|aria-hidden="true")')
_ROOT = re.compile(r'^<svg ([^>]*?)width="[\d.]+" height="[\d.]+"')


def spec_key(spec: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True, separators=(",", ":"),
                                     default=str).encode()).hexdigest()


def to_svg(spec: dict[str, Any], label: str = "", cache: bool = True) -> str:
    """The chart as an SVG document (cached by content). ``label`` becomes its accessible
    name; the fixed width and height are dropped so it scales to its container."""
    key = spec_key(spec) + "|" + label
    if cache:
        with _SVG_LOCK:
            found = _SVG_CACHE.get(key)
            if found is not None:
                _SVG_CACHE.move_to_end(key)
                return found
    import vl_convert as vlc

    with _SVG_RENDER_LOCK:  # one JavaScript engine: render one chart at a time
        svg: str = vlc.vegalite_to_svg(spec)
    from html import escape

    svg = _INNER_ARIA.sub("", svg)
    svg = _ROOT.sub(lambda m: f'<svg {m.group(1)}role="img" aria-label="{escape(label)}" '
                    'focusable="false"', svg, count=1)
    if cache:
        with _SVG_LOCK:
            _SVG_CACHE[key] = svg
            while len(_SVG_CACHE) > SVG_CACHE_SIZE:
                _SVG_CACHE.popitem(last=False)
    return svg


def clear_cache() -> None:
    with _SVG_LOCK:
        _SVG_CACHE.clear()


# -- questionnaires ---------------------------------------------------------------------

CHANGE_SHAPES = (("first", "circle"), ("improved", "triangle-up"),
                 ("worsened", "triangle-down"), ("within MCID", "diamond"),
                 ("no MCID", "square"))


def questionnaire_scores(rows: Rows, *, mcid: float | None, score_range: tuple[float, float],
                         higher_is_better: bool, title: str) -> dict[str, Any]:
    """One questionnaire's scores over time, one panel per score (KOOS subscales, NPRS
    contexts), each with its MCID band: the shaded range within the MCID of the first
    score, where a change is not yet called better or worse. The point shape says the
    change since the previous response. Rows, oldest first: ``date`` (ISO), ``score``
    (its name), ``value``, ``change`` (first, improved, worsened, within MCID, no MCID)."""
    alt = _alt()
    low, high = float(score_range[0]), float(score_range[1])
    names = list(dict.fromkeys(str(r["score"]) for r in rows))
    seen: set[str] = set()
    values = []
    for r in rows:
        value, name = float(r["value"]), str(r["score"])
        band = mcid is not None and name not in seen
        seen.add(name)
        values.append({"date": r["date"], "score": name, "value": value,
                       "change": r["change"],
                       "low": max(low, value - mcid) if band and mcid is not None else None,
                       "high": min(high, value + mcid) if band and mcid is not None else None})
    y_scale = alt.Scale(domain=[low, high], nice=False)
    base = alt.Chart().encode(x=alt.X("date:T", title=None, scale=alt.Scale(padding=14),
                                      axis=alt.Axis(format="%d %b %y", labelAngle=0,
                                                    tickCount=6)))
    layers = []
    if mcid is not None:
        layers.append(base.transform_filter("datum.low != null").mark_rect(
            color=BLUE, opacity=0.14).encode(x=alt.value(0), x2=alt.value("width"),
                                             y=alt.Y("low:Q", scale=y_scale), y2="high:Q"))
    y = alt.Y("value:Q", title="higher is better" if higher_is_better else "lower is better",
              scale=y_scale)
    shapes = [(c, s) for c, s in CHANGE_SHAPES if (c == "no MCID") == (mcid is None)
              or c == "first"]
    layers.append(base.mark_line(color=BLUE, strokeWidth=2).encode(y=y))
    layers.append(base.mark_point(filled=True, size=90, opacity=1, color=BLUE).encode(
        y=y, shape=alt.Shape("change:N", title="change since the previous", scale=alt.Scale(
            domain=[c for c, _ in shapes], range=[s for _, s in shapes]))))
    chart = alt.layer(*layers, data=alt.Data(values=values)).properties(
        width=WIDTH, height=HEIGHT if len(names) == 1 else 110)
    if len(names) > 1:
        chart = chart.facet(row=alt.Row("score:N", title=None, sort=names, header=alt.Header(
            labelAngle=0, labelOrient="top", labelAnchor="start", labelFontSize=12,
            labelFontWeight="bold", labelColor="#222222")))
    note = (f" (shaded: within the MCID of {mcid:g} from the first score)" if mcid is not None
            else " (no published MCID: changes are shown, not judged)")
    return _finish(chart, title + note)
