"""``kneeguard survey, scores, instruments, export and restore``.

``survey score ID --answers FILE`` scores without storing (shared/contracts/cli-json.md);
``survey ID`` asks one item at a time and stores the response; ``survey ID --answers
FILE`` stores a filled-in form without asking. ``scores`` shows each score over time
with MCID-aware change labels; ``instruments`` lists the questionnaires (with the ones
the latest assessment suggests) and ``instruments import`` loads a clinic's licensed
KOOS wording. ``export`` writes the full backup (--json) and/or the FHIR bundle
(--fhir); ``restore`` reads a backup into an empty database.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import typer

from kneeguard.cli import app
from kneeguard.cli.common import OutputFormat, emit_json, read_json_argument, state

if TYPE_CHECKING:
    from kneeguard.questionnaires import Instrument, Item
    from kneeguard.storage import Database

MAX_TEXT_FILE_BYTES = 1_000_000


def _parse_when(value: str | None) -> datetime | None:
    from kneeguard.errors import InputError

    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"--when {value!r} is not an ISO date or date and time "
                         "(e.g. 2026-03-01 or 2026-03-01T18:30)", field="when") from None
    return when.astimezone(UTC)  # a naive value is the computer's local time


def _instrument_for_form(db: Database, instrument_id: str) -> tuple[Instrument, str | None]:
    """The instrument with its wording (imported for the licensed ones) and the text hash."""
    from kneeguard.errors import NotFound
    from kneeguard.questionnaires import LICENSED_TEXT_HELP, apply_text, check_text
    from kneeguard.questionnaires import load_instrument as load
    from kneeguard.storage.questionnaires import get_instrument_text

    instrument = load(instrument_id)
    if not instrument.licensed:
        return instrument, None
    with db.session() as session:
        stored = get_instrument_text(session, instrument_id)
    if stored is None:
        raise NotFound(LICENSED_TEXT_HELP.format(name=instrument.name, id=instrument.id))
    text = check_text(stored.content, instrument, "stored wording")
    return apply_text(instrument, text), stored.content_hash


# --- the interactive form -------------------------------------------------------------


def _choices(item: Item) -> dict[str, int | str]:
    """What a person types for each option: the value itself on 0..n scales and for
    letter branches, else the option's letter code, else its position."""
    values = item.values
    if all(isinstance(v, str) for v in values):
        return {str(v).lower(): v for v in values}
    ints = sorted(int(v) for v in values)
    if ints == list(range(len(ints))):
        return {str(v): v for v in values}
    if all(o.code for o in item.options):
        return {str(o.code).lower(): o.value for o in item.options}
    return {str(n): o.value for n, o in enumerate(item.options, start=1)}


def _show_item(echo: Any, item: Item, position: int, count: int) -> dict[str, int | str]:
    choices = _choices(item)
    number = f"{item.number}. " if item.number is not None else ""
    echo(f"\n[{position}/{count}] {number}{item.text}")
    keys = list(choices)
    scale = item.type in ("scale_0_10", "integer_0_10")
    for key, option in zip(keys, item.options, strict=True):
        if scale and option.label == str(option.value):
            continue  # the numbered middle of a 0-10 scale needs no label
        echo(f"   {key}) {option.label}")
    return choices


def _ask(echo: Any, prompt_err: bool, choices: dict[str, int | str]) -> int | str | None:
    keys = list(choices)
    hint = f"{keys[0]}-{keys[-1]}" if len(keys) > 5 else "/".join(keys)
    while True:
        raw = typer.prompt(f"   answer ({hint}; Enter skips, q quits)", default="",
                           show_default=False, err=prompt_err).strip().lower()
        if raw == "":
            return None
        if raw == "q":
            echo("Stopped; nothing was saved.")
            raise typer.Exit(1)
        if raw in choices:
            return choices[raw]
        echo(f"   Please type one of {', '.join(keys)}.")


def _run_form(instrument: Instrument, echo: Any, prompt_err: bool) -> dict[str, int | str]:
    echo(f"{instrument.name}\n{instrument.version}")
    echo(f"Source: {instrument.attribution or instrument.citation}")
    if instrument.attribution:
        echo(f"Citation: {instrument.citation}")
    if instrument.licensed:
        echo("Wording: licensed text imported by the clinic (Mapi Research Trust).")
    if instrument.recall_period:
        echo(f"Recall period: {instrument.recall_period}")
    for line in instrument.instructions:
        echo(line)
    answers: dict[str, int | str] = {}
    shown = [i for i in instrument.items]
    for position, item in enumerate(shown, start=1):
        if any(answers.get(c) is None or str(answers[c]) != v for c, v in item.enable_when):
            continue  # a branch item its branch question did not select
        choices = _show_item(echo, item, position, len(shown))
        value = _ask(echo, prompt_err, choices)
        if value is not None:
            answers[item.id] = value
    return answers


