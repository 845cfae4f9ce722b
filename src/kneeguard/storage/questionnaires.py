"""Stored questionnaires: responses with their scores, and clinic-imported licensed wording.

``questionnaire_responses`` keeps each completed form: the answers as checked, the
scores, missing items and notes the scoring produced, when it was answered, and the
content hash of the definition (and of the imported wording, if any) it answered.
``instrument_texts`` holds at most one licensed wording per instrument, loaded by
``kneeguard instruments import``; importing again replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kneeguard.errors import NotFound
from kneeguard.storage.base import Base, UTCDateTime, utcnow


class QuestionnaireResponseRow(Base):
    __tablename__ = "questionnaire_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instrument_id: Mapped[str] = mapped_column(String(20), index=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON)
    missing: Mapped[list[str]] = mapped_column(JSON)
    notes: Mapped[list[str]] = mapped_column(JSON)
    definition_hash: Mapped[str] = mapped_column(String(64))
    text_hash: Mapped[str | None] = mapped_column(String(64))


class InstrumentTextRow(Base):
    __tablename__ = "instrument_texts"
    __table_args__ = (UniqueConstraint("instrument_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instrument_id: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(35))
    source: Mapped[str] = mapped_column(String(2000))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class StoredResponse:
    id: int
    instrument_id: str
    answered_at: datetime
    answers: dict[str, Any]
    scores: dict[str, Any]
    missing: list[str]
    notes: list[str]
    definition_hash: str
    text_hash: str | None

    @classmethod
    def of(cls, row: QuestionnaireResponseRow) -> StoredResponse:
        return cls(row.id, row.instrument_id, row.answered_at, row.answers, row.scores,
                   row.missing, row.notes, row.definition_hash, row.text_hash)


@dataclass(frozen=True)
class StoredText:
    instrument_id: str
    language: str
    source: str
    content: dict[str, Any]
    content_hash: str
    imported_at: datetime

    @classmethod
    def of(cls, row: InstrumentTextRow) -> StoredText:
        return cls(row.instrument_id, row.language, row.source, row.content,
                   row.content_hash, row.imported_at)


def save_response(
    session: Session,
    instrument_id: str,
    answers: dict[str, Any],
    result: dict[str, Any],
    definition_hash: str,
    text_hash: str | None = None,
    answered_at: datetime | None = None,
) -> StoredResponse:
    """Store one scored response; ``result`` is the ``survey score`` document."""
    row = QuestionnaireResponseRow(
        instrument_id=instrument_id,
        answered_at=answered_at or utcnow(),
        answers=answers,
        scores=result["scores"],
        missing=list(result["missing"]),
        notes=list(result["notes"]),
        definition_hash=definition_hash,
        text_hash=text_hash,
    )
    session.add(row)
    session.flush()
    return StoredResponse.of(row)


def list_responses(session: Session, instrument_id: str | None = None) -> list[StoredResponse]:
    """Stored responses, oldest first, optionally of one instrument."""
    query = select(QuestionnaireResponseRow).order_by(
        QuestionnaireResponseRow.answered_at, QuestionnaireResponseRow.id)
    if instrument_id is not None:
        query = query.where(QuestionnaireResponseRow.instrument_id == instrument_id)
    return [StoredResponse.of(r) for r in session.scalars(query)]


def get_response(session: Session, response_id: int) -> StoredResponse:
    row = session.get(QuestionnaireResponseRow, response_id)
    if row is None:
        raise NotFound(f"there is no questionnaire response with id {response_id}")
    return StoredResponse.of(row)


def save_instrument_text(
    session: Session,
    instrument_id: str,
    language: str,
    source: str,
    content: dict[str, Any],
    content_hash: str,
    imported_at: datetime | None = None,
) -> bool:
    """Store a clinic's licensed wording; returns True when it replaced an earlier one."""
    earlier = session.scalars(select(InstrumentTextRow).where(
        InstrumentTextRow.instrument_id == instrument_id)).first()
    if earlier is not None:
        session.delete(earlier)
        session.flush()
    session.add(InstrumentTextRow(
        instrument_id=instrument_id, language=language, source=source, content=content,
        content_hash=content_hash, imported_at=imported_at or utcnow()))
    session.flush()
    return earlier is not None


def get_instrument_text(session: Session, instrument_id: str) -> StoredText | None:
    row = session.scalars(select(InstrumentTextRow).where(
        InstrumentTextRow.instrument_id == instrument_id)).first()
    return None if row is None else StoredText.of(row)


def list_instrument_texts(session: Session) -> list[StoredText]:
    rows = session.scalars(select(InstrumentTextRow).order_by(InstrumentTextRow.instrument_id))
    return [StoredText.of(r) for r in rows]
