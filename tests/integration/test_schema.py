"""The Alembic migrations create exactly the tables `etl/schema.py` defines."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from etl import db, schema


def test_migrations_match_the_schema_module(engine_url):
    db.upgrade(engine_url)
    with db.engine_for(engine_url).connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, schema.metadata) == []


def test_upgrade_twice_is_harmless(engine_url):
    db.upgrade(engine_url)
    db.upgrade(engine_url)
    assert db.is_current(engine_url)
