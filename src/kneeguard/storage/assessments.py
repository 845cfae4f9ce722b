"""Stored assessments: the answers, the result, the knowledge-base version and the time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kneeguard.errors import NotFound
from kneeguard.storage.base import Base, UTCDateTime, utcnow


class AssessmentRow(Base):
    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kb_version: Mapped[str] = mapped_column(String(40))
    triage_level: Mapped[str] = mapped_column(String(20))
    running_advice: Mapped[str] = mapped_column(String(10))
    top_condition: Mapped[str] = mapped_column(String(40))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)


@dataclass(frozen=True)
class StoredAssessment:
    id: int
    created_at: datetime
    kb_version: str
    triage_level: str
    running_advice: str
    top_condition: str
    answers: dict[str, Any]
    result: dict[str, Any]

    @classmethod
    def of(cls, row: AssessmentRow) -> StoredAssessment:
        return cls(row.id, row.created_at, row.kb_version, row.triage_level,
                   row.running_advice, row.top_condition, row.answers, row.result)


def save_assessment(
    session: Session,
    answers: dict[str, Any],
    result: dict[str, Any],
    created_at: datetime | None = None,
) -> StoredAssessment:
    """Store one assessment (answers as given, result as produced) and return it."""
    row = AssessmentRow(
        created_at=created_at or utcnow(),
        kb_version=result["knowledge_base_version"],
        triage_level=result["triage"]["level"],
        running_advice=result["running"]["advice"],
        top_condition=result["conditions"][0]["id"],
        answers=answers,
        result=result,
    )
    session.add(row)
    session.flush()
    return StoredAssessment.of(row)


def list_assessments(session: Session, limit: int | None = None) -> list[StoredAssessment]:
    """Past assessments, newest first."""
    query = select(AssessmentRow).order_by(AssessmentRow.created_at.desc(),
                                           AssessmentRow.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return [StoredAssessment.of(r) for r in session.scalars(query)]


def get_assessment(session: Session, assessment_id: int) -> StoredAssessment:
    row = session.get(AssessmentRow, assessment_id)
    if row is None:
        raise NotFound(f"there is no assessment with id {assessment_id}")
    return StoredAssessment.of(row)


def latest_assessment(session: Session) -> StoredAssessment | None:
    found = list_assessments(session, limit=1)
    return found[0] if found else None
