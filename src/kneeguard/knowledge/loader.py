"""Read, validate, cross-check and compile the knowledge-base files.

``load_kb()`` reads the files shipped in ``kneeguard/knowledge/data`` (cached);
``load_kb(path)`` reads a copy a clinician is editing. Any problem raises
:class:`~kneeguard.errors.KnowledgeBaseError` naming the file, the entry and
the reason, e.g. ``findings.yaml, entry 'loc_kneecap': lr.itb_syndrome: ...``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from kneeguard.errors import KnowledgeBaseError
from kneeguard.knowledge import model, schema
from kneeguard.knowledge.predicates import Condition, ConditionError, compile_condition
from kneeguard.knowledge.vocabulary import (
    CONDITION_IDS,
    FIELDS,
    RUNNING_ADVICE,
    TRIAGE_LEVELS,
)

DATA_DIR = Path(__file__).parent / "data"
FILES = ("manifest.yaml", "conditions.yaml", "demographics.yaml", "definitions.yaml",
         "findings.yaml", "red_flags.yaml", "rules.yaml", "advice.yaml", "questions.yaml")

T = TypeVar("T")
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(directory: Path, name: str) -> tuple[Any, bytes]:
    path = directory / name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KnowledgeBaseError(f"knowledge base: cannot read {name} in {directory}: "
                                 f"{exc.strerror}") from None
    try:
        return yaml.load(raw, Loader=_Loader), raw
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise KnowledgeBaseError(f"knowledge base: {name}{where}: not valid YAML ({problem})"
                                 ) from None


def _entry_name(data: Any, loc: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """Name the entry a pydantic error location points into (its id when it has one)."""
    if loc and isinstance(loc[0], int) and isinstance(data, list) and loc[0] < len(data):
        item = data[loc[0]]
        if isinstance(item, dict) and "id" in item:
            return f"entry {item['id']!r}", loc[1:]
        return f"entry {loc[0] + 1}", loc[1:]
    return "", loc


def _validate(adapter: Callable[[Any], T], data: Any, name: str) -> T:
    try:
        return adapter(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        entry, rest = _entry_name(data, tuple(error["loc"]))
        path = ".".join(str(p) for p in rest)
        where = ", ".join(p for p in (entry, path) if p)
        message = error["msg"].removeprefix("Value error, ")
        raise KnowledgeBaseError(f"knowledge base: {name}, {where}: {message}") from None


def _model(cls: type[BaseModel]) -> Callable[[Any], Any]:
    return cls.model_validate


def _list_of(cls: type[T]) -> Callable[[Any], list[T]]:
    return TypeAdapter(list[cls]).validate_python  # type: ignore[valid-type]


class _Checker:
    """Collects cross-reference checks for one file and entry."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        self.sources = sources

    def fail(self, name: str, entry: str, reason: str) -> KnowledgeBaseError:
        return KnowledgeBaseError(f"knowledge base: {name}, entry {entry!r}: {reason}")

    def source(self, name: str, entry: str, source: str) -> None:
        if source not in self.sources:
            raise self.fail(name, entry, f"source {source!r} is not listed in manifest.yaml "
                                         "sources")

    def numbers(self, name: str, entry: str, numbers: Mapping[str, schema.Number],
                what: str) -> None:
        for key, number in numbers.items():
            if key not in CONDITION_IDS:
                raise self.fail(name, entry, f"{what}.{key}: unknown condition id (known: "
                                             f"{', '.join(CONDITION_IDS)})")
            self.source(name, entry, number.source)

    def cited(self, name: str, entry: str, items: Iterable[schema.Cited]) -> None:
        for item in items:
            self.source(name, entry, item.source)

    def unique(self, name: str, ids: Iterable[str]) -> None:
        seen: set[str] = set()
        for item in ids:
            if item in seen:
                raise self.fail(name, item, "the id is used twice")
            seen.add(item)


def _compile(node: Any, name: str, entry: str, what: str,
             defs: Mapping[str, Condition]) -> Condition:
    try:
        return compile_condition(node, what, defs)
    except ConditionError as exc:
        raise KnowledgeBaseError(f"knowledge base: {name}, entry {entry!r}: {exc}") from None


def load_kb(path: Path | str | None = None) -> model.KnowledgeBase:
    """The knowledge base in ``path`` (default: the one shipped with kneeguard)."""
    if path is None:
        return _load_default()
    return _load(Path(path))


@lru_cache(maxsize=1)
def _load_default() -> model.KnowledgeBase:
    return _load(DATA_DIR)


