"""The knowledge-base loader: validation, cross-checks, clear errors, version pinning."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from kneeguard.errors import KnowledgeBaseError
from kneeguard.knowledge import DATA_DIR, load_kb
from kneeguard.knowledge.vocabulary import CONDITION_IDS

# The knowledge base's content is pinned to its version: a change to any data file must
# come with a new version number (and a changelog line in docs/knowledge-base.md).
PINNED = {"1.1.0": "2a1ce866ccbe0b3b55fc5485e6c85189dc02e41eca8e1431e1067a9fcd269f27"}


def test_shipped_knowledge_base_loads() -> None:
    kb = load_kb()
    assert [c.id for c in kb.conditions] == list(CONDITION_IDS)
    assert sum(c.prior.value for c in kb.conditions) == pytest.approx(1.0)
    assert kb.version == "1.1.0"


def test_content_is_pinned_to_the_version() -> None:
    kb = load_kb()
    assert kb.version in PINNED, "new knowledge-base version: pin its fingerprint here"
    assert PINNED[kb.version] == kb.fingerprint, (
        "the knowledge-base files changed: bump manifest.yaml version, add a changelog line "
        "to docs/knowledge-base.md and pin the new fingerprint")


def test_every_number_carries_a_known_source_and_label() -> None:
    kb = load_kb()
    numbers = [c.prior for c in kb.conditions]
    for f in kb.findings:
        numbers += [*f.lr.values(), *f.lr_absent.values()]
    for mods in kb.sex_modifiers.values():
        numbers += list(mods.values())
    for band in kb.age_bands:
        numbers += list(band.modifiers.values())
    assert numbers
    for number in numbers:
        assert number.source in kb.sources
        assert number.label in {"V", "R", "D", "E"}


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(DATA_DIR, target)
    return target


def edit(directory: Path, name: str, change: object) -> None:
    path = directory / name
    data = yaml.safe_load(path.read_text())
    change(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_a_copy_loads_and_gets_a_different_fingerprint_when_edited(kb_copy: Path) -> None:
    assert load_kb(kb_copy).fingerprint == load_kb().fingerprint

    def lower_prior(data: list[dict[str, object]]) -> None:
        data[0]["advice"][0]["text"] = "Changed advice."  # type: ignore[index]

    edit(kb_copy, "conditions.yaml", lower_prior)
    assert load_kb(kb_copy).fingerprint != load_kb().fingerprint


def _set_lr(data: list[dict[str, object]]) -> None:
    data[0]["lr"]["itb_syndrome"] = [0.3, "E"]  # type: ignore[index]


def _unknown_source(data: list[dict[str, object]]) -> None:
    data[0]["lr"]["itb_syndrome"] = [0.3, "E", "nobody2099"]  # type: ignore[index]


def _unknown_field(data: list[dict[str, object]]) -> None:
    data[0]["when"] = {"pain_locaton": {"contains": "outside_of_knee"}}


def _unknown_id(data: list[dict[str, object]]) -> None:
    data[0]["when"] = {"pain_locations": {"contains": "kneecap"}}


def _unknown_condition(data: list[dict[str, object]]) -> None:
    data[0]["lr"]["runners_knee"] = [2.0, "E", "kg_rules"]  # type: ignore[index]


def _bad_label(data: list[dict[str, object]]) -> None:
    data[0]["lr"]["itb_syndrome"] = [0.3, "X", "kg_rules"]  # type: ignore[index]


def _unknown_key(data: list[dict[str, object]]) -> None:
    data[0]["likelihood"] = {}


@pytest.mark.parametrize(("change", "message"), [
    (_set_lr, "findings.yaml, entry 'loc_kneecap', lr.itb_syndrome: write a number as "
              "[value, label, source]"),
    (_unknown_source, "findings.yaml, entry 'loc_kneecap': source 'nobody2099' is not "
                      "listed in manifest.yaml sources"),
    (_unknown_field, "findings.yaml, entry 'loc_kneecap': when: 'pain_locaton' is neither "
                     "an answer field nor one of all/any/not/ref"),
    (_unknown_id, "findings.yaml, entry 'loc_kneecap': when.pain_locations.contains: "
                  "'kneecap' is not an id of pain_locations"),
    (_unknown_condition, "findings.yaml, entry 'loc_kneecap': lr.runners_knee: unknown "
                         "condition id"),
    (_bad_label, "findings.yaml, entry 'loc_kneecap', lr.itb_syndrome.label: Input should be "
                 "'V', 'R', 'D' or 'E'"),
    (_unknown_key, "findings.yaml, entry 'loc_kneecap', likelihood: Extra inputs are not "
                   "permitted"),
])
def test_malformed_finding_names_file_entry_and_reason(kb_copy: Path, change: object,
                                                       message: str) -> None:
    edit(kb_copy, "findings.yaml", change)
    with pytest.raises(KnowledgeBaseError) as info:
        load_kb(kb_copy)
    assert message in str(info.value)


def test_priors_must_sum_to_one(kb_copy: Path) -> None:
    def change(data: list[dict[str, object]]) -> None:
        data[0]["prior"] = [0.5, "D", "taunton2002"]

    edit(kb_copy, "conditions.yaml", change)
    with pytest.raises(KnowledgeBaseError, match="priors must sum to 1, not 1.140"):
        load_kb(kb_copy)


def test_missing_condition_is_named(kb_copy: Path) -> None:
    edit(kb_copy, "conditions.yaml", lambda data: data.pop())
    with pytest.raises(KnowledgeBaseError, match="missing: other_needs_examination"):
        load_kb(kb_copy)


def test_unknown_definition_reference(kb_copy: Path) -> None:
    def change(data: list[dict[str, object]]) -> None:
        data[0]["levels"][0]["when"] = {"ref": "feverish"}  # type: ignore[index]

    edit(kb_copy, "red_flags.yaml", change)
    with pytest.raises(KnowledgeBaseError,
                       match="red_flags.yaml, entry 'septic_arthritis': levels\\[0\\].when.ref: "
                             "unknown definition 'feverish'"):
        load_kb(kb_copy)


def test_yaml_syntax_error_gives_file_and_line(kb_copy: Path) -> None:
    path = kb_copy / "rules.yaml"
    path.write_text(path.read_text() + "\nfloors: [unclosed\n")
    with pytest.raises(KnowledgeBaseError, match=r"rules.yaml, line \d+: not valid YAML"):
        load_kb(kb_copy)


def test_every_contract_field_is_asked(kb_copy: Path) -> None:
    def change(data: dict[str, list[dict[str, object]]]) -> None:
        data["steps"][0]["questions"].pop(0)  # type: ignore[attr-defined]

    edit(kb_copy, "questions.yaml", change)
    with pytest.raises(KnowledgeBaseError, match="never asked: age"):
        load_kb(kb_copy)


def test_missing_file(kb_copy: Path) -> None:
    (kb_copy / "advice.yaml").unlink()
    with pytest.raises(KnowledgeBaseError, match="cannot read advice.yaml"):
        load_kb(kb_copy)
