"""survey versions shown, server-side sessions

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 08:10:00

Existing survey years get their stored (shown) units as their first shown version, so that a
corrected re-import of them is suppressed against what has been shown.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_shown_unit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("measure_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("import_run_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("forvaltning", sa.String(length=200), nullable=False),
        sa.Column("enhet", sa.String(length=200), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["import_run_id"], ["import_run.id"],
                                name=op.f("fk_survey_shown_unit_import_run_id_import_run")),
        sa.ForeignKeyConstraint(["measure_id"], ["measure.id"],
                                name=op.f("fk_survey_shown_unit_measure_id_measure"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_shown_unit")),
        sa.UniqueConstraint("import_run_id", "level", "forvaltning", "enhet",
                            name=op.f("uq_survey_shown_unit_import_run_id")),
    )
    with op.batch_alter_table("survey_shown_unit", schema=None) as batch_op:
        batch_op.create_index("ix_survey_shown_unit_measure_year", ["measure_id", "year"],
                              unique=False)
    op.execute(
        "INSERT INTO survey_shown_unit (measure_id, year, import_run_id, level, forvaltning, "
        "enhet, respondents) SELECT measure_id, year, import_run_id, level, forvaltning, enhet, "
        "respondents FROM survey_result"
    )
    op.create_table(
        "user_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"],
                                name=op.f("fk_user_session_user_id_app_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_user_session")),
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index("ix_user_session_user_id", ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_index("ix_user_session_user_id")
    op.drop_table("user_session")
    with op.batch_alter_table("survey_shown_unit", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_shown_unit_measure_year")
    op.drop_table("survey_shown_unit")
