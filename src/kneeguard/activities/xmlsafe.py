"""Reading XML activity files safely and fast.

GPX and TCX files never need a document type declaration, so any
``<!DOCTYPE`` or ``<!ENTITY`` is refused before parsing: that rules out
external entities (file or network reads) and entity bombs. The hot path
reads canonical documents (UTF-8 or another ASCII-compatible encoding, the
default namespace, elements in schema order) with regular expressions that
run in C; each reader checks that they matched every point and otherwise
parses the document with defusedxml (which refuses DTDs and entities too),
walking elements by local name so that any namespace prefix works.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from kneeguard.errors import ActivityImportError, HostileInputError

_DECL = re.compile(r"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
HOSTILE = ("<!DOCTYPE", "<!ENTITY")


def decode_text(data: bytes) -> str:
    """The document as text, refusing DTDs and entities."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", "replace")
    else:
        head = data[:200].decode("ascii", "replace")
        match = _DECL.match(head)
        encoding = match.group(1).lower() if match else "utf-8"
        if encoding.startswith("utf-16"):
            encoding = "utf-16"
        try:
            text = data.decode(encoding, "replace")
        except LookupError:
            raise ActivityImportError(f"unknown XML encoding {encoding!r}") from None
    text = text.lstrip("\ufeff")
    for marker in HOSTILE:
        if marker in text:
            raise HostileInputError(
                f"refused: the XML declares {marker[2:]} (document type or entities), which "
                "activity files never need and XML entity attacks rely on")
    return text


def parse_tree(text: str) -> Any:
    """The element tree of a document through defusedxml (no DTD, no entities)."""
    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    try:
        return DET.fromstring(text.encode("utf-8"), forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    except DefusedXmlException as exc:
        raise HostileInputError(f"refused: {exc}") from None
    except Exception as exc:  # ParseError and expat's errors differ by version
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ActivityImportError(f"not well-formed XML ({message})") from None


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def children(elem: Any, name: str) -> list[Any]:
    return [c for c in elem if local(c.tag) == name]


def child(elem: Any, name: str) -> Any:
    for c in elem:
        if local(c.tag) == name:
            return c
    return None


def child_text(elem: Any, name: str) -> str | None:
    c = child(elem, name)
    if c is None or c.text is None:
        return None
    return str(c.text).strip() or None


def descendant_text(elem: Any, name: str) -> str | None:
    for c in elem.iter():
        if local(c.tag) == name and c.text and c.text.strip():
            return str(c.text).strip()
    return None


def to_float(value: str | None) -> float | None:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def floats(values: list[str]) -> list[float | None]:
    """Numbers from strings; empty or malformed ones become None."""
    try:
        out: list[float | None] = [float(v) for v in values]  # the fast, common case
    except ValueError:
        return [to_float(v) for v in values]
    total = sum(out)  # type: ignore[arg-type]
    if total - total == 0.0:  # every value finite (NaN or infinity would spoil the sum)
        return out
    return [to_float(v) for v in values]


def parse_time(value: str | None) -> float | None:
    """Unix seconds from an ISO 8601 instant; a time without zone is taken as UTC."""
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def parse_times(values: list[str]) -> list[float | None]:
    if not values:
        return []
    fromiso = datetime.fromisoformat
    try:
        if all(v[-1:] == "Z" for v in values):
            return [fromiso(v).timestamp() for v in values]
    except (ValueError, AttributeError):
        pass
    return [parse_time(v) for v in values]


def literal_findall(pattern: re.Pattern[str], text: str) -> list[str]:
    """``pattern.findall`` for a pattern like ``<(?:\\w+:)?hr>([0-9.]+)</``, made fast.

    Such a pattern is tried at every ``<``; instead, find the first match,
    take the exact tag it used (``gpxtpx:hr``) and search for that literal
    tag, which the regex engine scans for quickly. Callers check the count
    against the number of points, so a document that mixes prefixes falls
    back to their general path.
    """
    first = pattern.search(text)
    if first is None:
        return []
    whole = first.group(0)
    tag = whole[1:whole.index(">")]
    literal = re.compile(f"<{re.escape(tag)}>\\s*([0-9.]+)\\s*</{re.escape(tag)}>")
    return literal.findall(text)
