"""Analysis texts as the administrators' page reads them (the rules are `etl.analysis`)."""

from __future__ import annotations

from sqlalchemy import Engine

from etl import analysis


def current_text(engine: Engine, scope: str, year: int) -> dict | None:
    """The text about a measure, a goal or the year for `year`, in any state, read afresh (not
    cached: the page shows what was just saved)."""
    with engine.connect() as connection:
        return analysis.current(connection, scope, year)
