"""Write docs/cli.md from the CLI's own --help texts (run after changing a command).

    uv run python scripts/gen_cli_docs.py          # rewrite docs/cli.md
    uv run python scripts/gen_cli_docs.py --check  # exit 1 when docs/cli.md is stale

tests/test_docs.py runs the check, so the reference cannot drift from the code.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"

HEADER = """# Command-line reference

Generated from `kneeguard ... --help` by `scripts/gen_cli_docs.py`; do not edit by hand.
Every command takes the global option `--db URL` before or after the command name, and
most take `--format json` for machine-readable output (shared/contracts/cli-json.md).
Errors print one line on stderr and exit non-zero (2 bad input, 3 knowledge base,
4 import, 5 storage, 6 not found, 7 refused).
"""


def command_paths() -> list[list[str]]:
    import typer

    from kneeguard.cli import app

    root = typer.main.get_command(app)
    paths: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        paths.append(path)
        for name in sorted(getattr(command, "commands", {}) or {}):
            walk(command.commands[name], [*path, name])

    walk(root, [])
    return paths


def help_text(path: list[str]) -> str:
    from typer.testing import CliRunner

    from kneeguard.cli import app

    result = CliRunner().invoke(app, [*path, "--help"], prog_name="kneeguard",
                                env={"COLUMNS": "100", "TERM": "dumb"})
    if result.exit_code != 0:
        raise SystemExit(f"kneeguard {' '.join(path)} --help failed: {result.output}")
    return result.stdout.rstrip() + "\n"


def render() -> str:
    os.environ["COLUMNS"] = "100"
    parts = [HEADER]
    for path in command_paths():
        title = "kneeguard " + " ".join(path) if path else "kneeguard"
        parts.append(f"\n## `{title}`\n\n```\n{help_text(path)}```\n")
    return "".join(parts)


def main() -> None:
    text = render()
    if "--check" in sys.argv:
        if not DOC.exists() or DOC.read_text() != text:
            print("docs/cli.md is out of date: run uv run python scripts/gen_cli_docs.py")
            raise SystemExit(1)
        return
    DOC.write_text(text)
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