# --- survey ---------------------------------------------------------------------------


def _show_result(echo: Any, instrument: Instrument, result: dict[str, Any],
                 changes: dict[str, Any]) -> None:
    """The scores, each with its MCID-aware change since the previous response."""
    from kneeguard.questionnaires import format_score

    echo(f"\n{instrument.name}")
    for key, value in result["scores"].items():
        line = f"  {key}: {format_score(instrument, value)}"
        change = changes.get(key)
        if change is not None:
            band = "no MCID" if change.mcid is None else f"MCID {change.mcid:g}"
            line += f"   since last time: {change.describe()} ({band})"
        echo(line)
    if result["missing"]:
        echo(f"  unanswered: {', '.join(result['missing'])}")
    for note in result["notes"]:
        echo(f"  note: {note}")


def _mcid_override(instrument_id: str, ctx: typer.Context) -> float | None:
    return state(ctx).settings.koos_mcid if instrument_id == "koos" else None


@app.command("survey")
def survey(
    ctx: typer.Context,
    words: list[str] = typer.Argument(
        None, metavar="[score] INSTRUMENT",
        help="An instrument id (see `kneeguard instruments`); `score ID` scores without "
        "storing."),
    answers: str | None = typer.Option(
        None, "--answers", metavar="FILE|-",
        help="A JSON object mapping item ids to the chosen option's value."),
    output: OutputFormat = typer.Option(OutputFormat.text, "--format"),
    when: str | None = typer.Option(
        None, "--when", metavar="DATETIME",
        help="When the form was filled in (ISO; default now), for paper forms."),
) -> None:
    """Fill in a questionnaire (one item at a time), or score a filled-in one."""
    from kneeguard.errors import InputError
    from kneeguard.questionnaires import load_instrument, score

    words = list(words or [])
    json_mode = output is OutputFormat.json

    def echo(text: str) -> None:
        typer.echo(text, err=json_mode)

    if not words:
        _print_suggestions(ctx, echo)
        return
    if words[0] == "score":
        if len(words) != 2 or answers is None:
            raise InputError("usage: kneeguard survey score INSTRUMENT --answers FILE|-")
        instrument = load_instrument(words[1])
        result = score(instrument, read_json_argument(answers, "answers")).to_json()
        if json_mode:
            emit_json(result)
        else:
            _show_result(echo, instrument, result, {})
        return
    if len(words) != 1:
        raise InputError(f"expected one instrument id, got {' '.join(words)}")

    from kneeguard.storage.questionnaires import list_responses, save_response

    answered_at = _parse_when(when)
    db = state(ctx).database()
    if answers is not None:
        instrument = load_instrument(words[0])
        raw = read_json_argument(answers, "answers")
        text_hash = None
    else:
        instrument, text_hash = _instrument_for_form(db, words[0])
        raw = _run_form(instrument, echo, json_mode)
    from kneeguard.questionnaires import check_answers

    clean = check_answers(instrument, raw)
    result = score(instrument, clean).to_json()
    with db.session() as session:
        stored = save_response(session, instrument.id, dict(clean), result,
                               instrument.content_hash, text_hash, answered_at)
        history = list_responses(session, instrument.id)
    if json_mode:
        emit_json({**result, "id": stored.id,
                   "answered_at": stored.answered_at.isoformat().replace("+00:00", "Z")})
        return
    from kneeguard.questionnaires import ScoredResponse, score_history

    rows = score_history(instrument, [ScoredResponse(r.id, r.answered_at, r.scores)
                                      for r in history], _mcid_override(instrument.id, ctx))
    changes = {r.score: r.since_previous for r in rows if r.response_id == stored.id}
    _show_result(echo, instrument, result, changes)
    echo(f"\nSaved as response {stored.id}.")


def _print_suggestions(ctx: typer.Context, echo: Any) -> None:
    echo("Usage: kneeguard survey INSTRUMENT   (see `kneeguard instruments`)")
    echo("Suggested for you:")
    for suggestion in _suggestions(ctx):
        echo(f"  {suggestion.instrument_id}: {suggestion.reason}")


def _suggestions(ctx: typer.Context) -> list[Any]:
    from kneeguard.questionnaires import suggest_instruments
    from kneeguard.storage.assessments import latest_assessment
    from kneeguard.storage.questionnaires import list_instrument_texts

    with state(ctx).database().session() as session:
        latest = latest_assessment(session)
        licensed = {t.instrument_id for t in list_instrument_texts(session)}
    return suggest_instruments(None if latest is None else latest.result, licensed)


