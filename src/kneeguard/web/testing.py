"""Helpers for testing the web app: a client on an isolated app, parsed pages, form fields.

Used by the project's tests (``tests/test_web_*.py``, ``tests/test_api_*.py``)
and by benchmarks/bench_web.py. Needs the dev extra (selectolax, httpx2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

BASE_URL = "http://127.0.0.1:8000"


def make_settings(tmp_path: Path, **overrides: Any) -> Any:
    from kneeguard.settings import load_settings

    values: dict[str, Any] = {"data_dir": str(tmp_path / "data"),
                              "db": str(tmp_path / "kneeguard.db"), **overrides}
    return load_settings(values, env={}, config_file=tmp_path / "absent.toml")


def make_client(tmp_path: Path, cache: bool = True, **overrides: Any) -> Any:
    """A TestClient for a fresh app whose databases live under ``tmp_path``."""
    from fastapi.testclient import TestClient

    from kneeguard.web import create_app

    app = create_app(make_settings(tmp_path, **overrides), cache=cache)
    return TestClient(app, base_url=BASE_URL)


def parse(html: str) -> Any:
    """The page as a selectolax tree (CSS selectors: ``tree.css("h1")``)."""
    from selectolax.lexbor import LexborHTMLParser

    return LexborHTMLParser(html)


def text(node: Any) -> str:
    return " ".join(node.text(separator=" ").split()) if node is not None else ""


def csrf(tree: Any) -> str:
    node = tree.css_first("input[name=csrf_token]")
    assert node is not None, "the page has no form with a CSRF token"
    return str(node.attributes["value"])


def hidden_fields(tree: Any, form_selector: str = "form") -> dict[str, str]:
    """The hidden inputs of the first form matching ``form_selector``."""
    form = tree.css_first(form_selector)
    assert form is not None, f"no form matches {form_selector}"
    return {str(i.attributes["name"]): str(i.attributes.get("value") or "")
            for i in form.css("input[type=hidden]")}


def unlabelled_controls(tree: Any) -> list[str]:
    """Form controls with no label (``<label for>``, wrapping label, aria-label), by id/name."""
    labelled = {str(n.attributes.get("for")) for n in tree.css("label[for]")}
    missing = []
    for node in tree.css("input, select, textarea"):
        kind = node.attributes.get("type", "text")
        if kind in ("hidden", "submit", "button"):
            continue
        if node.attributes.get("aria-label") or node.attributes.get("aria-labelledby"):
            continue
        if node.attributes.get("id") in labelled:
            continue
        parent = node.parent
        wrapped = False
        while parent is not None:
            if parent.tag == "label":
                wrapped = True
                break
            parent = parent.parent
        if not wrapped:
            missing.append(str(node.attributes.get("id") or node.attributes.get("name")))
    return missing
