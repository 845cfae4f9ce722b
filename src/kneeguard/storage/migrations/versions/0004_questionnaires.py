"""questionnaire responses and clinic-imported instrument wording

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questionnaire_responses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("instrument_id", sa.String(20), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("definition_hash", sa.String(64), nullable=False),
        sa.Column("text_hash", sa.String(64)),
    )
    op.create_index("ix_questionnaire_responses_instrument_id", "questionnaire_responses",
                    ["instrument_id"])
    op.create_index("ix_questionnaire_responses_answered_at", "questionnaire_responses",
                    ["answered_at"])
    op.create_table(
        "instrument_texts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("instrument_id", sa.String(20), nullable=False),
        sa.Column("language", sa.String(35), nullable=False),
        sa.Column("source", sa.String(2000), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("instrument_id", name="uq_instrument_texts_instrument_id"),
    )


def downgrade() -> None:
    op.drop_table("instrument_texts")
    op.drop_index("ix_questionnaire_responses_answered_at", "questionnaire_responses")
    op.drop_index("ix_questionnaire_responses_instrument_id", "questionnaire_responses")
    op.drop_table("questionnaire_responses")