# --- scores ---------------------------------------------------------------------------


def _change_json(change: Any) -> dict[str, Any] | None:
    if change is None:
        return None
    return {"delta": change.delta, "label": change.label, "mcid": change.mcid}


@app.command("scores")
def scores(
    ctx: typer.Context,
    instrument_id: str | None = typer.Option(None, "--instrument", metavar="ID",
                                             help="Only this instrument."),
    output: OutputFormat = typer.Option(OutputFormat.text, "--format"),
) -> None:
    """Questionnaire scores over time; changes count only beyond the MCID."""
    from kneeguard.questionnaires import (
        ScoredResponse,
        format_score,
        load_instrument,
        load_instruments,
        mcid_value,
        score_history,
    )
    from kneeguard.storage.questionnaires import list_responses

    instruments = ([load_instrument(instrument_id)] if instrument_id
                   else list(load_instruments()))
    with state(ctx).database().session() as session:
        responses = list_responses(session, instrument_id)
    report: list[dict[str, Any]] = []
    for instrument in instruments:
        mine = [ScoredResponse(r.id, r.answered_at, r.scores) for r in responses
                if r.instrument_id == instrument.id]
        if not mine:
            continue
        override = _mcid_override(instrument.id, ctx)
        rows = score_history(instrument, mine, override)
        report.append({
            "instrument": instrument.id, "name": instrument.name,
            "direction": instrument.direction,
            "mcid": mcid_value(instrument, override),
            "history": [{
                "response_id": r.response_id,
                "answered_at": r.answered_at.isoformat().replace("+00:00", "Z"),
                "score": r.score, "value": r.value,
                "since_previous": _change_json(r.since_previous),
                "since_baseline": _change_json(r.since_baseline),
            } for r in rows],
            "_rows": rows, "_instrument": instrument,
        })
    if output is OutputFormat.json:
        emit_json({"instruments": [{k: v for k, v in block.items() if not k.startswith("_")}
                                   for block in report]})
        return
    if not report:
        typer.echo("No questionnaire responses yet; start one with `kneeguard survey`.")
        return
    from rich.table import Table

    from kneeguard.cli.common import stdout_console

    console = stdout_console()
    for block in report:
        instrument = block["_instrument"]
        mcid = block["mcid"]
        better = "higher" if instrument.direction == "higher_is_better" else "lower"
        band = f"MCID {mcid:g}" if mcid is not None else "no published MCID"
        table = Table(title=f"{instrument.name} ({band}; {better} is better)")
        table.add_column("date", no_wrap=True)
        table.add_column("score", no_wrap=True)
        for column in ("value", "since previous", "since first"):
            table.add_column(column)
        for row in block["_rows"]:
            table.add_row(
                row.answered_at.astimezone().strftime("%Y-%m-%d"), row.score,
                format_score(instrument, row.value),
                row.since_previous.describe() if row.since_previous else "",
                row.since_baseline.describe() if row.since_baseline else "")
        console.print(table)


# --- instruments ----------------------------------------------------------------------

instruments_app = typer.Typer(
    invoke_without_command=True, no_args_is_help=False,
    help="List the questionnaires, or import a clinic's licensed KOOS wording.")
app.add_typer(instruments_app, name="instruments")


@instruments_app.callback()
def instruments(
    ctx: typer.Context,
    output: OutputFormat = typer.Option(OutputFormat.text, "--format"),
) -> None:
    """List the questionnaires kneeguard scores (suggested ones marked)."""
    if ctx.invoked_subcommand is not None:
        return
    from kneeguard.questionnaires import load_instruments
    from kneeguard.storage.questionnaires import list_instrument_texts

    with state(ctx).database().session() as session:
        texts = {t.instrument_id: t for t in list_instrument_texts(session)}
    suggested = {s.instrument_id: s.reason for s in _suggestions(ctx)}
    rows = []
    for instrument in load_instruments():
        wording = ("shipped" if not instrument.licensed
                   else "imported" if instrument.id in texts else "not imported (licensed)")
        mcid = instrument.mcid
        rows.append({
            "id": instrument.id, "name": instrument.name, "items": len(instrument.items),
            "scores": list(instrument.score_keys), "direction": instrument.direction,
            "mcid": None if mcid is None else mcid.value, "wording": wording,
            "citation": instrument.citation, "suggested": suggested.get(instrument.id),
        })
    if output is OutputFormat.json:
        emit_json(rows)
        return
    from rich.table import Table

    from kneeguard.cli.common import stdout_console

    table = Table(title="Questionnaires")
    for column in ("id", "name", "items", "MCID", "wording", "suggested"):
        table.add_column(column)
    for row in rows:
        mcid_text = "-" if row["mcid"] is None else f"{row['mcid']:g}"
        table.add_row(str(row["id"]), str(row["name"]), str(row["items"]), mcid_text,
                      str(row["wording"]), str(row["suggested"] or ""))
    stdout_console().print(table)


