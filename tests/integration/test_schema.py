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


def test_texts_per_goal_and_year_migrate_down_and_up_again(engine_url):
    """0008 (texts per goal and year, the author of a text) reverses cleanly."""
    from alembic import command
    from sqlalchemy import inspect

    db.upgrade(engine_url)
    engine = db.engine_for(engine_url)
    with engine.begin() as connection:
        config = db.alembic_config(engine_url)
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
    found = inspect(engine)
    assert not found.has_table("assessment_text")
    assert "written_by" not in {c["name"] for c in found.get_columns("analysis_text")}
    db.upgrade(engine_url)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), schema.metadata) == []


def test_a_forgotten_database_leaves_no_engine_and_no_connection(tmp_path):
    """`db.forget`: the engine is dropped with its pooled connections; asked again, the URL
    gets a new engine. A SQLite file whose connections are closed has no WAL file left."""
    url = f"sqlite:///{tmp_path / 'glomd.sqlite'}"
    db.upgrade(url)
    engine = db.engine_for(url)
    assert url in db.engine_urls() and engine.pool.checkedin() >= 1
    db.forget(url)
    assert url not in db.engine_urls()
    assert not (tmp_path / "glomd.sqlite-wal").exists()
    assert db.engine_for(url) is not engine and db.is_current(url)
    db.forget(url)
    db.forget(url)  # forgetting what is not held is harmless
