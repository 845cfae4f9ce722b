"""``kneeguard settings``: the values in effect and where each came from."""

from __future__ import annotations

import typer

from kneeguard.cli import app
from kneeguard.cli.common import OutputFormat, emit_json, state


@app.command("settings")
def settings_command(
    ctx: typer.Context,
    output: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json."),
) -> None:
    """Show every setting, its value and its source (flag, environment, config file, default)."""
    from dataclasses import asdict

    from kneeguard.settings import SETTINGS, resolve_settings

    settings, origin = resolve_settings({"db": state(ctx).db})
    values = asdict(settings)
    if values["access_token"]:
        values["access_token"] = "(set)"
    if output is OutputFormat.json:
        emit_json({"settings": {s.name: {"value": values[s.name], "source": origin[s.name]}
                                for s in SETTINGS},
                   "database": settings.db_url})
        return
    from rich.table import Table

    from kneeguard.cli.common import stdout_console

    table = Table(title="kneeguard settings")
    for column in ("setting", "value", "from", "environment variable"):
        table.add_column(column)
    for s in SETTINGS:
        table.add_row(s.name, repr(values[s.name]), origin[s.name], s.env_var)
    console = stdout_console()
    console.print(table)
    console.print(f"Database in use: {settings.db_url}")


kb_app = typer.Typer(help="The knowledge base: check it after an edit.", no_args_is_help=True,
                     rich_markup_mode=None)
app.add_typer(kb_app, name="kb")


@kb_app.command("check")
def kb_check(
    path: str | None = typer.Option(None, "--path", metavar="DIR",
                                    help="A copy of the knowledge-base files to check "
                                    "(default: the shipped one)."),
) -> None:
    """Load, validate and cross-check the knowledge-base files; print version and counts."""
    from kneeguard.knowledge import load_kb

    kb = load_kb(path)
    typer.echo(f"knowledge base {kb.version} ({kb.released}) is valid: "
               f"{len(kb.conditions)} conditions, {len(kb.findings)} findings, "
               f"{len(kb.red_flags)} red flags, {len(kb.floors)} triage floors, "
               f"{len(kb.sources)} sources; fingerprint {kb.fingerprint[:16]}")