def _load(directory: Path) -> model.KnowledgeBase:
    raw: dict[str, Any] = {}
    digest = hashlib.sha256()
    for name in FILES:
        raw[name], content = _read(directory, name)
        digest.update(name.encode() + b"\0" + content + b"\0")

    manifest = _validate(_model(schema.Manifest), raw["manifest.yaml"], "manifest.yaml")
    check = _Checker(manifest.sources)
    for key, number in manifest.combination:
        check.source("manifest.yaml", f"combination.{key}", number.source)

    conditions = _validate(_list_of(schema.ConditionEntry), raw["conditions.yaml"],
                           "conditions.yaml")
    check.unique("conditions.yaml", (c.id for c in conditions))
    ids = [c.id for c in conditions]
    if sorted(ids) != sorted(CONDITION_IDS):
        missing = sorted(set(CONDITION_IDS) - set(ids))
        extra = sorted(set(ids) - set(CONDITION_IDS))
        raise KnowledgeBaseError(
            f"knowledge base: conditions.yaml: the conditions must be exactly the contract's "
            f"seven ids (missing: {', '.join(missing) or 'none'}; unknown: "
            f"{', '.join(extra) or 'none'})")
    for c in conditions:
        check.source("conditions.yaml", c.id, c.prior.source)
        check.cited("conditions.yaml", c.id, [*c.advice, *c.avoid])
    total = sum(c.prior.value for c in conditions)
    if not math.isclose(total, 1.0, abs_tol=0.005):
        raise KnowledgeBaseError(
            f"knowledge base: conditions.yaml: the priors must sum to 1, not {total:.3f}")

    demographics = _validate(_model(schema.Demographics), raw["demographics.yaml"],
                             "demographics.yaml")
    for sex, numbers in demographics.sex.items():
        check.numbers("demographics.yaml", f"sex.{sex}", numbers, "modifiers")
    check.unique("demographics.yaml", (b.id for b in demographics.age_bands))
    for band in demographics.age_bands:
        check.numbers("demographics.yaml", band.id, band.modifiers, "modifiers")

    definitions_raw = raw["definitions.yaml"]
    if not isinstance(definitions_raw, dict) or not definitions_raw:
        raise KnowledgeBaseError("knowledge base: definitions.yaml: expected a mapping of "
                                 "named conditions")
    defs: dict[str, Condition] = {}
    for key, node in definitions_raw.items():
        defs[str(key)] = _compile(node, "definitions.yaml", str(key), str(key), defs)

    findings_in = _validate(_list_of(schema.FindingEntry), raw["findings.yaml"],
                            "findings.yaml")
    check.unique("findings.yaml", (f.id for f in findings_in))
    finding_ids = {f.id for f in findings_in}
    findings = []
    for f in findings_in:
        check.numbers("findings.yaml", f.id, f.lr, "lr")
        check.numbers("findings.yaml", f.id, f.lr_absent, "lr_absent")
        for other in f.overrides:
            if other not in finding_ids or other == f.id:
                raise check.fail("findings.yaml", f.id, f"overrides: {other!r} is not another "
                                                        "finding")
        if f.lr_absent and not f.text_absent:
            raise check.fail("findings.yaml", f.id, "lr_absent needs text_absent")
        findings.append(model.Finding(
            f.id, f.group, f.text, f.text_absent,
            _compile(f.when, "findings.yaml", f.id, "when", defs),
            dict(f.lr), dict(f.lr_absent), frozenset(f.overrides)))

    flags_in = _validate(_list_of(schema.RedFlagEntry), raw["red_flags.yaml"],
                         "red_flags.yaml")
    check.unique("red_flags.yaml", (r.id for r in flags_in))
    red_flags = []
    for r in flags_in:
        for source in r.sources:
            check.source("red_flags.yaml", r.id, source)
        check.cited("red_flags.yaml", r.id, [*r.advice, *r.avoid])
        levels = tuple(
            model.FlagLevel(lv.triage,
                            _compile(lv.when, "red_flags.yaml", r.id, f"levels[{i}].when", defs),
                            lv.reason)
            for i, lv in enumerate(r.levels))
        implicates: list[tuple[str, Condition | None]] = []
        ranking = r.ranking if isinstance(r.ranking, str) else "implicates"
        if isinstance(r.ranking, schema.Implicates):
            for i, imp in enumerate(r.ranking.implicates):
                if imp.condition not in CONDITION_IDS:
                    raise check.fail("red_flags.yaml", r.id,
                                     f"ranking.implicates[{i}]: unknown condition "
                                     f"{imp.condition!r}")
                test = None if imp.when is None else _compile(
                    imp.when, "red_flags.yaml", r.id, f"ranking.implicates[{i}].when", defs)
                implicates.append((imp.condition, test))
        red_flags.append(model.RedFlag(r.id, r.name, levels, ranking, tuple(implicates),
                                       tuple(r.sources), tuple(r.advice), tuple(r.avoid)))

    rules = _validate(_model(schema.Rules), raw["rules.yaml"], "rules.yaml")
    if tuple(level.id for level in rules.triage_levels) != TRIAGE_LEVELS:
        raise KnowledgeBaseError("knowledge base: rules.yaml, triage_levels: must list "
                                 f"{', '.join(TRIAGE_LEVELS)} in this order")
    if tuple(level.id for level in rules.running_levels) != RUNNING_ADVICE:
        raise KnowledgeBaseError("knowledge base: rules.yaml, running_levels: must list "
                                 f"{', '.join(RUNNING_ADVICE)} in this order")
    check.unique("rules.yaml", (f.id for f in rules.floors))
    floors = []
    for fl in rules.floors:
        check.cited("rules.yaml", fl.id, [*fl.advice, *fl.avoid])
        floors.append(model.Floor(fl.id, _compile(fl.when, "rules.yaml", fl.id, "when", defs),
                                  fl.triage, fl.running, fl.reason, tuple(fl.advice),
                                  tuple(fl.avoid)))
    sc = rules.self_care
    check.unique("rules.yaml", (c.id for c in sc.criteria))
    check.cited("rules.yaml", "self_care", sc.advice)
    self_care = model.SelfCareRule(
        sc.reason, sc.running, sc.running_reason, tuple(sc.advice),
        _compile(sc.continue_when, "rules.yaml", "self_care", "continue_when", defs),
        sc.continue_reason,
        tuple(model.Criterion(c.id, _compile(c.when, "rules.yaml", c.id, "when", defs), c.unmet)
              for c in sc.criteria),
        sc.not_overuse_unmet, sc.default_reason, sc.default_running_reason,
        sc.red_flag_running_reason)

    advice = _validate(_model(schema.AdviceFile), raw["advice.yaml"], "advice.yaml")
    check.unique("advice.yaml", (a.id for a in advice.training))
    training_advice = []
    for a in advice.training:
        check.source("advice.yaml", a.id, a.source)
        training_advice.append(model.AdviceRule(
            a.id, _compile(a.when, "advice.yaml", a.id, "when", defs), a.text, a.source))
    check.cited("advice.yaml", "general", advice.general)

    questionnaire = _validate(_model(schema.Questionnaire), raw["questions.yaml"],
                              "questions.yaml")
    show_if = _check_questions(questionnaire, defs)

    return model.KnowledgeBase(
        version=manifest.version,
        released=manifest.released,
        title=manifest.title,
        notice=manifest.notice,
        fingerprint=digest.hexdigest(),
        sources=dict(manifest.sources),
        combination=model.Combination(**{k: v.value for k, v in manifest.combination}),
        conditions=tuple(
            model.ConditionInfo(c.id, c.name, c.short_name, c.overuse, c.summary, c.prior,
                                tuple(c.advice), tuple(c.avoid))
            for c in sorted(conditions, key=lambda c: CONDITION_IDS.index(c.id))),
        findings=tuple(findings),
        red_flags=tuple(red_flags),
        floors=tuple(floors),
        self_care=self_care,
        triage_now={lv.id: lv.now or "" for lv in rules.triage_levels},
        triage_labels={lv.id: lv.label for lv in rules.triage_levels},
        running_labels={lv.id: lv.label for lv in rules.running_levels},
        training_advice=tuple(training_advice),
        general_advice=tuple(advice.general),
        sex_modifiers={k: dict(v) for k, v in demographics.sex.items()},
        age_bands=tuple(model.AgeBand(b.id, b.label, b.min, b.max, dict(b.modifiers))
                        for b in demographics.age_bands),
        questionnaire=questionnaire,
        show_if=show_if,
    )


