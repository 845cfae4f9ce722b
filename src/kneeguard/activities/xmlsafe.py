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
from collections.abc import Sequence
from datetime import UTC, datetime
from operator import attrgetter
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
    marker = _declaration(text)
    if marker is not None:
        raise HostileInputError(
            f"refused: the XML declares {marker[2:]} (document type or entities), which "
            "activity files never need and XML entity attacks rely on")
    return text


def _declaration(text: str) -> str | None:
    """The first of ``<!DOCTYPE`` or ``<!ENTITY`` in the text, or None.

    Looks at each ``!`` (rare in activity files, and found at memchr speed)
    rather than searching for each marker, which would scan the whole
    document twice; a document full of ``!`` gets the plain searches.
    """
    at = text.find("!")
    for _ in range(1000):
        if at < 0:
            return None
        if at > 0 and text[at - 1] == "<":
            for marker in HOSTILE:
                if text.startswith(marker, at - 1):
                    return marker
        at = text.find("!", at + 1)
    return next((marker for marker in HOSTILE if marker in text), None)


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


def floats(values: Sequence[str]) -> list[float | None]:
    """Numbers from strings; empty, malformed or non-finite ones become None."""
    try:
        out: list[float] = list(map(float, values))  # the fast, common case
    except ValueError:
        return [to_float(v) for v in values]
    total = sum(out)
    if total - total == 0.0:  # every value finite (NaN or infinity would spoil the sum)
        return out  # type: ignore[return-value]  # list is invariant; no None here
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


def parse_times(values: Sequence[str]) -> list[float | None]:
    """Unix seconds for each ISO 8601 instant (None for a malformed one)."""
    try:  # the common case, all in C: every value well-formed and with a zone
        instants = list(map(datetime.fromisoformat, values))
        if all(map(attrgetter("tzinfo"), instants)):
            return list(map(datetime.timestamp, instants))
    except (ValueError, TypeError):
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


_TOKEN = re.compile(r"<[^>]*>|[^<]+")
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(["'])""")


def record_layout(sample: str) -> tuple[str, list[tuple[str, str]]] | None:
    """A regex for elements laid out exactly like ``sample``, and what each group holds.

    Every text and attribute value of the sample becomes a capture group and
    whitespace between tags becomes ``\\s*``; the tags themselves must be
    identical. Each group is named by ``(parent, element)`` local names for
    text, ``(element, attribute)`` for attribute values. None for a sample
    that is not plain nested elements.
    """
    parts: list[str] = []
    names: list[tuple[str, str]] = []
    stack: list[str] = []
    for token in _TOKEN.findall(sample):
        if not token.startswith("<"):
            if token.isspace():
                parts.append(r"\s*")
            else:
                parts.append("([^<]*)")
                names.append((stack[-2] if len(stack) > 1 else "", stack[-1] if stack else ""))
            continue
        if token.startswith(("<!", "<?")) or not token.endswith(">"):
            return None
        if token.startswith("</"):
            if not stack or stack[-1] != local(token[2:-1].strip()):
                return None
            stack.pop()
            parts.append(re.escape(token))
            continue
        body = token[1:-1].rstrip("/")
        tag = local(body.split(None, 1)[0]) if body.strip() else ""
        if not tag:
            return None
        pos = 0
        for m in _ATTR.finditer(token):
            quote = m.group(2)
            close = token.find(quote, m.end())
            if close < 0:
                return None
            parts.append(re.escape(token[pos:m.end()]))
            parts.append(f"([^{quote}<]*)")
            names.append((tag, local(m.group(1))))
            pos = close
        parts.append(re.escape(token[pos:]))
        if not token.endswith("/>"):
            stack.append(tag)
    if stack or not names:
        return None
    return "".join(parts), names


def uniform_records(text: str, open_tag: str, close_tag: str
                    ) -> tuple[list[tuple[str, str]], list[tuple[str, ...]]] | None:
    """The values of every ``open_tag`` element when all are laid out like the first.

    One regular expression, built from the first element, reads every element
    in one pass; the result counts only when it matched as many elements as
    the text holds (a file that varies its layout goes to the general path).
    Returns the group names (see :func:`record_layout`) and one tuple per element.
    """
    first = text.find(open_tag)
    if first < 0:
        return None
    end = text.find(close_tag, first)
    if end < 0:
        return None
    layout = record_layout(text[first:end + len(close_tag)])
    if layout is None:
        return None
    pattern, names = layout
    rows = re.compile(pattern).findall(text, first)
    if len(rows) != text.count(open_tag, first):
        return None
    if len(names) == 1:
        rows = [(v,) for v in rows]
    return names, rows
