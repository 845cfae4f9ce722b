"""activities, their sources, splits and shoes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shoes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("brand", sa.String(200)),
        sa.Column("added_at", sa.DateTime()),
        sa.Column("retired_at", sa.DateTime()),
        sa.Column("start_km", sa.Float(), nullable=False),
        sa.Column("limit_km", sa.Float()),
        sa.UniqueConstraint("name", name="uq_shoes_name"),
    )
    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sport", sa.String(30), nullable=False),
        sa.Column("sub_sport", sa.String(60)),
        sa.Column("start_utc", sa.DateTime(), nullable=False),
        sa.Column("utc_offset_s", sa.Integer(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("timer_s", sa.Float(), nullable=False),
        sa.Column("elapsed_s", sa.Float(), nullable=False),
        sa.Column("elevation_gain_m", sa.Float()),
        sa.Column("avg_hr", sa.Float()),
        sa.Column("avg_cadence", sa.Float()),
        sa.Column("device", sa.String(200)),
        sa.Column("shoe_id", sa.Integer(),
                  sa.ForeignKey("shoes.id", ondelete="SET NULL",
                                name="fk_activities_shoe_id_shoes")),
        sa.Column("incomplete", sa.Boolean(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_activities_sport", "activities", ["sport"])
    op.create_index("ix_activities_start_utc", "activities", ["start_utc"])
    op.create_index("ix_activities_shoe_id", "activities", ["shoe_id"])
    op.create_table(
        "activity_sources",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("activity_id", sa.Integer(),
                  sa.ForeignKey("activities.id", ondelete="CASCADE",
                                name="fk_activity_sources_activity_id_activities"),
                  nullable=False),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("leg", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("preferred", sa.Boolean(), nullable=False),
        sa.Column("incomplete_reason", sa.String(500)),
        sa.UniqueConstraint("content_hash", "leg", name="uq_activity_sources_content_hash"),
    )
    op.create_index("ix_activity_sources_activity_id", "activity_sources", ["activity_id"])
    op.create_table(
        "splits",
        sa.Column("activity_id", sa.Integer(),
                  sa.ForeignKey("activities.id", ondelete="CASCADE",
                                name="fk_splits_activity_id_activities"),
                  primary_key=True),
        sa.Column("index", sa.Integer(), primary_key=True),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("time_s", sa.Float(), nullable=False),
        sa.Column("avg_hr", sa.Float()),
        sa.Column("elevation_gain_m", sa.Float()),
    )


def downgrade() -> None:
    op.drop_table("splits")
    op.drop_table("activity_sources")
    op.drop_table("activities")
    op.drop_table("shoes")
