"""The ``kneeguard`` command-line app (Typer), thin glue over the packages.

One module per command family registers its commands on ``app``; each
command parses its options, calls one public function of a package and
prints the result. Heavy libraries are imported inside the commands so that
``kneeguard --help`` starts instantly.

Global option ``--db URL`` may stand before or after the command name
(shared/contracts/cli-json.md): :func:`main` moves it in front.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from kneeguard import __version__
from kneeguard.cli.common import CliState, KneeguardGroup

app = typer.Typer(
    cls=KneeguardGroup,
    name="kneeguard",
    help="kneeguard: knee pain after running - assess it, see what overloaded the knee, "
    "and plan a safe way back. A decision aid, not a diagnosis.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kneeguard {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None, "--db", metavar="URL",
        help="Database: an SQLAlchemy URL or a file path (SQLite). Env: KNEEGUARD_DB.",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    ctx.obj = CliState(db=db)


def hoist_global_options(args: Sequence[str]) -> list[str]:
    """Move ``--db URL`` / ``--db=URL`` in front of the command name (stops at ``--``)."""
    rest: list[str] = []
    hoisted: list[str] = []
    i = 0
    args = list(args)
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        if arg == "--db" and i + 1 < len(args):
            hoisted += [arg, args[i + 1]]
            i += 2
            continue
        if arg.startswith("--db="):
            hoisted.append(arg)
        else:
            rest.append(arg)
        i += 1
    return hoisted + rest


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    args = hoist_global_options(sys.argv[1:] if argv is None else argv)
    command = typer.main.get_command(app)
    try:
        command.main(args=args, prog_name="kneeguard")
    except KeyboardInterrupt:  # pragma: no cover - interactive
        typer.echo("Interrupted.", err=True)
        sys.exit(130)


# Command families register themselves on ``app`` when imported.
from kneeguard.cli import activities, assess, config, report, survey, training, web  # noqa: E402, F401
