"""contact: the own measurement's test contacts

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 08:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("sent", sa.DateTime(), nullable=False),
        sa.Column("answered", sa.DateTime(), nullable=True),
        sa.Column("reached_handlaggare", sa.Boolean(), nullable=True),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("forvaltning", sa.String(length=200), nullable=False),
        sa.Column("enhet", sa.String(length=200), nullable=False),
        sa.Column("is_example", sa.Boolean(), nullable=False),
        sa.Column("import_run_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_run_id"], ["import_run.id"], name=op.f("fk_contact_import_run_id_import_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index("ix_contact_year_channel", ["year", "channel"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_year_channel")
    op.drop_table("contact")
