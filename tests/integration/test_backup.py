"""Backup and restore: everything comes back, on both engines and across them."""

import pytest

from etl import backup, db, imports
from etl.errors import InputError
from tests.conftest import dump, make_settings, sqlite_url


def test_backup_and_restore_round_trip(catalogue_db, tmp_path):
    engine = db.engine_for(catalogue_db.database_url)
    path = tmp_path / "values.csv"
    path.write_text("kpi,municipality,period,gender,value\nN00640,1277,2021,T,83.0\n"
                    "N00640,0114,2021,T,85.5\n", encoding="utf-8")
    imports.import_value_file(engine, path)
    before = dump(catalogue_db.database_url)
    archive = tmp_path / "backup.zip"
    manifest = backup.backup(catalogue_db.database_url, archive)
    assert manifest["rows"]["kpi_value"] == 2

    # Into a fresh SQLite file (from SQLite or from PostgreSQL)...
    target = sqlite_url(tmp_path, "restored.sqlite")
    backup.restore(archive, target)
    after = dump(target)
    assert {k: v for k, v in after.items() if k != "data_state"} == \
        {k: v for k, v in before.items() if k != "data_state"}
    # ...the data version only grows, so no cache can serve results from before the restore.
    with db.engine_for(target).connect() as connection:
        assert db.data_version(connection) > before["data_state"][0][1]

    # And back over the original, which had changed in between.
    path.write_text("kpi,municipality,period,gender,value\nN00640,1277,2021,T,70.0\n",
                    encoding="utf-8")
    imports.import_value_file(engine, path)
    assert dump(catalogue_db.database_url)["kpi_value"] != before["kpi_value"]
    backup.restore(archive, catalogue_db.database_url)
    restored = dump(catalogue_db.database_url)
    assert restored["kpi_value"] == before["kpi_value"]
    assert restored["import_run"] == before["import_run"]


def test_restore_of_something_else_changes_nothing(catalogue_db, tmp_path):
    before = dump(catalogue_db.database_url)
    bogus = tmp_path / "not-a-backup.zip"
    bogus.write_bytes(b"PK\x03\x04 nope")
    with pytest.raises(InputError, match="ingen säkerhetskopia"):
        backup.restore(bogus, catalogue_db.database_url)
    assert dump(catalogue_db.database_url) == before


def test_restore_into_postgresql_style_ids_continue(catalogue_db, tmp_path):
    archive = tmp_path / "b.zip"
    backup.backup(catalogue_db.database_url, archive)
    target = make_settings(sqlite_url(tmp_path, "t.sqlite"))
    backup.restore(archive, target.database_url)
    engine = db.engine_for(target.database_url)
    path = tmp_path / "v.csv"
    path.write_text("kpi,municipality,period,gender,value\nN00640,1277,2022,T,80.0\n",
                    encoding="utf-8")
    result = imports.import_value_file(engine, path)
    assert result.run_id is not None
