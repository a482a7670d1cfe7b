"""What an upload in the browser reads besides the import itself (`etl.imports`) and the data
version (`dashboard.store.sync`): the catalogue's names for the preview's codes."""

from __future__ import annotations

from sqlalchemy import Engine

from etl import load, schema


def catalogue_titles(engine: Engine) -> tuple[dict[str, str], dict[str, str]]:
    """The KPI titles and the municipality names by code, as the catalogue has them."""
    with engine.connect() as connection:
        return (load.known_titles(connection, schema.Kpi),
                load.known_titles(connection, schema.Municipality))
