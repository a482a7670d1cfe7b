"""login attempts: index what the login limit counts, and the age it purges by

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 05:40:00
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_username_at")
        batch_op.create_index("ix_login_attempt_username_remote_addr",
                              ["username", "remote_addr", "success", "at"], unique=False)
        batch_op.create_index("ix_login_attempt_remote_addr", ["remote_addr", "success", "at"],
                              unique=False)
        batch_op.create_index("ix_login_attempt_at", ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_at")
        batch_op.drop_index("ix_login_attempt_remote_addr")
        batch_op.drop_index("ix_login_attempt_username_remote_addr")
        batch_op.create_index("ix_login_attempt_username_at", ["username", "at"], unique=False)
