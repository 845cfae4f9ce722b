"""The pure core imports nothing from storage, web, cli or report (DESIGN.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "kneeguard"
CORE = ("knowledge", "assessment", "activities", "training", "journal", "questionnaires")
EDGES = ("kneeguard.storage", "kneeguard.web", "kneeguard.cli", "kneeguard.report")


@pytest.mark.parametrize("package", CORE)
def test_core_package_imports_no_edge(package: str) -> None:
    offending = []
    for path in sorted((SRC / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offending += [f"{path.relative_to(SRC)}: {n}" for n in names
                          if n.startswith(EDGES)]
    assert offending == []
