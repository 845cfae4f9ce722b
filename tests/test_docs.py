"""Docs kept true: the CLI reference matches --help, every command has help, every doc the
README names exists, and CI runs the README's test command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_current() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_cli_docs.py"),
                             "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_command_has_help() -> None:
    text = (ROOT / "docs" / "cli.md").read_text()
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    assert len(sections) > 10
    for section in sections:
        title, _, body = section.partition("\n")
        usage_and_rest = body.split("Usage:", 1)[1]
        description = usage_and_rest.split("Options:", 1)[0].splitlines()[1:]
        assert any(line.strip() for line in description), f"{title} has no help text"


def test_docs_named_in_the_readme_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in re.findall(r"`(docs/[\w.-]+\.md)`", readme):
        assert (ROOT / name).exists(), f"README names {name}, which does not exist"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "python3 -m pip install uv && uv run pytest" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "uv run --locked pytest" in ci
    assert "pg_virtualenv" in ci
