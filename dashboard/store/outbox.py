"""The alert outbox (`alert_outbox`): the e-mails an alert round wrote, read for sending and
marked one by one as the SMTP server answers (`dashboard.tasks.mail`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select, update

from etl import schema


@dataclass(frozen=True)
class OutboxMessage:
    """An unsent e-mail as the outbox holds it."""

    id: int
    address: str
    subject: str
    body_text: str
    body_html: str


def unsent(engine: Engine) -> list[OutboxMessage]:
    """Every e-mail not yet accepted by the SMTP server, oldest first."""
    o = schema.AlertOutbox
    with engine.connect() as connection:
        return [OutboxMessage(*row) for row in connection.execute(
            select(o.id, o.address, o.subject, o.body_text, o.body_html)
            .where(o.sent_at.is_(None)).order_by(o.id))]


def record_attempt(engine: Engine, message_id: int, problem: str) -> None:
    """One more try of the e-mail: sent now when there is no `problem`, else kept with it."""
    o = schema.AlertOutbox
    with engine.begin() as connection:
        connection.execute(update(o).where(o.id == message_id).values(
            attempts=o.attempts + 1, last_error=problem,
            sent_at=None if problem else schema.utcnow()))


def mark_waiting(engine: Engine, message_ids: list[int], problem: str) -> None:
    """The e-mails not tried this round (the server is down), with the reason they wait."""
    if message_ids:
        o = schema.AlertOutbox
        with engine.begin() as connection:
            connection.execute(update(o).where(o.id.in_(message_ids))
                               .values(last_error=problem))


def waiting(engine: Engine) -> list[dict]:
    """The unsent e-mails, oldest first (for `malbild alerts list`)."""
    o = schema.AlertOutbox
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(
            select(o.id, o.address, o.subject, o.created_at, o.attempts, o.last_error)
            .where(o.sent_at.is_(None)).order_by(o.id)).mappings()]
