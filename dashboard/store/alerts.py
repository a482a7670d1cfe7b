"""An alert round's transaction: read the change log after the alerts' cursor, put the round's
e-mails in the outbox and move the cursor, all at once (`dashboard.tasks.alerts` writes them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from sqlalchemy import Engine, insert

from etl import alerts, changes, db, schema
from etl.alerts import Subscriber
from etl.changes import ValueChange

ALERTS_LOCK = "malbild-alerts"


@dataclass(frozen=True)
class NewMessage:
    """An e-mail a round puts in the outbox for one person."""

    user_id: int
    address: str
    subject: str
    body_text: str
    body_html: str


@dataclass(frozen=True)
class RoundRecord:
    """What a round read and wrote: the changes (none when nothing is new) and the e-mails."""

    changes: list[ValueChange]
    messages: int


Writer = Callable[[list[ValueChange], list[Subscriber]], list[NewMessage]]


def alert_round(engine: Engine, home: str, write: Writer) -> RoundRecord:
    """One round in one transaction: the changes of `home`'s values since the last round and
    the subscribers go to `write` (called only when there are both), and its e-mails are put
    in the outbox with the round that moves the cursor."""
    with engine.begin() as connection:
        # Two cycles at once (a slow one and the next) must not both tell of the same changes.
        db.serialize(connection, ALERTS_LOCK)
        alerts.start_cursor(connection)
        after = alerts.cursor(connection) or 0
        up_to = changes.last_change_id(connection)
        if up_to <= after:
            return RoundRecord([], 0)
        found = changes.strategy_changes(connection, home, after_id=after, up_to_id=up_to)
        people = alerts.subscribers(connection)
        messages = write(found, people) if found and people else []
        run_id = connection.execute(insert(schema.AlertRun).values(
            at=schema.utcnow(), first_change_id=after + 1, last_change_id=up_to,
            messages=len(messages))).inserted_primary_key[0]
        if messages:
            connection.execute(insert(schema.AlertOutbox), [
                {**asdict(m), "alert_run_id": run_id, "created_at": schema.utcnow(),
                 "attempts": 0, "last_error": ""} for m in messages])
    return RoundRecord(found, len(messages))


def subscribers(engine: Engine) -> list[Subscriber]:
    """Everyone with a subscription (for `malbild alerts list`)."""
    with engine.connect() as connection:
        return alerts.subscribers(connection)
