"""``kneeguard training``, ``kneeguard plan`` and ``kneeguard journal add|list``.

``training --format json`` prints the document of shared/contracts/cli-json.md
(every week of the history unless ``--weeks`` limits it); the text form shows
the last ``--weeks`` weeks (12 by default) as a table with a sparkline of the
weekly distance, the warnings with their evidence and the load context.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import typer

from kneeguard.cli import app
from kneeguard.cli.common import OutputFormat, emit_json, state, stdout_console

if TYPE_CHECKING:
    from rich.console import Console

    from kneeguard.journal import Entry, Finding
    from kneeguard.training import Overview, Plan

TEXT_WEEKS = 12
SPARK = "▁▂▃▄▅▆▇█"
NO_RUNS = ("No runs stored yet. Import your watch history first: "
           "kneeguard import PATH... (FIT, GPX, TCX files or a Garmin/Strava export archive).")

journal_app = typer.Typer(help="The pain journal: add an entry, list entries and trends.",
                          no_args_is_help=True)
app.add_typer(journal_app, name="journal")


def sparkline(values: list[float]) -> str:
    """One block character per value, scaled to the largest (blank-free for zeros)."""
    top = max(values, default=0.0)
    if top <= 0:
        return SPARK[0] * len(values)
    return "".join(SPARK[min(len(SPARK) - 1, int(v / top * (len(SPARK) - 1) + 0.5))]
                   for v in values)


def _shoe_limit(ctx: typer.Context) -> float:
    from kneeguard.errors import ConfigError

    limit = float(state(ctx).settings.shoe_limit_km)
    if not 500.0 <= limit <= 800.0:
        raise ConfigError(f"shoe_limit_km must be between 500 and 800 km, not {limit:g}")
    return limit


@app.command("training")
def training_command(
    ctx: typer.Context,
    weeks: int | None = typer.Option(
        None, "--weeks", min=1, max=1000, metavar="N",
        help=f"Show the last N weeks (text default {TEXT_WEEKS}; JSON default: all weeks)."),
    output: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json."),
) -> None:
    """Weekly running load, the warnings behind knee overload, and the load context."""
    from kneeguard.storage.training import load_runs, load_shoes
    from kneeguard.training import overview

    limit = _shoe_limit(ctx)
    with state(ctx).database().session() as session:
        runs, shoes = load_runs(session), load_shoes(session)
    if output is OutputFormat.text and weeks is None:
        weeks = TEXT_WEEKS
    view = overview(runs, shoes, weeks=weeks, shoe_limit_km=limit, today=date.today())
    if output is OutputFormat.json:
        emit_json(view.to_json())
        return
    _print_training(stdout_console(), view)


def _print_training(console: Console, view: Overview) -> None:
    from rich.table import Table

    if view.last_run is None:
        console.print(NO_RUNS)
        if not view.empty:
            console.print("Only other sports are stored; running load counts running, trail "
                          "running and treadmill running.")
        return
    by_week: dict[date, list[str]] = {}
    for warning in view.warnings:
        start = max((r.week.week_start for r in view.weeks if r.week.week_start <= warning.date),
                    default=None)
        if start is not None:
            label = warning.kind.replace("_", " ")
            if warning.severity != "info":
                label += f" ({warning.severity})"
            labels = by_week.setdefault(start, [])
            if label not in labels:
                labels.append(label)
    has_other = any(r.week.other_km for r in view.weeks)
    table = Table(title=f"Running, last {len(view.weeks)} weeks (Monday to Sunday, local time)")
    for name in ("Week", "km", "Runs", "Longest", "Change"):
        table.add_column(name, justify="left" if name == "Week" else "right")
    if has_other:
        table.add_column("Other sports")
    table.add_column("Warnings")
    for row in view.weeks:
        w = row.week
        change = "-" if w.change_pct is None else f"{w.change_pct:+.0f}%"
        cells = [w.week_start.isoformat(), f"{w.km:.1f}", str(w.runs),
                 f"{w.longest_km:.1f}" if w.runs else "-", change]
        if has_other:
            cells.append(", ".join(f"{k.replace('_', ' ')} {v:.0f} km"
                                   for k, v in w.other_km.items()))
        cells.append(", ".join(by_week.get(w.week_start, [])))
        table.add_row(*cells)
    console.print(table)
    console.print(f"Weekly km  {sparkline([r.week.km for r in view.weeks])}  "
                  f"(max {max(r.week.km for r in view.weeks):.1f} km)")
    days = (date.today() - view.last_run).days
    if days > 0:
        console.print(f"Last run: {view.last_run.isoformat()} ({days} days ago).")
    if view.warnings:
        console.print("\n[bold]Warnings[/bold]")
        for warning in view.warnings:
            console.print(f"- {warning.date.isoformat()} {warning.kind} [{warning.severity}]: "
                          f"{warning.detail}", markup=False)
            console.print(f"  Evidence: {warning.evidence}", style="dim", markup=False)
    else:
        console.print("\nNo warnings in these weeks.")
    load = view.weeks[-1].load
    if load is None:
        console.print("\nLoad context appears after 28 days of history.")
    else:
        acwr = "-" if load.acwr is None else f"{load.acwr:.2f}"
        console.print(
            f"\nLoad context (informational, never a warning on its own - Impellizzeri 2020): "
            f"acute:chronic {acwr}, fitness (CTL) {load.ctl:.1f}, fatigue (ATL) {load.atl:.1f}, "
            f"form (TSB) {load.tsb:+.1f}, monotony {load.monotony:.2f}, "
            f"strain {load.strain:.0f} (km-based).")


@app.command("plan")
def plan_command(
    ctx: typer.Context,
    weeks: int = typer.Option(6, "--weeks", min=4, max=8, metavar="N",
                              help="How many weeks to plan (4 to 8)."),
    output: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json."),
) -> None:
    """Plan the next weeks of running from your history and your latest assessment."""
    from kneeguard.journal import findings
    from kneeguard.storage.assessments import latest_assessment
    from kneeguard.storage.journal import list_entries
    from kneeguard.storage.training import load_runs
    from kneeguard.training import make_plan
    from kneeguard.training.plan import plan_advice

    settings = state(ctx).settings
    today = date.today()
    with state(ctx).database().session() as session:
        runs = load_runs(session)
        latest = latest_assessment(session)
        entries = list_entries(session, until=today)
    assessment: dict[str, Any] | None = None
    if latest is not None:
        assessment = {"id": latest.id, "created_at": latest.created_at.isoformat(),
                      "advice": latest.running_advice, "triage_level": latest.triage_level}
    journal = findings(entries, today)
    advice, reasons = plan_advice(latest.result if latest else None,
                                  latest.created_at.date() if latest else None,
                                  [f.detail for f in journal if f.stop])
    plan = make_plan(runs, today, weeks=weeks, growth_pct=settings.weekly_growth_pct,
                     advice=advice, stop_reasons=reasons)
    if output is OutputFormat.json:
        emit_json({**plan.to_json(), "assessment": assessment,
                   "journal_findings": [f.to_json() for f in journal]})
        return
    _print_plan(stdout_console(), plan, latest is None)


def _print_plan(console: Console, plan: Plan, no_assessment: bool) -> None:
    from rich.table import Table

    if plan.status == "stop":
        console.print("[bold]Stop running for now.[/bold]")
        for reason in plan.reasons:
            console.print(f"- {reason}", markup=False)
        console.print("See a physical therapist; make a new plan once they or a new "
                      "assessment (kneeguard assess) allow running again.")
        return
    title = "Return to running (walk-run)" if plan.mode == "return" else "Building up"
    console.print(f"[bold]{title}[/bold], {len(plan.weeks)} weeks from "
                  f"{plan.start.isoformat()}.")
    for reason in plan.reasons:
        console.print(f"- {reason}", markup=False)
    if no_assessment:
        console.print("- No assessment stored: if your knee hurts, run `kneeguard assess` "
                      "first.")
    for week in plan.weeks:
        table = Table(title=f"Week of {week.week_start.isoformat()}: {week.km:.1f} km. "
                            f"{week.focus}", title_justify="left", show_header=False)
        table.add_column("Day")
        table.add_column("km", justify="right")
        table.add_column("What")
        for day in week.days:
            km = f"{day.km:.1f}" if day.km else ""
            table.add_row(day.day.strftime("%a %d %b"), km, day.note)
        console.print(table)
        console.print(f"[dim]{week.pain_rule}[/dim]")


def _entry_line(entry: Entry) -> list[str]:
    def rating(value: int | None) -> str:
        return "-" if value is None else (f"{value}!" if value > 3 else str(value))

    return [str(entry.id), entry.day.isoformat(),
            "-" if entry.run_km is None else f"{entry.run_km:.1f}",
            rating(entry.pain_before), rating(entry.pain_during), rating(entry.pain_after),
            "-" if entry.pain_onset_km is None else f"{entry.pain_onset_km:g}",
            ", ".join(loc.replace("_", " ") for loc in entry.locations),
            entry.swelling or "-", entry.note]


def _print_findings(console: Console, found: list[Finding]) -> None:
    for finding in found:
        console.print(f"- {'STOP ' if finding.stop else ''}{finding.detail}", markup=False,
                      style="bold red" if finding.stop else None)
        console.print(f"  Evidence: {finding.evidence}", style="dim", markup=False)


_PROMPTS = (
    ("pain_before", "Pain before running, 0-10"),
    ("pain_during", "Pain during running, 0-10"),
    ("pain_after", "Pain after running, 0-10"),
    ("pain_onset_km", "Distance into the run when pain began, km"),
    ("locations", "Where it hurt (comma-separated): " + "{locations}"),
    ("swelling", "Swelling: none, mild or marked"),
    ("note", "Note"),
)


def _ask(today: date, day: str | None) -> dict[str, Any]:
    """Ask each field in turn; a blank answer skips it, a wrong one is asked again."""
    from kneeguard.errors import JournalError
    from kneeguard.journal.entries import LOCATIONS, check_field

    err = typer.echo
    data: dict[str, Any] = {}
    while True:
        raw = day or typer.prompt("Day (YYYY-MM-DD)", default=today.isoformat())
        try:
            data["day"] = check_field("day", raw, today)
            break
        except JournalError as exc:
            if day:
                raise
            err(str(exc), err=True)
    for name, prompt in _PROMPTS:
        while True:
            raw = typer.prompt(prompt.format(locations=", ".join(LOCATIONS)), default="",
                               show_default=False).strip()
            if not raw:
                break
            try:
                data[name] = check_field(name, raw, today)
                break
            except JournalError as exc:
                err(str(exc), err=True)
    return data


@journal_app.command("add")
def journal_add(
    ctx: typer.Context,
    day: str | None = typer.Option(None, "--day", metavar="YYYY-MM-DD",
                                   help="Day of the entry (default: today, or the run's day)."),
    run: int | None = typer.Option(None, "--run", metavar="ID",
                                   help="Link to this stored run (default: that day's run)."),
    before: int | None = typer.Option(None, "--before", help="Pain before running, 0-10."),
    during: int | None = typer.Option(None, "--during", help="Pain during running, 0-10."),
    after: int | None = typer.Option(None, "--after", help="Pain after running, 0-10."),
    onset_km: float | None = typer.Option(None, "--onset-km",
                                          help="Distance into the run when pain began, km."),
    where: list[str] | None = typer.Option(
        None, "--where", help="Where it hurt: a location id (repeat or comma-separate)."),
    swelling: str | None = typer.Option(None, "--swelling", help="none, mild or marked."),
    note: str | None = typer.Option(None, "--note", help="A free note."),
    output: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json."),
) -> None:
    """Add a journal entry, by flags or (with none) by answering questions."""
    from kneeguard.journal import findings, parse_entry
    from kneeguard.storage.journal import add_entry, list_entries, run_day

    today = date.today()
    given = {"pain_before": before, "pain_during": during, "pain_after": after,
             "pain_onset_km": onset_km, "swelling": swelling, "note": note,
             "locations": [p for w in where for p in w.split(",") if p.strip()] if where
             else None}
    db = state(ctx).database()
    with db.session() as session:
        if day is None and run is not None:
            day = run_day(session, run).isoformat()
    if all(v is None for v in given.values()):
        data = _ask(today, day)
    else:
        data = {k: v for k, v in given.items() if v is not None}
        if day is not None:
            data["day"] = day
    if run is not None:
        data["run_id"] = run
    entry = parse_entry(data, today)
    with db.session() as session:
        stored = add_entry(session, entry)
        found = findings(list_entries(session, until=today), today)
    if output is OutputFormat.json:
        emit_json({"entry": stored.to_json(), "findings": [f.to_json() for f in found]})
        return
    console = stdout_console()
    linked = (f", linked to your {stored.run_km:.1f} km run" if stored.run_km is not None
              else "")
    console.print(f"Saved journal entry {stored.id} for {stored.day.isoformat()}{linked}.")
    _print_findings(console, found)


@journal_app.command("list")
def journal_list(
    ctx: typer.Context,
    since: str | None = typer.Option(None, "--since", metavar="YYYY-MM-DD",
                                     help="Only entries from this day on."),
    output: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json."),
) -> None:
    """List journal entries with what they show (trends, stop signs)."""
    from rich.table import Table
    from rich.text import Text

    from kneeguard.errors import InputError
    from kneeguard.journal import findings, journal_prefill
    from kneeguard.storage.journal import list_entries

    today = date.today()
    first: date | None = None
    if since is not None:
        try:
            first = date.fromisoformat(since)
        except ValueError:
            raise InputError(f"--since {since!r} is not a date like 2026-03-07",
                             field="since") from None
    with state(ctx).database().session() as session:
        everything = list_entries(session, until=today)
        shown = list_entries(session, since=first)
    found = findings(everything, today)
    if output is OutputFormat.json:
        emit_json({"entries": [e.to_json() for e in shown],
                   "findings": [f.to_json() for f in found],
                   "prefill": journal_prefill(everything, today)})
        return
    console = stdout_console()
    if not shown:
        console.print("No journal entries yet. Add one after a run: kneeguard journal add "
                      "(it asks), or kneeguard journal add --during 2 --onset-km 5.")
        return
    table = Table(title="Pain journal (ratings above 3/10 marked !)")
    for name in ("Id", "Day", "Run km", "Before", "During", "After", "Onset km", "Where",
                 "Swelling", "Note"):
        table.add_column(name)
    for entry in shown:
        table.add_row(*(Text(cell) for cell in _entry_line(entry)))  # notes are not markup
    console.print(table)
    _print_findings(console, found)
