"""Stored assessments round-trip on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kneeguard.assessment import assess
from kneeguard.errors import NotFound
from kneeguard.storage.assessments import (
    get_assessment,
    latest_assessment,
    list_assessments,
    save_assessment,
)

ANSWERS = {"schema": "kneeguard.answers/1", "age": 40, "pain_locations": ["outside_of_knee"],
           "pain_during_run": 5}


def test_save_list_get(database: Any) -> None:
    result = assess(ANSWERS)
    t0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with database.session() as session:
        assert latest_assessment(session) is None
        first = save_assessment(session, ANSWERS, result, created_at=t0)
        second = save_assessment(session, {**ANSWERS, "pain_during_run": 1},
                                 assess({**ANSWERS, "pain_during_run": 1}),
                                 created_at=t0 + timedelta(days=1))
    with database.session() as session:
        listed = list_assessments(session)
        assert [a.id for a in listed] == [second.id, first.id]
        stored = get_assessment(session, first.id)
        assert stored.answers == ANSWERS
        assert stored.result == result
        assert stored.created_at == t0
        assert stored.kb_version == result["knowledge_base_version"]
        assert stored.triage_level == "see_clinician"
        assert stored.running_advice == "stop"
        assert stored.top_condition == "itb_syndrome"
        latest = latest_assessment(session)
        assert latest is not None and latest.id == second.id
        with pytest.raises(NotFound, match="no assessment with id 999"):
            get_assessment(session, 999)


def test_a_failed_transaction_leaves_nothing(database: Any) -> None:
    with pytest.raises(RuntimeError), database.session() as session:
        save_assessment(session, ANSWERS, assess(ANSWERS))
        raise RuntimeError("interrupted")
    with database.session() as session:
        assert list_assessments(session) == []
