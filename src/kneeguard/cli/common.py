"""Shared pieces of the CLI: state, error mapping, output helpers."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from kneeguard.errors import KneeguardError

if TYPE_CHECKING:
    from rich.console import Console

    from kneeguard.settings import Settings
    from kneeguard.storage import Database


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


class KneeguardGroup(TyperGroup):
    """Turns kneeguard's own errors into a one-line message and the error's exit code."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click.Context
        try:
            return super().invoke(ctx)
        except KneeguardError as exc:
            # typer vendors its own click, so print the one line here and exit through typer.
            typer.echo(f"Error: {exc.message}", err=True)
            raise typer.Exit(exc.exit_code) from None
        finally:
            # Close the command's database connections (in-process runs reuse the process).
            obj = ctx.obj
            if isinstance(obj, CliState) and obj._database is not None:
                obj._database.dispose()
                obj._database = None


@dataclass
class CliState:
    db: str | None = None
    _settings: Settings | None = field(default=None, repr=False)
    _database: Database | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from kneeguard.settings import load_settings

            self._settings = load_settings({"db": self.db})
        return self._settings

    def database(self) -> Database:
        if self._database is None:
            from kneeguard.storage import connect

            self._database = connect(self.settings.db_url)
        return self._database


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    if not isinstance(obj, CliState):
        obj = CliState()
        ctx.find_root().obj = obj
    return obj


def emit_json(document: Any) -> None:
    """Print exactly one JSON document on stdout."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def stdout_console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def read_json_argument(source: str, what: str) -> Any:
    """Read a JSON document from a file path or ``-`` (stdin) with a clear error."""
    from kneeguard.errors import InputError

    try:
        if source == "-":
            text = sys.stdin.read()
            name = "standard input"
        else:
            with open(source, encoding="utf-8") as handle:
                text = handle.read()
            name = source
    except FileNotFoundError:
        raise InputError(f"{what} file {source} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {what} file {source}: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{what} in {name} is not valid JSON: {exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}"
        ) from None
