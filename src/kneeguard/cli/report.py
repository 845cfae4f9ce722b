"""``kneeguard report``: the one- to two-page report for the physical therapist.

``kneeguard report --out FILE.pdf`` (or ``FILE.html``) writes the latest
assessment, the training story, the pain journal, questionnaire scores and the
plan; ``--format json`` prints ``{"out": path, "pages": N, "bytes": N}``
(``pages`` is null for HTML). See docs/report.md.
"""

from __future__ import annotations

import typer

from kneeguard.cli import app
from kneeguard.cli.common import OutputFormat, emit_json, state


@app.command("report")
def report_command(
    ctx: typer.Context,
    out: str = typer.Option(..., "--out", metavar="FILE",
                            help="Where to write the report: FILE.pdf or FILE.html."),
    weeks: int = typer.Option(26, "--weeks", min=4, max=104, metavar="N",
                              help="Weeks of training in the weekly distance chart."),
    output: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json."),
) -> None:
    """Write the report for the physical therapist (PDF or HTML, one to two pages)."""
    from kneeguard.report.data import report_data
    from kneeguard.report.render import write_report

    cli = state(ctx)
    with cli.database().session() as session:
        data = report_data(session, cli.settings, weeks=weeks)
    written = write_report(data, out)
    if output is OutputFormat.json:
        emit_json(written)
        return
    size = f"{written['bytes'] / 1024:.0f} KB"
    pages = written["pages"]
    what = f"{pages} page{'s' if pages != 1 else ''}, {size}" if pages else size
    typer.echo(f"Wrote the report to {written['out']} ({what}).")
