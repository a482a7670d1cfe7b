"""Importing Kolada value files: idempotent, transactional, and clear about bad input."""

import gzip
from pathlib import Path

import pytest

from etl import db, imports
from etl.errors import InputError
from tests.cli import run_cli
from tests.conftest import dump

GOOD = "kpi,municipality,period,gender,value\n" + "\n".join(
    f"N00640,{m},2021,T,{v}" for m, v in [("1277", 83.0), ("0114", 85.5), ("1280", 79.1)]
) + "\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_twice_adds_nothing(catalogue_db, tmp_path):
    engine = db.engine_for(catalogue_db.database_url)
    path = write(tmp_path, "values.csv", GOOD)
    first = imports.import_value_file(engine, path)
    assert (first.counts.added, first.run_id is not None) == (3, True)
    before = dump(catalogue_db.database_url)
    second = imports.import_value_file(engine, path)
    assert (second.counts.added, second.counts.unchanged, second.run_id) == (0, 3, None)
    assert dump(catalogue_db.database_url) == before


def test_revised_value_is_updated_and_kept_as_revision(catalogue_db, tmp_path):
    engine = db.engine_for(catalogue_db.database_url)
    imports.import_value_file(engine, write(tmp_path, "a.csv", GOOD))
    revised = GOOD.replace("1277,2021,T,83.0", "1277,2021,T,82.5")
    result = imports.import_value_file(engine, write(tmp_path, "b.csv", revised))
    assert (result.counts.added, result.counts.updated, result.counts.unchanged) == (0, 1, 2)
    revisions = dump(catalogue_db.database_url)["value_revision"]
    assert [(r[1], r[2], r[5], r[6]) for r in revisions] == [("N00640", "1277", 83.0, 82.5)]


def test_gzip_semicolons_decimal_comma_and_missing_markers(catalogue_db, tmp_path):
    engine = db.engine_for(catalogue_db.database_url)
    path = tmp_path / "values.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("kpi;municipality;period;gender;value\n"
                     "N00640;1277;2021;T;83,0\nN00640;0114;2021;T;..\nN00640;1280;2021;T;-\n")
    result = imports.import_value_file(engine, path)
    assert result.counts.added == 1  # missing is not zero: the two markers add no rows


@pytest.mark.parametrize(("text", "expected"), [
    (GOOD.replace("1280,2021,T,79.1", "1280,2021,T,7x9"),
     ["values.csv", "rad 4", "kolumn «value»", "«7x9» är inget tal"]),
    (GOOD.replace("1280,2021", "9999,2021"),
     ["rad 4", "kolumn «municipality»", "9999"]),
    (GOOD.replace("N00640,0114", "N0064,0114"), ["rad 3", "kolumn «kpi»"]),
    (GOOD.replace("1277,2021,T", "1277,21,T"), ["rad 2", "kolumn «period»"]),
    (GOOD.replace("0114,2021,T", "0114,2021,X"), ["rad 3", "kolumn «gender»"]),
    ("kommun,år,värde\n1277,2021,83\n", ["rad 1", "kpi,municipality,period,gender,value"]),
    (GOOD + "N00640,1277,2021,T,70.0\n", ["rad 5", "två gånger med olika värden"]),
])
def test_bad_rows_are_named_and_nothing_is_stored(catalogue_db, tmp_path, text, expected):
    engine = db.engine_for(catalogue_db.database_url)
    before = dump(catalogue_db.database_url)
    with pytest.raises(InputError) as error:
        imports.import_value_file(engine, write(tmp_path, "values.csv", text))
    for part in expected:
        assert part in str(error.value)
    assert dump(catalogue_db.database_url) == before


def test_more_bad_rows_are_counted(catalogue_db, tmp_path):
    engine = db.engine_for(catalogue_db.database_url)
    text = GOOD.replace("83.0", "x").replace("85.5", "y").replace("79.1", "z")
    with pytest.raises(InputError, match=r"rad 2.*Samma fel på 2 rader till \(3, 4\)"):
        imports.import_value_file(engine, write(tmp_path, "values.csv", text))


def test_corrupt_file_from_the_command_line(catalogue_db, tmp_path):
    corrupt = tmp_path / "values.csv.gz"
    corrupt.write_bytes(b"\x1f\x8b\x08\x00garbage, not gzip at all" * 10)
    before = dump(catalogue_db.database_url)
    result = run_cli("etl", "file", str(corrupt), url=catalogue_db.database_url)
    assert result.returncode != 0
    message = " ".join(result.stderr.split())
    assert message.startswith("Fel: values.csv.gz")
    assert "Traceback" not in result.stderr
    assert dump(catalogue_db.database_url) == before


def test_bad_value_from_the_command_line_names_row_and_column(catalogue_db, tmp_path):
    path = write(tmp_path, "kolada.csv", GOOD.replace("85.5", "åttio"))
    before = dump(catalogue_db.database_url)
    result = run_cli("etl", "file", str(path), url=catalogue_db.database_url)
    assert result.returncode == 2
    message = " ".join(result.stderr.split())
    assert "kolada.csv, rad 3, kolumn «value»: «åttio» är inget tal." in message
    assert "databasen är oförändrad" in message
    assert dump(catalogue_db.database_url) == before
