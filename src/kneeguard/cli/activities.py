"""``kneeguard import``, ``kneeguard activities`` and ``kneeguard shoes``.

``import --format json`` and ``activities --format json`` print the documents
of shared/contracts/cli-json.md on stdout; the progress bar and messages go
to stderr.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from kneeguard.cli import app
from kneeguard.cli.common import OutputFormat, emit_json, state, stderr_console, stdout_console

if TYPE_CHECKING:
    from kneeguard.activities import ImportSummary

SPORT_CHOICES = ("running", "trail_running", "treadmill_running", "cycling", "swimming",
                 "walking", "hiking", "other")
EMPTY = ("No activities stored yet. Import your watch history: kneeguard import PATH... "
         "(FIT, GPX or TCX files, folders, or a Strava or Garmin export zip).")

shoes_app = typer.Typer(help="Running shoes and the distance run in them.",
                        invoke_without_command=True)
app.add_typer(shoes_app, name="shoes")


@app.command("import")
def import_command(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., metavar="PATH...",
                                       help="Files, folders or export archives (zip)."),
    dry_run: bool = typer.Option(False, "--dry-run",
                                 help="Read everything and report, but store nothing."),
    output: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json."),
) -> None:
    """Import FIT, GPX and TCX files, folders and Strava/Garmin export archives."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    from kneeguard.activities import Limits
    from kneeguard.errors import InputError
    from kneeguard.storage.activities import import_activities

    for path in paths:
        if not path.exists():
            raise InputError(f"{path} does not exist", field="PATH")
    st = state(ctx)
    settings = st.settings
    db = st.database()
    err = stderr_console()
    # Files done of all, then MB (the bar, rate and time left go by bytes read).
    columns = (TextColumn("Importing"), TextColumn("{task.fields[files]}"), BarColumn(),
               DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("import", total=None, files="")

        def report(p: Any) -> None:
            bar.update(task, total=p.bytes_total, completed=p.bytes_done,
                       files=f"{p.files_done}/{p.files_total} files")

        try:
            summary = import_activities(db, paths, limits=Limits.from_settings(settings),
                                        workers=settings.import_workers, progress=report,
                                        dry_run=dry_run)
        except KeyboardInterrupt:
            bar.stop()
            if not dry_run:
                err.print("Import stopped: every file stored so far is whole; run the same "
                          "command again to import the rest.", markup=False)
            raise
    if output is OutputFormat.json:
        emit_json(summary.to_json())
        return
    _print_summary(summary)


def _print_summary(summary: ImportSummary) -> None:
    from rich.table import Table

    out = stdout_console()
    title = "Dry run: nothing was stored" if summary.dry_run else "Import finished"
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("new activities", str(summary.imported))
    table.add_row("duplicates (already stored or the same run twice)", str(summary.duplicates))
    table.add_row("incomplete (salvaged from damaged files)", str(summary.incomplete))
    table.add_row("skipped files", str(len(summary.skipped)))
    out.print(table)
    if summary.skipped:
        by_reason = Counter(s.reason for s in summary.skipped)
        out.print("Skipped:")
        shown = 0
        for s in summary.skipped:
            if by_reason[s.reason] > 3:
                continue
            out.print(f"  {s.file}: {s.reason}", markup=False)
            shown += 1
        for reason, count in by_reason.items():
            if count > 3:
                out.print(f"  {count} files: {reason}", markup=False)
    if summary.warnings:
        out.print("Read, but doubtful:")
        for w in summary.warnings:
            out.print(f"  {w.file}: {w.reason}", markup=False)
    if summary.imported == 0 and summary.duplicates and not summary.skipped:
        out.print("Everything was already stored; nothing new added.")


def _day(value: str | None, option: str) -> datetime | None:
    from kneeguard.errors import InputError

    if value is None:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
    except ValueError:
        raise InputError(f"{option} must be a date like 2026-03-01, not {value!r}",
                         field=option) from None


def _format_duration(seconds: float) -> str:
    seconds = round(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _pace(distance_m: float, timer_s: float, sport: str) -> str:
    if distance_m <= 0 or timer_s <= 0:
        return ""
    if sport in ("cycling",):
        return f"{distance_m / timer_s * 3.6:.1f} km/h"
    per_km = timer_s / (distance_m / 1000.0)
    return f"{int(per_km // 60)}:{int(per_km % 60):02d} /km"


@app.command("activities")
def activities_command(
    ctx: typer.Context,
    since: str | None = typer.Option(None, "--since", metavar="DATE",
                                     help="Only activities on or after this day (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", metavar="DATE",
                                     help="Only activities on or before this day (YYYY-MM-DD)."),
    sport: list[str] = typer.Option([], "--sport", metavar="SPORT",
                                    help="Only this sport (repeatable): "
                                    + ", ".join(SPORT_CHOICES) + "."),
    output: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json."),
) -> None:
    """List the stored activities, oldest first."""
    from kneeguard.errors import InputError
    from kneeguard.storage.activities import list_activities

    for s in sport:
        if s not in SPORT_CHOICES:
            raise InputError(f"--sport must be one of {', '.join(SPORT_CHOICES)}, not {s!r}",
                             field="--sport")
    start = _day(since, "--since")
    end = _day(until, "--until")
    if start is not None:
        start -= timedelta(hours=14)  # a local day can begin up to 14 h before UTC's
    if end is not None:
        end += timedelta(days=1, hours=14)
    with state(ctx).database().session() as session:
        rows = list_activities(session, since=start, until=end, sports=sport or None)
    # Filter on the local calendar day, as the runner sees it.
    first = date.fromisoformat(since) if since else None
    last = date.fromisoformat(until) if until else None
    rows = [r for r in rows
            if (first is None or (r.start_utc + timedelta(seconds=r.utc_offset_s)).date() >= first)
            and (last is None or (r.start_utc + timedelta(seconds=r.utc_offset_s)).date() <= last)]
    if output is OutputFormat.json:
        emit_json([r.to_json() for r in rows])
        return
    out = stdout_console()
    if not rows:
        with state(ctx).database().session() as session:
            from kneeguard.storage.activities import count_activities

            total = count_activities(session)
        out.print(EMPTY if total == 0 else "No activities match these filters.")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(rows)} activities")
    for name, justify in (("id", "right"), ("date", "left"), ("sport", "left"),
                          ("km", "right"), ("time", "right"), ("pace", "right"),
                          ("HR", "right"), ("shoes", "left"), ("note", "left")):
        table.add_column(name, justify=justify, no_wrap=name in ("date", "pace", "time"))  # type: ignore[arg-type]
    total_km = 0.0
    for r in rows:
        local = r.start_utc + timedelta(seconds=r.utc_offset_s)
        total_km += r.distance_m / 1000.0
        note = "incomplete" if r.incomplete else ""
        if len(r.sources) > 1:
            note = (note + " " if note else "") + f"{len(r.sources)} files"
        table.add_row(str(r.id), local.strftime("%Y-%m-%d %H:%M"), r.sport.replace("_", " "),
                      f"{r.distance_m / 1000:.2f}", _format_duration(r.timer_s),
                      _pace(r.distance_m, r.timer_s, r.sport),
                      f"{r.avg_hr:.0f}" if r.avg_hr else "", escape(r.shoe or ""), note)
    out.print(table)
    out.print(f"Total: {total_km:.1f} km")


@shoes_app.callback()
def shoes_command(
    ctx: typer.Context,
    output: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json."),
) -> None:
    """List shoes with the distance run in them (subcommands: add, retire)."""
    if ctx.invoked_subcommand is not None:
        return
    from kneeguard.storage.activities import list_shoes

    with state(ctx).database().session() as session:
        shoes = list_shoes(session)
    if output is OutputFormat.json:
        emit_json([s.to_json() for s in shoes])
        return
    out = stdout_console()
    if not shoes:
        out.print("No shoes yet. Shoes come from a Strava export's gear column, or add a pair: "
                  "kneeguard shoes add NAME --since 2026-01-01")
        return
    from rich.markup import escape
    from rich.table import Table

    limit_default = float(state(ctx).settings.shoe_limit_km)
    table = Table(title="Shoes")
    for name, justify in (("name", "left"), ("km", "right"), ("runs", "right"),
                          ("in use since", "left"), ("last run", "left"), ("status", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for s in shoes:
        limit = s.limit_km or limit_default
        status = "retired" if s.retired_at else (
            f"past {limit:.0f} km: think about a new pair" if s.distance_km >= limit else "")
        table.add_row(escape(s.name + (f" ({s.brand})" if s.brand else "")),
                      f"{s.distance_km:.0f}",
                      str(s.runs), s.added_at.date().isoformat() if s.added_at else "",
                      s.last_run.date().isoformat() if s.last_run else "", status)
    out.print(table)


@shoes_app.command("add")
def shoes_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., metavar="NAME", help="A name you will recognise."),
    brand: str | None = typer.Option(None, "--brand", help="Brand and model."),
    start_km: float = typer.Option(0.0, "--start-km", min=0.0,
                                   help="Distance already run in them before any import."),
    limit_km: float | None = typer.Option(None, "--limit-km", min=1.0,
                                          help="Your own replacement distance for this pair."),
    since: str | None = typer.Option(None, "--since", metavar="DATE",
                                     help="In use since this day: runs from then on without "
                                     "shoes are counted for this pair."),
) -> None:
    """Add a pair of shoes that no export names."""
    from kneeguard.storage.activities import add_shoe

    with state(ctx).database().session() as session:
        shoe = add_shoe(session, name, brand=brand, start_km=start_km, limit_km=limit_km,
                        since=_day(since, "--since"))
    stdout_console().print(f"Added {shoe.name}: {shoe.distance_km:.0f} km so far "
                           f"({shoe.runs} runs linked).", markup=False)


@shoes_app.command("retire")
def shoes_retire(
    ctx: typer.Context,
    name: str = typer.Argument(..., metavar="NAME"),
    on: str | None = typer.Option(None, "--on", metavar="DATE",
                                  help="Retired on this day (default: today)."),
) -> None:
    """Retire a pair of shoes: later runs are no longer counted for it."""
    from kneeguard.storage.activities import retire_shoe

    with state(ctx).database().session() as session:
        shoe = retire_shoe(session, name, _day(on, "--on"))
    stdout_console().print(f"Retired {shoe.name} after {shoe.distance_km:.0f} km.", markup=False)
