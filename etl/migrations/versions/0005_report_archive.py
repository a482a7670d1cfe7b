"""report archive: fastställda reports, their files and the values they showed

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 08:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "archived_report",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archived_report")),
        sa.UniqueConstraint("year", "version", name=op.f("uq_archived_report_year")),
    )
    op.create_table(
        "archived_report_file",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["archived_report.id"],
            name=op.f("fk_archived_report_file_report_id_archived_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "format", name=op.f("pk_archived_report_file")),
    )
    op.create_table(
        "archived_report_value",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.String(length=16), nullable=False),
        sa.Column("municipality_id", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["archived_report.id"],
            name=op.f("fk_archived_report_value_report_id_archived_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "kpi_id", "municipality_id", "year",
                                name=op.f("pk_archived_report_value")),
    )


def downgrade() -> None:
    op.drop_table("archived_report_value")
    op.drop_table("archived_report_file")
    op.drop_table("archived_report")
