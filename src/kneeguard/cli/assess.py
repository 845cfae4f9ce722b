"""``kneeguard assess`` (file or terminal wizard) and ``kneeguard history``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from kneeguard.cli import app
from kneeguard.cli.common import OutputFormat, emit_json, read_json_argument, state

if TYPE_CHECKING:
    from rich.console import Console

    from kneeguard.storage.assessments import StoredAssessment

LEVEL_STYLE = {
    "emergency": "bold white on red",
    "urgent": "bold black on dark_orange",
    "see_clinician": "bold black on yellow",
    "self_care": "bold white on dark_green",
}
RUNNING_STYLE = {"stop": "bold red", "reduce": "bold yellow", "continue": "bold green"}


@app.command("assess")
def assess_command(
    ctx: typer.Context,
    answers: str | None = typer.Option(
        None, "--answers", metavar="FILE|-",
        help="Answers document (kneeguard.answers/1) to assess; '-' reads standard input. "
        "Without it, an interactive wizard asks the questions."),
    output: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json."),
    save: bool = typer.Option(True, "--save/--no-save", help="Store the assessment (default)."),
    prefill: bool = typer.Option(
        True, "--prefill/--no-prefill",
        help="Wizard only: pre-fill the training story from the imported history."),
) -> None:
    """Assess knee pain: what fits best, how urgent it is, and whether to keep running."""
    from kneeguard.assessment import answers_document, assess, parse_answers

    st = state(ctx)
    if answers is not None:
        document = read_json_argument(answers, "answers")
        parsed = parse_answers(document)
    else:
        from kneeguard.cli.wizard import run_wizard

        known = _prefill(st) if prefill else {}
        parsed = run_wizard(known)
        document = answers_document(parsed)
    result = assess(answers_document(parsed))
    stored_id = None
    if save:
        from kneeguard.storage.assessments import save_assessment

        with st.database().session() as session:
            stored_id = save_assessment(session, document, result).id
    if output is OutputFormat.json:
        emit_json(result)
        return
    from kneeguard.cli.common import stdout_console

    print_result(stdout_console(), result, stored_id)


def _prefill(st: Any) -> dict[str, Any]:
    """Training story and journal findings known from the stored history."""
    from kneeguard.storage.training import assessment_prefill

    with st.database().session() as session:
        return dict(assessment_prefill(session))


def print_result(console: Console, result: dict[str, Any], stored_id: int | None = None) -> None:
    """The text form of a result: triage first, then conditions, advice, avoid, notice."""
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    triage = result["triage"]
    level = triage["level"]
    banner = Text(f" {triage.get('label', level).upper()} ", style=LEVEL_STYLE[level])
    banner.append(f"  {triage.get('now', '')}", style="bold")
    console.print(banner)
    for reason in triage["reasons"]:
        console.print(f"  - {escape(reason)}")
    running = result["running"]
    console.print()
    console.print(Text("Running: ", style="bold").append(
        running.get("label", running["advice"]), style=RUNNING_STYLE[running["advice"]]))
    for reason in running["reasons"]:
        console.print(f"  - {escape(reason)}")
    if result["red_flags"]:
        explained = result.get("explanation", {}).get("red_flags", [])
        names = [f["name"] for f in explained] or result["red_flags"]
        console.print()
        console.print("[bold red]Warning signs:[/] " + escape("; ".join(names)))
    console.print()
    console.print("[bold]What fits best[/]")
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(justify="right")
    table.add_column()
    table.add_column(justify="right")
    table.add_column()
    for i, condition in enumerate(result["conditions"][:4], start=1):
        p = condition["probability"]
        bar = "█" * max(1, round(p * 20)) if p >= 0.005 else ""
        table.add_row(f"{i}.", escape(condition["name"]), f"{p:.0%}", bar)
    console.print(table)
    top = result["conditions"][0]
    if top["evidence_for"]:
        console.print("  [green]Fits:[/] " + escape("; ".join(top["evidence_for"])))
    if top["evidence_against"]:
        console.print("  [yellow]Does not fit:[/] " + escape("; ".join(top["evidence_against"])))

    if result["advice"]:
        console.print()
        console.print("[bold]What to do[/]")
        for item in result["advice"]:
            console.print(f"  - {escape(item)}")
    if result["avoid"]:
        console.print()
        console.print("[bold]Avoid[/]")
        for item in result["avoid"]:
            console.print(f"  - {escape(item)}")
    console.print()
    footer = f"Knowledge base {result['knowledge_base_version']}"
    if stored_id is not None:
        footer += f" · saved as assessment {stored_id} (kneeguard history show {stored_id})"
    console.print(f"[dim]{escape(footer)}[/]")
    console.print(f"[italic]{escape(result.get('notice') or _NOTICE)}[/]")


_NOTICE = "kneeguard is a decision aid, not a diagnosis."

history_app = typer.Typer(help="Past assessments, newest first.", no_args_is_help=False,
                          rich_markup_mode=None)
app.add_typer(history_app, name="history")


def _history_row(item: StoredAssessment) -> dict[str, Any]:
    top = item.result["conditions"][0]
    return {
        "id": item.id,
        "created_utc": item.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "triage": item.triage_level,
        "running": item.running_advice,
        "top_condition": item.top_condition,
        "top_probability": top["probability"],
        "knowledge_base_version": item.kb_version,
    }


@history_app.callback(invoke_without_command=True)
def history_list(
    ctx: typer.Context,
    limit: int = typer.Option(20, "--limit", min=1, help="How many to show."),
    output: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json."),
) -> None:
    """List past assessments, newest first (see `kneeguard history show ID`)."""
    if ctx.invoked_subcommand is not None:
        return
    from kneeguard.storage.assessments import list_assessments

    with state(ctx).database().session() as session:
        items = list_assessments(session, limit=limit)
    if output is OutputFormat.json:
        emit_json([_history_row(i) for i in items])
        return
    from rich.table import Table

    from kneeguard.cli.common import stdout_console

    console = stdout_console()
    if not items:
        console.print("No assessments yet. Run [bold]kneeguard assess[/] to make one.")
        return
    table = Table(title="Past assessments (newest first)")
    for column in ("id", "date (UTC)", "triage", "running", "most likely", "KB"):
        table.add_column(column)
    from kneeguard.knowledge import load_kb

    kb = load_kb()
    for item in items:
        row = _history_row(item)
        table.add_row(str(item.id), item.created_at.strftime("%Y-%m-%d %H:%M"),
                      kb.triage_labels.get(item.triage_level, item.triage_level),
                      item.running_advice,
                      f"{kb.condition(item.top_condition).short_name} "
                      f"({row['top_probability']:.0%})", item.kb_version)
    console.print(table)


@history_app.command("show")
def history_show(
    ctx: typer.Context,
    assessment_id: int = typer.Argument(..., metavar="ID", help="Assessment id."),
    output: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json."),
) -> None:
    """Show one past assessment: its result and the answers it was made from."""
    from kneeguard.storage.assessments import get_assessment

    with state(ctx).database().session() as session:
        item = get_assessment(session, assessment_id)
    if output is OutputFormat.json:
        emit_json({**_history_row(item), "answers": item.answers, "result": item.result})
        return
    from kneeguard.cli.common import stdout_console

    console = stdout_console()
    console.print(f"[bold]Assessment {item.id}[/] of {item.created_at:%Y-%m-%d %H:%M} UTC")
    print_result(console, item.result)
