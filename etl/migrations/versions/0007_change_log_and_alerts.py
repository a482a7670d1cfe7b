"""change log of values (new, revised, deleted), e-mail addresses, alerts and their outbox

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 05:20:00

`value_revision` becomes the change log of every value an import adds, changes or removes:
existing rows are revisions, or deletions where the new value is empty.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("value_revision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=8), nullable=False,
                                      server_default="revised"))
    op.execute("UPDATE value_revision SET kind = 'deleted' WHERE new_value IS NULL")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("news_seen_at", sa.DateTime(), nullable=True))
    op.create_table(
        "alert_subscription",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"],
                                name=op.f("fk_alert_subscription_user_id_app_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_alert_subscription")),
    )
    op.create_table(
        "alert_run",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("first_change_id", sa.Integer(), nullable=True),
        sa.Column("last_change_id", sa.Integer(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_run")),
    )
    op.create_table(
        "alert_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_run_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["alert_run_id"], ["alert_run.id"],
                                name=op.f("fk_alert_outbox_alert_run_id_alert_run")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"],
                                name=op.f("fk_alert_outbox_user_id_app_user"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_outbox")),
    )
    with op.batch_alter_table("alert_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_alert_outbox_sent_at", ["sent_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alert_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_outbox_sent_at")
    op.drop_table("alert_outbox")
    op.drop_table("alert_run")
    op.drop_table("alert_subscription")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("news_seen_at")
        batch_op.drop_column("email")
    op.execute("DELETE FROM value_revision WHERE kind = 'new'")
    with op.batch_alter_table("value_revision", schema=None) as batch_op:
        batch_op.drop_column("kind")
