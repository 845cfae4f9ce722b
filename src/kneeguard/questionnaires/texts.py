"""Licensed instrument wording supplied by a clinic (KOOS, KOOS-PF, KOOS-12).

kneeguard never ships that wording. A clinic that holds a licence writes its text
into a JSON file and loads it into its own database with
``kneeguard instruments import FILE``::

    {
      "schema": "kneeguard.instrument-text/1",
      "instrument": "koos",
      "language": "en",
      "source": "KOOS English version, licensed to ... by Mapi Research Trust",
      "instructions": ["..."],
      "items": [
        {"id": "S1", "text": "...",
         "options": [{"value": 0, "label": "..."}, ..., {"value": 4, "label": "..."}]}
      ]
    }

:func:`check_text` validates such a document against the shipped definition: the
item ids must be exactly the instrument's, each item needs its text and one label for
each of the values 0-4 (the score of that answer, so S4/S5 list the reversed
scale). :func:`apply_text` returns the instrument with the wording filled in.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

from kneeguard.errors import QuestionnaireError
from kneeguard.questionnaires.model import KOOS_VALUES, Instrument, Option

TEXT_SCHEMA = "kneeguard.instrument-text/1"
MAX_TEXT = 2000  # characters in one instruction, item text or option label
_KEYS = {"schema", "instrument", "language", "source", "instructions", "items"}


@dataclass(frozen=True)
class InstrumentText:
    """A validated, normalised wording document (``document`` is what is stored)."""

    instrument: str
    language: str
    source: str
    document: dict[str, Any]

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(self.document, sort_keys=True, ensure_ascii=False,
                               separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _text(value: Any, where: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise QuestionnaireError(f"{where}: {field} must be non-empty text", field=field)
    if len(value) > MAX_TEXT:
        raise QuestionnaireError(f"{where}: {field} is longer than {MAX_TEXT} characters",
                                 field=field)
    return value.strip()


def check_text(doc: Any, instrument: Instrument, where: str = "instrument text") -> (
        InstrumentText):
    """Validate a clinic's wording file for ``instrument`` (its ``instrument`` must match)."""
    if not isinstance(doc, dict):
        raise QuestionnaireError(f"{where}: the file must hold one JSON object")
    unknown = sorted(set(doc) - _KEYS)
    if unknown:
        raise QuestionnaireError(f"{where}: unknown field {unknown[0]!r} (allowed: "
                                 f"{', '.join(sorted(_KEYS))})", field=unknown[0])
    if doc.get("schema") != TEXT_SCHEMA:
        raise QuestionnaireError(f"{where}: schema must be {TEXT_SCHEMA!r}", field="schema")
    if doc.get("instrument") != instrument.id:
        raise QuestionnaireError(f"{where}: instrument is {doc.get('instrument')!r}, "
                                 f"expected {instrument.id!r}", field="instrument")
    if not instrument.licensed:
        raise QuestionnaireError(f"{where}: {instrument.id} ships with its own wording; only "
                                 "the licensed KOOS forms take imported text",
                                 field="instrument")
    language = _text(doc.get("language"), where, "language")
    if len(language) > 35:
        raise QuestionnaireError(f"{where}: language must be a language tag such as 'en'",
                                 field="language")
    source = _text(doc.get("source"), where, "source")
    instructions_raw = doc.get("instructions", [])
    if not isinstance(instructions_raw, list):
        raise QuestionnaireError(f"{where}: instructions must be a list of text",
                                 field="instructions")
    instructions = [_text(s, where, f"instructions[{i}]")
                    for i, s in enumerate(instructions_raw)]

    items_raw = doc.get("items")
    if not isinstance(items_raw, list):
        raise QuestionnaireError(f"{where}: items must be a list", field="items")
    expected = instrument.item_ids
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, raw in enumerate(items_raw):
        if not isinstance(raw, dict):
            raise QuestionnaireError(f"{where}: items[{index}] must be an object",
                                     field=f"items[{index}]")
        item_id = raw.get("id")
        if item_id not in expected:
            raise QuestionnaireError(
                f"{where}: items[{index}] has id {item_id!r}, which is not an item of "
                f"{instrument.id} (its items are {', '.join(expected)})", field=f"items[{index}]")
        if item_id in seen:
            raise QuestionnaireError(f"{where}: item {item_id} appears twice", field=item_id)
        seen.add(item_id)
        extra = sorted(set(raw) - {"id", "text", "options"})
        if extra:
            raise QuestionnaireError(f"{where}: item {item_id} has unknown field {extra[0]!r}",
                                     field=item_id)
        text = _text(raw.get("text"), where, f"item {item_id} text")
        options_raw = raw.get("options")
        if not isinstance(options_raw, list):
            raise QuestionnaireError(f"{where}: item {item_id} options must be a list",
                                     field=item_id)
        options: list[dict[str, Any]] = []
        for o_index, option in enumerate(options_raw):
            if not isinstance(option, dict) or set(option) != {"value", "label"}:
                raise QuestionnaireError(
                    f"{where}: item {item_id} option {o_index + 1} must be an object with "
                    "value and label", field=item_id)
            value = option["value"]
            if isinstance(value, bool) or value not in KOOS_VALUES:
                raise QuestionnaireError(
                    f"{where}: item {item_id} option {o_index + 1} has value {value!r}; "
                    "values are the scores 0-4", field=item_id)
            options.append({"value": int(value), "label": _text(
                option["label"], where, f"item {item_id} option {o_index + 1} label")})
        values = sorted(o["value"] for o in options)
        if values != list(KOOS_VALUES):
            raise QuestionnaireError(f"{where}: item {item_id} must have exactly one option "
                                     "for each value 0, 1, 2, 3 and 4", field=item_id)
        items.append({"id": item_id, "text": text, "options": options})
    missing = [i for i in expected if i not in seen]
    if missing:
        raise QuestionnaireError(f"{where}: items {', '.join(missing)} of {instrument.id} "
                                 "have no text", field=missing[0])
    order = {i: n for n, i in enumerate(expected)}
    items.sort(key=lambda it: order[it["id"]])
    document = {"schema": TEXT_SCHEMA, "instrument": instrument.id, "language": language,
                "source": source, "instructions": instructions, "items": items}
    return InstrumentText(instrument.id, language, source, document)


def apply_text(instrument: Instrument, text: InstrumentText) -> Instrument:
    """The instrument with the clinic's wording (options in the file's order)."""
    by_id = {item["id"]: item for item in text.document["items"]}
    items = tuple(
        replace(item, text=by_id[item.id]["text"],
                options=tuple(Option(o["value"], o["label"])
                              for o in by_id[item.id]["options"]))
        for item in instrument.items)
    return replace(instrument, items=items,
                   instructions=tuple(text.document["instructions"]))
