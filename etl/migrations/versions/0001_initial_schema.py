"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27 08:52:29.080224
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_table(
        "data_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_state")),
    )
    op.create_table(
        "goal",
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_goal")),
    )
    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("is_example", sa.Boolean(), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_run")),
    )
    op.create_table(
        "kpi",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("operating_area", sa.Text(), nullable=False),
        sa.Column("is_divided_by_gender", sa.Boolean(), nullable=False),
        sa.Column("municipality_type", sa.String(length=4), nullable=False),
        sa.Column("publication_date", sa.String(length=10), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi")),
    )
    op.create_table(
        "kpi_group",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_group")),
    )
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("remote_addr", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempt_username_at", ["username", "at"], unique=False)

    op.create_table(
        "municipality",
        sa.Column("id", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=1), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipality")),
    )
    op.create_table(
        "municipality_group",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipality_group")),
    )
    op.create_table(
        "strategy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("municipality_id", sa.String(length=8), nullable=False),
        sa.Column("adopted", sa.Date(), nullable=True),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("follow_up", sa.Text(), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy")),
    )
    op.create_table(
        "group_value",
        sa.Column("kpi_id", sa.String(length=16), nullable=False),
        sa.Column("group_id", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("import_run_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_run_id"],
            ["import_run.id"],
            name=op.f("fk_group_value_import_run_id_import_run"),
        ),
        sa.ForeignKeyConstraint(["kpi_id"], ["kpi.id"], name=op.f("fk_group_value_kpi_id_kpi")),
        sa.PrimaryKeyConstraint(
            "kpi_id", "group_id", "year", "gender", name=op.f("pk_group_value")
        ),
    )
    op.create_table(
        "kpi_group_member",
        sa.Column("group_id", sa.String(length=32), nullable=False),
        sa.Column("kpi_id", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["kpi_group.id"],
            name=op.f("fk_kpi_group_member_group_id_kpi_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "kpi_id", name=op.f("pk_kpi_group_member")),
    )
    op.create_table(
        "kpi_value",
        sa.Column("kpi_id", sa.String(length=16), nullable=False),
        sa.Column("municipality_id", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("is_example", sa.Boolean(), nullable=False),
        sa.Column("import_run_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_run_id"], ["import_run.id"], name=op.f("fk_kpi_value_import_run_id_import_run")
        ),
        sa.ForeignKeyConstraint(["kpi_id"], ["kpi.id"], name=op.f("fk_kpi_value_kpi_id_kpi")),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_kpi_value_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint(
            "kpi_id", "municipality_id", "year", "gender", name=op.f("pk_kpi_value")
        ),
    )
    with op.batch_alter_table("kpi_value", schema=None) as batch_op:
        batch_op.create_index(
            "ix_kpi_value_kpi_gender_year", ["kpi_id", "gender", "year"], unique=False
        )

    op.create_table(
        "measure",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("goal_number", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("scale_min", sa.Float(), nullable=False),
        sa.Column("scale_max", sa.Float(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("decimals", sa.Integer(), nullable=False),
        sa.Column("benchmark_kpi_id", sa.String(length=16), nullable=True),
        sa.Column("survey_question_pattern", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["goal_number"], ["goal.number"], name=op.f("fk_measure_goal_number_goal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure")),
    )
    op.create_table(
        "municipality_group_member",
        sa.Column("group_id", sa.String(length=32), nullable=False),
        sa.Column("municipality_id", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["municipality_group.id"],
            name=op.f("fk_municipality_group_member_group_id_municipality_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_municipality_group_member_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint(
            "group_id", "municipality_id", name=op.f("pk_municipality_group_member")
        ),
    )
    op.create_table(
        "value_revision",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kpi_id", sa.String(length=16), nullable=False),
        sa.Column("municipality_id", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=False),
        sa.Column("old_value", sa.Float(), nullable=True),
        sa.Column("new_value", sa.Float(), nullable=True),
        sa.Column("revised_at", sa.DateTime(), nullable=False),
        sa.Column("import_run_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_run_id"],
            ["import_run.id"],
            name=op.f("fk_value_revision_import_run_id_import_run"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_value_revision")),
    )
    with op.batch_alter_table("value_revision", schema=None) as batch_op:
        batch_op.create_index(
            "ix_value_revision_kpi_municipality", ["kpi_id", "municipality_id"], unique=False
        )

    op.create_table(
        "analysis_text",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("measure_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_analysis_text_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_text")),
        sa.UniqueConstraint("measure_id", "year", name=op.f("uq_analysis_text_measure_id")),
    )
    op.create_table(
        "measure_kpi",
        sa.Column("measure_id", sa.String(length=64), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=True),
        sa.Column("kpi_id", sa.String(length=16), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["kpi_id"], ["kpi.id"], name=op.f("fk_measure_kpi_kpi_id_kpi")),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_measure_kpi_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("measure_id", "first_year", name=op.f("pk_measure_kpi")),
    )
    op.create_table(
        "survey_result",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("measure_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("forvaltning", sa.String(length=200), nullable=False),
        sa.Column("enhet", sa.String(length=200), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("mean", sa.Float(), nullable=False),
        sa.Column("share_positive", sa.Float(), nullable=True),
        sa.Column("answers_1", sa.Integer(), nullable=True),
        sa.Column("answers_2", sa.Integer(), nullable=True),
        sa.Column("answers_3", sa.Integer(), nullable=True),
        sa.Column("answers_4", sa.Integer(), nullable=True),
        sa.Column("answers_5", sa.Integer(), nullable=True),
        sa.Column("is_example", sa.Boolean(), nullable=False),
        sa.Column("import_run_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_run_id"],
            ["import_run.id"],
            name=op.f("fk_survey_result_import_run_id_import_run"),
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_survey_result_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_result")),
        sa.UniqueConstraint(
            "measure_id",
            "year",
            "level",
            "forvaltning",
            "enhet",
            name=op.f("uq_survey_result_measure_id"),
        ),
    )
    op.create_table(
        "target",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("measure_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("decision_body", sa.String(length=100), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("decision_paragraph", sa.String(length=32), nullable=False),
        sa.Column("diarienummer", sa.String(length=64), nullable=False),
        sa.Column("is_example", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_target_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target")),
    )
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.create_index("ix_target_measure_year", ["measure_id", "year"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.drop_index("ix_target_measure_year")

    op.drop_table("target")
    op.drop_table("survey_result")
    op.drop_table("measure_kpi")
    op.drop_table("analysis_text")
    with op.batch_alter_table("value_revision", schema=None) as batch_op:
        batch_op.drop_index("ix_value_revision_kpi_municipality")

    op.drop_table("value_revision")
    op.drop_table("municipality_group_member")
    op.drop_table("measure")
    with op.batch_alter_table("kpi_value", schema=None) as batch_op:
        batch_op.drop_index("ix_kpi_value_kpi_gender_year")

    op.drop_table("kpi_value")
    op.drop_table("kpi_group_member")
    op.drop_table("group_value")
    op.drop_table("strategy")
    op.drop_table("municipality_group")
    op.drop_table("municipality")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_username_at")

    op.drop_table("login_attempt")
    op.drop_table("kpi_group")
    op.drop_table("kpi")
    op.drop_table("import_run")
    op.drop_table("goal")
    op.drop_table("data_state")
    op.drop_table("audit_event")
    op.drop_table("app_user")
