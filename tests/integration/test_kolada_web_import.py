"""Importing Kolada's web exports with `malbild etl file`: stored once, bad files change nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etl import db, imports
from etl.errors import InputError
from tests.cli import run_cli
from tests.conftest import dump

FIXTURES = Path(__file__).parent.parent / "fixtures" / "kolada_web"


@pytest.mark.parametrize(("name", "added"), [
    ("kolada_jamforaren_bemotande.xlsx", 9),
    ("kolada_tva_nyckeltal.csv", 11),
    ("kolada_kon_per_ar.xlsx", 20),
    ("kolada_tidy_export.xlsx", 6),
    ("N00640_bemotande.csv", 6),
])
def test_web_export_is_imported_once(catalogue_db, name, added):
    engine = db.engine_for(catalogue_db.database_url)
    first = imports.import_value_file(engine, FIXTURES / name)
    assert (first.counts.added, first.run_id is not None) == (added, True)
    before = dump(catalogue_db.database_url)
    second = imports.import_value_file(engine, FIXTURES / name)
    assert (second.counts.added, second.counts.unchanged, second.run_id) == (0, added, None)
    assert dump(catalogue_db.database_url) == before


def test_broken_web_export_changes_nothing(catalogue_db, tmp_path):
    engine = db.engine_for(catalogue_db.database_url)
    path = tmp_path / "kolada.csv"
    text = (FIXTURES / "kolada_tva_nyckeltal.csv").read_text(encoding="cp1252")
    path.write_text(text.replace("Bjuv;60,7", "Bjuv;sextio"), encoding="cp1252")
    before = dump(catalogue_db.database_url)
    with pytest.raises(InputError, match=r"kolada\.csv, rad 9, kolumn «2021»: «sextio» är inget"):
        imports.import_value_file(engine, path)
    assert dump(catalogue_db.database_url) == before


def test_layout_from_the_command_line(catalogue_db, tmp_path):
    url = catalogue_db.database_url
    path = tmp_path / "kon.xlsx"
    shutil.copy(FIXTURES / "kolada_kon_per_ar.xlsx", path)
    result = run_cli("etl", "file", str(path), "--layout", "tidy", url=url)
    assert result.returncode == 2
    assert "kon.xlsx: hittar ingen tabell med en rad per värde" in " ".join(
        result.stderr.split())
    result = run_cli("etl", "file", str(path), "--layout", "wide", url=url)
    assert result.returncode == 0, result.stderr
    assert "kon.xlsx: 20 nya, 0 ändrade, 0 borttagna, 0 oförändrade värden." in result.stderr
