"""Where the page Nytt starts its list (the changes themselves: `dashboard.store.sync`)."""

from __future__ import annotations

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