def _check_questions(questionnaire: schema.Questionnaire,
                     defs: Mapping[str, Condition]) -> dict[str, Condition]:
    """Every contract field is asked exactly once, with valid choices."""
    asked: list[str] = []
    show_if: dict[str, Condition] = {}
    for step in questionnaire.steps:
        for q in step.questions:
            where = f"step {step.id!r}, question {q.field!r}"
            spec = FIELDS.get(q.field)
            if spec is None:
                raise KnowledgeBaseError(f"knowledge base: questions.yaml, {where}: not a "
                                         "field of the answers contract")
            if q.field in asked:
                raise KnowledgeBaseError(f"knowledge base: questions.yaml, {where}: asked twice")
            asked.append(q.field)
            if spec.kind in ("enum", "enum_list"):
                values = [c.value for c in q.choices]
                if sorted(values) != sorted(spec.choices):
                    raise KnowledgeBaseError(
                        f"knowledge base: questions.yaml, {where}: the choices must be exactly "
                        f"{', '.join(spec.choices)}")
            if q.show_if is not None:
                try:
                    show_if[q.field] = compile_condition(q.show_if, "show_if", defs)
                except ConditionError as exc:
                    raise KnowledgeBaseError(
                        f"knowledge base: questions.yaml, {where}: {exc}") from None
    missing = [name for name in FIELDS if name not in asked]
    if missing:
        raise KnowledgeBaseError("knowledge base: questions.yaml: these answers are never "
                                 f"asked: {', '.join(missing)}")
    return show_if
