"""What a process reads to see the data change: the data version every write increases, the
change log of the strategy's values, and which database an address names (the scheduled
cycle, the web workers' watch and warming, the archive).
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from etl import changes, db
from etl.changes import ValueChange


def data_version(engine: Engine) -> int:
    """The data version now."""
    with engine.connect() as connection:
        return db.data_version(connection)


def last_change_id(engine: Engine) -> int:
    """The newest id of the change log (0 when it is empty)."""
    with engine.connect() as connection:
        return changes.last_change_id(connection)


def strategy_changes(engine: Engine, municipality_id: str, **bounds) -> list[ValueChange]:
    """The changes to the municipality's values of the strategy's measures, newest first,
    within `bounds` (`etl.changes.strategy_changes`: after_id, since, text_states, limit)."""
    with engine.connect() as connection:
        return changes.strategy_changes(connection, municipality_id, **bounds)


def database_key(url) -> str:
    """A database's address written one way, whether given as text or as an engine's URL."""
    return make_url(url).render_as_string(hide_password=False)
