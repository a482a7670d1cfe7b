"""texts per goal and for the year (Samlad bedömning); the author of every analysis text

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 06:40:00

`written_by` is who last changed a text's words; existing texts take the last person who
saved them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("analysis_text", schema=None) as batch_op:
        batch_op.add_column(sa.Column("written_by", sa.String(length=100), nullable=False,
                                      server_default=""))
    op.execute("UPDATE analysis_text SET written_by = updated_by")
    op.create_table(
        "assessment_text",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("written_by", sa.String(length=100), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_text")),
        sa.UniqueConstraint("scope", "year", name=op.f("uq_assessment_text_scope")),
    )


def downgrade() -> None:
    op.drop_table("assessment_text")
    with op.batch_alter_table("analysis_text", schema=None) as batch_op:
        batch_op.drop_column("written_by")
