"""Målbild's calendar day: the day in Sweden, whatever time zone the server runs in.

Stored moments are naive UTC (`schema.utcnow`). A day a person names or reads (a decision date,
"ligger i framtiden", a report's date, the year a form offers) is a Swedish day: between midnight
and two in the morning Swedish time the UTC date is still yesterday's, and a server set to another
zone would be a day off in either direction.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

SWEDEN = ZoneInfo("Europe/Stockholm")


def today() -> date:
    """Today's date in Sweden."""
    return datetime.now(SWEDEN).date()
