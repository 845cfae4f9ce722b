"""Instrument definitions: the shipped data files read into one typed model.

Each file in ``questionnaires/data/`` defines one instrument exactly as in the
shared research (``shared/data/instruments``). Two shapes exist:

* worded instruments (NPRS, AKPS, VISA-P, LEFS) carry ``items`` with their verbatim
  text and options; kneeguard shows them as they are, never reworded;
* licensed instruments (KOOS, KOOS-PF, KOOS-12) carry only ``item_ids``,
  ``subscales`` and the scoring rule (``"text": null``): their wording belongs to
  Mapi Research Trust and a clinic imports its licensed text into its own database
  (see :mod:`kneeguard.questionnaires.texts`).

:func:`load_instruments` reads and checks every file once; a malformed file is a
:class:`~kneeguard.errors.KnowledgeBaseError` naming the file and the field.
:func:`content_hash` fingerprints a definition so a stored response records which
wording it answered, and a test pins each shipped hash.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from kneeguard.errors import KnowledgeBaseError

# The shipped instruments, in the order they are listed to a user.
INSTRUMENT_IDS = ("nprs", "akps", "visa_p", "lefs", "koos", "koos_pf", "koos_12")

# KOOS answers are 0-4 on five-option scales (0 = no problem); the labels are licensed.
KOOS_VALUES = (0, 1, 2, 3, 4)

# How to obtain the licensed wording (shown by the forms until a clinic imports it).
LICENSED_TEXT_HELP = (
    "The wording of {name} is licensed by Mapi Research Trust (ePROVIDE, "
    "https://eprovide.mapi-trust.org); kneeguard does not ship it and this database holds "
    "no imported copy. A clinic that "
    "holds a licence loads its text with `kneeguard instruments import FILE` "
    "(docs/questionnaires.md describes the file); answers from a licensed paper form can "
    "be entered without the wording with `kneeguard survey {id} --answers FILE`."
)


@dataclass(frozen=True)
class Option:
    value: int | str
    label: str | None
    code: str | None = None


@dataclass(frozen=True)
class Item:
    id: str
    number: int | str | None
    text: str | None
    type: str
    options: tuple[Option, ...]
    scored: bool = True
    enable_when: tuple[tuple[str, str], ...] = ()
    loinc: str | None = None
    note: str | None = None

    @property
    def values(self) -> tuple[int | str, ...]:
        return tuple(o.value for o in self.options)


@dataclass(frozen=True)
class Mcid:
    value: float
    unit: str
    type: str
    citation: str
    population: str | None = None
    alt: str | None = None


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    version: str
    citation: str
    licence_verdict: str
    licence_note: str
    attribution: str | None
    source_url: str | None
    recall_period: str | None
    instructions: tuple[str, ...]
    items: tuple[Item, ...]
    subscales: tuple[tuple[str, tuple[str, ...]], ...]
    formula: str
    missing_data: str
    direction: str
    score_range: tuple[float, float]
    rounding: str
    mcids: tuple[Mcid, ...]
    loinc_panel: str | None
    loinc_scores: tuple[tuple[str, str], ...]
    fits: str | None
    content_hash: str

    @property
    def licensed(self) -> bool:
        """True when the wording is not shipped (KOOS family)."""
        return self.licence_verdict == "restricted_user_supplied_text"

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    @property
    def score_keys(self) -> tuple[str, ...]:
        """The keys of ``scores`` in a result, in the order they are reported."""
        return tuple(name for name, _ in self.subscales)

    def subscale(self, key: str) -> tuple[str, ...]:
        return dict(self.subscales)[key]

    @property
    def mcid(self) -> Mcid | None:
        """The MCID kneeguard uses by default: the first entry of type MCID in the file."""
        for entry in self.mcids:
            if entry.type == "MCID":
                return entry
        return None

    def loinc_for(self, score_key: str) -> str | None:
        """The LOINC code of a score, only where the definition names one."""
        return dict(self.loinc_scores).get(score_key)


def content_hash(raw: dict[str, Any]) -> str:
    """SHA-256 of a definition in canonical JSON (key order and whitespace do not count)."""
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _Reader:
    """Typed access to one raw definition with errors that name the file and field."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, field: str, problem: str) -> KnowledgeBaseError:
        return KnowledgeBaseError(f"instrument file {self.where}: {field} {problem}")

    def text(self, data: dict[str, Any], key: str, field: str = "") -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field or key, "must be non-empty text")
        return value

    def opt_text(self, data: dict[str, Any], key: str, field: str = "") -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(field or key, "must be text or null")
        return value

    def obj(self, data: dict[str, Any], key: str, field: str = "") -> dict[str, Any]:
        value = data.get(key)
        if not isinstance(value, dict):
            raise self.fail(field or key, "must be an object")
        return value

    def text_list(self, value: Any, field: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value or not all(
                isinstance(v, str) and v for v in value):
            raise self.fail(field, "must be a non-empty list of text")
        return tuple(value)


def _number(reader: _Reader, value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise reader.fail(field, "must be a number")
    return float(value)


def _option(reader: _Reader, raw: Any, field: str) -> Option:
    if not isinstance(raw, dict):
        raise reader.fail(field, "must be an object")
    value = raw.get("value")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise reader.fail(f"{field}.value", "must be a whole number or a letter")
    return Option(value, reader.text(raw, "label", f"{field}.label"),
                  reader.opt_text(raw, "code", f"{field}.code"))


def _worded_item(reader: _Reader, raw: Any, index: int) -> Item:
    field = f"items[{index}]"
    if not isinstance(raw, dict):
        raise reader.fail(field, "must be an object")
    item_id = reader.text(raw, "id", f"{field}.id")
    field = f"item {item_id}"
    options_raw = raw.get("options")
    if not isinstance(options_raw, list) or len(options_raw) < 2:
        raise reader.fail(f"{field}.options", "must list at least two options")
    options = tuple(_option(reader, o, f"{field}.options[{i}]")
                    for i, o in enumerate(options_raw))
    if len({o.value for o in options}) != len(options):
        raise reader.fail(f"{field}.options", "repeat a value")
    enable_raw = raw.get("enable_when") or {}
    if not isinstance(enable_raw, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in enable_raw.items()):
        raise reader.fail(f"{field}.enable_when", "must map item ids to option values")
    scored = raw.get("scored", True)
    if not isinstance(scored, bool):
        raise reader.fail(f"{field}.scored", "must be true or false")
    number = raw.get("number")
    if number is not None and (isinstance(number, bool) or not isinstance(number, int | str)):
        raise reader.fail(f"{field}.number", "must be a number or text")
    return Item(
        id=item_id, number=number, text=reader.text(raw, "text", f"{field}.text"),
        type=reader.text(raw, "type", f"{field}.type"), options=options, scored=scored,
        enable_when=tuple(sorted(enable_raw.items())),
        loinc=reader.opt_text(raw, "loinc", f"{field}.loinc"),
        note=reader.opt_text(raw, "note", f"{field}.note"),
    )


def _licensed_items(reader: _Reader, raw: dict[str, Any]) -> tuple[Item, ...]:
    ids = reader.text_list(raw.get("item_ids"), "item_ids")
    options = tuple(Option(v, None) for v in KOOS_VALUES)
    return tuple(Item(id=i, number=None, text=None, type="koos_0_4", options=options)
                 for i in ids)


def _mcids(reader: _Reader, raw: Any) -> tuple[Mcid, ...]:
    if raw is None:
        return ()
    entries = [raw] if isinstance(raw, dict) else raw
    if not isinstance(entries, list):
        raise reader.fail("mcid", "must be an object, a list or null")
    found = []
    for i, entry in enumerate(entries):
        field = f"mcid[{i}]"
        if not isinstance(entry, dict):
            raise reader.fail(field, "must be an object")
        found.append(Mcid(
            value=_number(reader, entry.get("value"), f"{field}.value"),
            unit=reader.text(entry, "unit", f"{field}.unit"),
            type=entry.get("type", "MCID") if isinstance(entry.get("type"), str) else "MCID",
            citation=reader.text(entry, "citation", f"{field}.citation"),
            population=reader.opt_text(entry, "population", f"{field}.population"),
            alt=reader.opt_text(entry, "alt", f"{field}.alt"),
        ))
    return tuple(found)


def _loinc(reader: _Reader, raw: Any, items: tuple[Item, ...]) -> tuple[str | None,
                                                                       dict[str, str]]:
    """The panel code and the score codes; NPRS names its item codes, KOOS its scores."""
    if raw is None:
        return None, {}
    if not isinstance(raw, dict):
        raise reader.fail("loinc", "must be an object or null")
    scores: dict[str, str] = {}
    for key in ("items", "scores"):
        block = raw.get(key) or {}
        if not isinstance(block, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in block.items()):
            raise reader.fail(f"loinc.{key}", "must map ids to LOINC codes")
        scores.update(block)
    if isinstance(raw.get("total"), str):
        scores["total"] = raw["total"]
    for item in items:
        if item.loinc and scores.get(item.id, item.loinc) != item.loinc:
            raise reader.fail(f"item {item.id}.loinc", "disagrees with loinc.items")
    return reader.opt_text(raw, "panel", "loinc.panel"), scores


def parse_instrument(raw: Any, where: str) -> Instrument:
    """Check one raw definition and build its :class:`Instrument`."""
    reader = _Reader(where)
    if not isinstance(raw, dict):
        raise reader.fail("the document", "must be a JSON object")
    instrument_id = reader.text(raw, "id")
    licence = reader.obj(raw, "licence")
    verdict = reader.text(licence, "verdict", "licence.verdict")
    licensed = verdict == "restricted_user_supplied_text"
    if licensed:
        if raw.get("text") is not None or "items" in raw:
            raise reader.fail("text", "must be null: licensed wording is never shipped")
        items = _licensed_items(reader, raw)
    else:
        items_raw = raw.get("items")
        if not isinstance(items_raw, list) or not items_raw:
            raise reader.fail("items", "must be a non-empty list")
        items = tuple(_worded_item(reader, it, i) for i, it in enumerate(items_raw))
    ids = [i.id for i in items]
    if len(set(ids)) != len(ids):
        raise reader.fail("items", "repeat an item id")
    for item in items:
        for other, value in item.enable_when:
            if other not in ids or value not in [str(v) for v in
                                                 items[ids.index(other)].values]:
                raise reader.fail(f"item {item.id}.enable_when",
                                  f"refers to {other}={value}, which is not an option")

    subscales_raw = reader.obj(raw, "subscales")
    subscales: list[tuple[str, tuple[str, ...]]] = []
    for name, members in subscales_raw.items():
        members_t = reader.text_list(members, f"subscales.{name}")
        known = set(ids) | {n for n, _ in subscales}
        for member in members_t:
            if member not in known:
                raise reader.fail(f"subscales.{name}", f"names {member}, which is neither an "
                                  "item nor an earlier subscale")
        subscales.append((name, members_t))

    scoring = reader.obj(raw, "scoring")
    score_range = scoring.get("range", [0, 100])
    if not (isinstance(score_range, list) and len(score_range) == 2):
        raise reader.fail("scoring.range", "must be [low, high]")
    direction = scoring.get("direction", "higher_is_better" if licensed else None)
    if direction not in ("higher_is_better", "lower_is_better"):
        raise reader.fail("scoring.direction", "must be higher_is_better or lower_is_better")
    instructions = raw.get("instructions") or []
    if not isinstance(instructions, list) or not all(isinstance(s, str) for s in instructions):
        raise reader.fail("instructions", "must be a list of text")
    loinc_panel, loinc_scores = _loinc(reader, raw.get("loinc"), items)

    return Instrument(
        id=instrument_id,
        name=reader.text(raw, "name"),
        version=reader.text(raw, "version"),
        citation=reader.text(raw, "citation"),
        licence_verdict=verdict,
        licence_note=reader.text(licence, "note", "licence.note"),
        attribution=reader.opt_text(licence, "attribution", "licence.attribution"),
        source_url=reader.opt_text(raw, "source_url"),
        recall_period=reader.opt_text(raw, "recall_period"),
        instructions=tuple(instructions),
        items=items,
        subscales=tuple(subscales),
        formula=reader.text(scoring, "formula", "scoring.formula"),
        missing_data=reader.text(scoring, "missing_data", "scoring.missing_data"),
        direction=direction,
        score_range=(_number(reader, score_range[0], "scoring.range[0]"),
                     _number(reader, score_range[1], "scoring.range[1]")),
        rounding=reader.text(scoring, "rounding", "scoring.rounding"),
        mcids=_mcids(reader, raw.get("mcid")),
        loinc_panel=loinc_panel,
        loinc_scores=tuple(sorted(loinc_scores.items())),
        fits=reader.opt_text(raw, "fits"),
        content_hash=content_hash(raw),
    )


def read_definition(instrument_id: str) -> dict[str, Any]:
    """The raw JSON of a shipped definition."""
    if instrument_id not in INSTRUMENT_IDS:
        from kneeguard.errors import NotFound

        known = ", ".join(INSTRUMENT_IDS)
        raise NotFound(f"there is no questionnaire {instrument_id!r} (known: {known})")
    resource = resources.files("kneeguard.questionnaires") / "data" / f"{instrument_id}.json"
    try:
        data: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KnowledgeBaseError(f"instrument file {instrument_id}.json cannot be read: "
                                 f"{exc}") from None
    return data


@cache
def load_instrument(instrument_id: str) -> Instrument:
    """One shipped instrument (read and checked once per process)."""
    instrument = parse_instrument(read_definition(instrument_id), f"{instrument_id}.json")
    if instrument.id != instrument_id:
        raise KnowledgeBaseError(f"instrument file {instrument_id}.json: id is "
                                 f"{instrument.id!r}, not {instrument_id!r}")
    from kneeguard.questionnaires.scoring import check_scorable

    check_scorable(instrument)
    return instrument


def load_instruments() -> tuple[Instrument, ...]:
    """Every shipped instrument, in listing order."""
    return tuple(load_instrument(i) for i in INSTRUMENT_IDS)