@instruments_app.command("import")
def instruments_import(
    ctx: typer.Context,
    file: str = typer.Argument(..., metavar="FILE|-",
                               help="The clinic's licensed wording (docs/questionnaires.md)."),
) -> None:
    """Load a clinic's licensed KOOS/KOOS-PF/KOOS-12 wording into this database."""
    from kneeguard.errors import QuestionnaireError
    from kneeguard.questionnaires import check_text, load_instrument
    from kneeguard.storage.questionnaires import save_instrument_text

    if file != "-" and os.path.isfile(file) and os.path.getsize(file) > MAX_TEXT_FILE_BYTES:
        raise QuestionnaireError(f"{file} is larger than {MAX_TEXT_FILE_BYTES // 1000} kB; "
                                 "an instrument's wording is far smaller")
    doc = read_json_argument(file, "instrument text")
    instrument_id = doc.get("instrument") if isinstance(doc, dict) else None
    if not isinstance(instrument_id, str):
        raise QuestionnaireError(f"{file}: instrument must name the instrument id "
                                 "(koos, koos_pf or koos_12)", field="instrument")
    text = check_text(doc, load_instrument(instrument_id), file)
    with state(ctx).database().session() as session:
        replaced = save_instrument_text(session, text.instrument, text.language, text.source,
                                        text.document, text.content_hash)
    items = len(text.document["items"])
    typer.echo(f"Imported the {instrument_id} wording ({text.language}, {items} items)"
               + ("; it replaces the earlier one." if replaced else "."))


# --- export and restore ---------------------------------------------------------------


@app.command("export")
def export(
    ctx: typer.Context,
    json_file: str | None = typer.Option(None, "--json", metavar="FILE",
                                         help="Full backup of the database (docs/backup.md)."),
    fhir_file: str | None = typer.Option(None, "--fhir", metavar="FILE",
                                         help="FHIR R4 Bundle for a clinic system "
                                         "(docs/fhir.md)."),
    pseudonym: str | None = typer.Option(
        None, "--pseudonym", metavar="TEXT",
        help="Identifier of the runner in the FHIR bundle (default: a new random one)."),
) -> None:
    """Write a full backup (--json) and/or a FHIR R4 bundle (--fhir)."""
    from kneeguard.errors import InputError

    if json_file is None and fhir_file is None:
        raise InputError("say what to export: --json FILE (backup) and/or --fhir FILE")
    db = state(ctx).database()
    if json_file is not None:
        from kneeguard.settings import config_file_values
        from kneeguard.storage.backup import export_backup, write_json_file

        document = export_backup(db, config_file_values())
        write_json_file(document, json_file)
        counts = ", ".join(f"{len(t['rows'])} {name}" for name, t in
                           document["tables"].items() if t["rows"])
        typer.echo(f"Backup written to {json_file} ({counts or 'empty database'}).", err=True)
    if fhir_file is not None:
        import secrets

        from kneeguard.report.fhir import build_bundle, collect
        from kneeguard.storage.backup import write_json_file

        bundle = build_bundle(collect(db, pseudonym or f"kg-{secrets.token_hex(8)}"))
        write_json_file(bundle, fhir_file)
        typer.echo(f"FHIR bundle written to {fhir_file} ({len(bundle['entry'])} resources).",
                   err=True)


@app.command("restore")
def restore(
    ctx: typer.Context,
    file: str = typer.Argument(..., metavar="FILE|-", help="A backup from `kneeguard export "
                               "--json`."),
) -> None:
    """Read a backup into an EMPTY database (all or nothing)."""
    from kneeguard.settings import config_file_path, config_file_values, write_config_file
    from kneeguard.storage.backup import backup_settings, read_backup_file, restore_backup

    document = read_backup_file(file)
    counts = restore_backup(state(ctx).database(), document)
    total = sum(counts.values())
    typer.echo(f"Restored {total} rows from {file} into {state(ctx).database().url}.")
    settings = backup_settings(document)
    if settings:
        path = config_file_path()
        if not path.exists():
            write_config_file(path, settings)
            typer.echo(f"Wrote the backup's settings to {path}.")
        elif config_file_values(path) != settings:
            names = ", ".join(sorted(settings))
            typer.echo(f"The backup's settings ({names}) differ from {path}, which was left "
                       "as it is; see docs/backup.md.")
