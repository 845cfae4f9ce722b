"""journal entries

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "journal_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("activity_id", sa.Integer(),
                  sa.ForeignKey("activities.id", ondelete="SET NULL",
                                name="fk_journal_entries_activity_id_activities")),
        sa.Column("pain_before", sa.Integer()),
        sa.Column("pain_during", sa.Integer()),
        sa.Column("pain_after", sa.Integer()),
        sa.Column("pain_onset_km", sa.Float()),
        sa.Column("locations", sa.JSON(), nullable=False),
        sa.Column("swelling", sa.String(10)),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("activity_id", name="uq_journal_entries_activity_id"),
        sa.CheckConstraint("pain_before BETWEEN 0 AND 10",
                           name="ck_journal_entries_pain_before_range"),
        sa.CheckConstraint("pain_during BETWEEN 0 AND 10",
                           name="ck_journal_entries_pain_during_range"),
        sa.CheckConstraint("pain_after BETWEEN 0 AND 10",
                           name="ck_journal_entries_pain_after_range"),
        sa.CheckConstraint("pain_onset_km >= 0",
                           name="ck_journal_entries_pain_onset_km_positive"),
    )
    op.create_index("ix_journal_entries_day", "journal_entries", ["day"])


def downgrade() -> None:
    op.drop_index("ix_journal_entries_day", "journal_entries")
    op.drop_table("journal_entries")
