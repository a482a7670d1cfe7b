"""What the page Nytt reads: where its list starts, and the changes since then."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Engine

from etl import alerts, changes


class NewsStart(NamedTuple):
    """The person's previous visit to Nytt, or (when there was none) when the newest report
    was fastställd; each None when there is nothing to say."""

    seen: datetime | None
    last_frozen: datetime | None


def news_start(engine: Engine, user_id: int | None) -> NewsStart:
    """Where the list of a person's news starts; this visit is marked as seen in the same
    transaction, so the next visit starts here."""
    with engine.begin() as connection:
        if user_id is not None:
            seen = alerts.news_seen(connection, user_id)
            alerts.mark_news_seen(connection, user_id)
            if seen is not None:
                return NewsStart(seen, None)
        return NewsStart(None, changes.last_frozen_at(connection))


def strategy_changes(engine: Engine, municipality_id: str, *, since: datetime,
                     text_states: Sequence[str], limit: int) -> list[changes.ValueChange]:
    """The changes to the values of the strategy's measures since `since`, newest first
    (`etl.changes.strategy_changes`)."""
    with engine.connect() as connection:
        return changes.strategy_changes(connection, municipality_id, since=since,
                                        text_states=text_states, limit=limit)
