"""The one tabular reader (etl.extract.tables): the header row found within one row limit,
headers normalised by one rule and looked up in a column map, rows returned with their place.

Every kind of input file goes through it, so a file whose header sits at the largest old limit
(40 rows down, as Kolada's web exports were read) is read for every kind.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from openpyxl import Workbook

from etl import targets
from etl.errors import InputError
from etl.extract import contacts, kolada_files, kolada_web, survey_files
from etl.extract.tables import (
    HEADER_SEARCH_ROWS,
    ColumnMap,
    find_header,
    header_key,
    read_column_map,
    read_grids,
)
from etl.settings import DEFAULT_DATA_DIR

MAPPINGS = DEFAULT_DATA_DIR / "mappings"
MAP = ColumnMap.of({"kanal": ["kanal", "kontaktväg"], "skickad": ["skickad", "datum"],
                    "besvarad": ["besvarad"], "enhet": ["enhet", "avdelning"]},
                   {"besvarad": [r"^svar\s+mottaget"]})
REQUIRED = ("kanal", "skickad", "besvarad")


def csv_file(tmp_path: Path, lines: list[str], name: str = "fil.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def xlsx_file(tmp_path: Path, rows: list[list[object]], name: str = "fil.xlsx",
              sheet: str = "Kontakter") -> Path:
    workbook = Workbook()
    workbook.active.title = sheet
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def titles(count: int) -> list[str]:
    """Title rows above a table, as exports write them (a title, notes, blank rows)."""
    return [f"Rubrik {n}" if n % 3 else "" for n in range(1, count + 1)]


@pytest.mark.parametrize("row", [1, 2, 11, 31, HEADER_SEARCH_ROWS])
def test_the_header_is_found_at_any_row_within_the_limit(tmp_path, row):
    path = csv_file(tmp_path, [*titles(row - 1), "kanal;skickad;besvarad",
                               "e-post;2024-05-08;2024-05-09"])
    header = find_header(read_grids(path), MAP, REQUIRED).found
    assert header is not None and header.row == row
    [record] = header.records()
    assert record.row == row + 1
    assert record.cells == {"kanal": "e-post", "skickad": "2024-05-08",
                            "besvarad": "2024-05-09"}


def test_a_header_below_the_limit_is_not_looked_for(tmp_path):
    path = csv_file(tmp_path, [*titles(HEADER_SEARCH_ROWS), "kanal;skickad;besvarad"])
    search = find_header(read_grids(path), MAP, REQUIRED)
    assert search.found is None and search.closest is None


def test_the_first_row_naming_every_required_column_wins(tmp_path):
    # A title that happens to name a column, then the header, then a data row that repeats it.
    path = csv_file(tmp_path, ["Kanal", "", "Kanal;Skickad;Besvarad", "kanal;skickad;besvarad"])
    assert find_header(read_grids(path), MAP, REQUIRED).found.row == 3


@pytest.mark.parametrize("text", [
    "Kanal", "  KANAL  ", "kanal\u00a0", "\u00a0Kontakt\u00a0väg", "Kontakt-väg", "kontakt_väg",
    "Kontakt\nväg", "Kontaktväg:", "(Kanal)", "K.a.n.a.l",
])
def test_headers_are_normalised_by_one_rule(text):
    assert MAP.role_of(text)[0] == "kanal", repr(text)


def test_normalisation_keeps_letters_apart():
    assert header_key("Medelvärde (1–5)") != header_key("Medelvärde (1-5)")  # en dash ≠ hyphen
    assert header_key("Förvaltning") != header_key("Forvaltning")
    assert MAP.role_of("Kanaler") is None


def test_patterns_see_whitespace_collapsed():
    assert MAP.role_of("Svar\u00a0\u00a0mottaget (datum)") == ("besvarad", 1)
    assert MAP.role_of("Svar\nmottaget") == ("besvarad", 1)


def test_of_two_columns_with_one_role_the_first_name_in_the_map_wins(tmp_path):
    path = xlsx_file(tmp_path, [["Avdelning", "Kanal", "Enhet", "Datum", "Skickad",
                                 "Besvarad"]])
    header = find_header(read_grids(path), MAP, REQUIRED).found
    assert header.columns == {"enhet": 2, "kanal": 1, "skickad": 4, "besvarad": 5}
    assert header.names["enhet"] == "Enhet"


def test_unknown_columns_are_left_out_and_rows_keep_their_place(tmp_path):
    path = xlsx_file(tmp_path, [["Rapport 2024"], [], ["Nr", "Kanal", "Notering", "Skickad",
                                                        "Besvarad", "Enhet"],
                                [1, "brev", "x", "2024-05-08", None, None],
                                [2, None, "bara en anteckning", None, None, None],
                                [None, None, None, None, None, None],
                                [3, "e-post", None, "2024-05-09", "2024-05-10", "Kansli"]])
    header = find_header(read_grids(path), MAP, REQUIRED).found
    assert set(header.columns) == {"kanal", "skickad", "besvarad", "enhet"}
    records = list(header.records())
    # Rows with nothing in the mapped columns (a note beside the table, an empty row) are not
    # data; the short row and the missing cells read as "".
    assert [r.row for r in records] == [4, 7]
    assert records[0].cells == {"kanal": "brev", "skickad": "2024-05-08", "besvarad": "",
                                "enhet": ""}
    where = header.where(records[1].row, "enhet")
    assert (Path(where.source).name, where.sheet, where.row, where.column) == (
        "fil.xlsx", "Kontakter", 7, "Enhet")
    assert str(header.where(5, "bemotande")).endswith("rad 5, kolumn «bemotande»")
    assert [r.row for r in header.records(skip_empty=False)] == [4, 5, 6, 7]


def test_missing_required_columns_are_named_with_the_closest_row(tmp_path):
    path = xlsx_file(tmp_path, [["Testkontakter"], ["Kanal", "Skickad", "Kommentar"],
                                ["kanal"]])
    search = find_header(read_grids(path), MAP, REQUIRED)
    assert search.found is None
    assert search.closest.row == 2 and search.missing(REQUIRED) == ["besvarad"]
    where = search.closest.where(search.closest.row)
    assert str(where) == "fil.xlsx, blad «Kontakter», rad 2"


def test_a_header_on_a_later_sheet_is_found(tmp_path):
    workbook = Workbook()
    workbook.active.title = "Om filen"
    workbook.active.append(["Exporterad 2025-01-10"])
    other = workbook.create_sheet("Data")
    other.append(["Kanal", "Skickad", "Besvarad"])
    path = tmp_path / "två.xlsx"
    workbook.save(path)
    header = find_header(read_grids(path), MAP, REQUIRED).found
    assert (header.grid.sheet, header.row) == ("Data", 1)


# --- Every reader goes through it -------------------------------------------------------------


def test_every_mapping_file_is_read_by_the_one_column_map():
    for name in ("survey_headers", "contact_headers", "kolada_web", "target_headers"):
        columns = read_column_map(MAPPINGS / f"{name}.toml")
        assert columns.roles, name


def test_a_broken_mapping_file_is_named(tmp_path):
    path = tmp_path / "trasig.toml"
    path.write_text("[columns\nkanal = 1\n", encoding="utf-8")
    with pytest.raises(InputError, match="mappningsfilen för kolumnrubriker kan inte läsas"):
        read_column_map(path)


def test_the_targets_map_reads_what_the_export_writes():
    columns = read_column_map(targets.MAPPING)
    assert {name: columns.role_of(name) for name in targets.COLUMNS} == {
        name: (name, 0) for name in targets.COLUMNS}
    assert set(targets.REQUIRED) <= set(columns.roles)


def test_no_reader_has_a_row_limit_of_its_own():
    raw = tomllib.loads((MAPPINGS / "kolada_web.toml").read_text(encoding="utf-8"))
    assert "header" not in raw  # the limit is HEADER_SEARCH_ROWS, not a setting per file kind
    for module in (contacts, survey_files, kolada_web):
        assert getattr(module, "HEADER_SEARCH_ROWS", HEADER_SEARCH_ROWS) == HEADER_SEARCH_ROWS


def test_contacts_with_the_header_at_the_largest_old_limit(tmp_path):
    path = csv_file(tmp_path, [*titles(HEADER_SEARCH_ROWS - 1), "Kanal;Skickad;Besvarad",
                               "e-post;2024-05-08;2024-05-09"], "kontakter.csv")
    table = contacts.read_contacts(path, mapping=MAPPINGS / "contact_headers.toml")
    assert table.header_row == HEADER_SEARCH_ROWS
    assert [c.row for c in table.contacts] == [HEADER_SEARCH_ROWS + 1]


def test_contacts_missing_a_column_are_refused_with_the_place(tmp_path):
    path = xlsx_file(tmp_path, [*([t] for t in titles(4)), ["Kanal", "Skickad", "Notering"],
                                ["e-post", "2024-05-08", ""]], "kontakter.xlsx")
    with pytest.raises(InputError) as error:
        contacts.read_contacts(path, mapping=MAPPINGS / "contact_headers.toml")
    text = str(error.value)
    assert "kontakter.xlsx, blad «Kontakter», rad 5" in text
    assert "kolumnen «besvarad» saknas; rubrikerna är «Kanal», «Skickad», «Notering»" in text
    assert "databasen är oförändrad" in text


def test_a_survey_with_the_header_at_the_largest_old_limit(tmp_path):
    path = xlsx_file(tmp_path, [*([t] for t in titles(HEADER_SEARCH_ROWS - 1)),
                                ["Förvaltning", "Enhet", "Den interna kommunikationen fungerar"],
                                ["Socialförvaltningen", "Kansli", 4]], "enkät.xlsx", "Svar")
    table = survey_files.read_survey(path, question_pattern=r"intern(a)?\s+kommunikation(en)?",
                                     mapping=MAPPINGS / "survey_headers.toml")
    assert (table.shape, table.header_row) == ("respondent", HEADER_SEARCH_ROWS)
    assert table.rows.to_dict("records") == [{"row": HEADER_SEARCH_ROWS + 1,
                                              "forvaltning": "Socialförvaltningen",
                                              "enhet": "Kansli", "answer": "4"}]


def test_a_survey_without_a_unit_column_names_the_limit(tmp_path):
    path = csv_file(tmp_path, ["Svar;Fråga 1", "1;4"], "enkät.csv")
    with pytest.raises(InputError, match=f"i de första {HEADER_SEARCH_ROWS} raderna"):
        survey_files.read_survey(path, question_pattern="intern kommunikation",
                                 mapping=MAPPINGS / "survey_headers.toml")


def test_a_kolada_export_with_the_header_at_the_largest_old_limit(tmp_path):
    path = csv_file(tmp_path, ["N00640 Bra bemötande", *titles(HEADER_SEARCH_ROWS - 2),
                               "Kommun;2021;2022", "Åstorp;83;80"], "kolada.csv")
    kpis = {k["id"]: k["title"] for k in kolada_files.fetch_kpis(DEFAULT_DATA_DIR / "kolada")}
    municipalities = {m["id"]: m["title"] for m in
                      kolada_files.fetch_municipalities(DEFAULT_DATA_DIR / "kolada")}
    frame = kolada_web.read_values(path, known_kpis=kpis, known_municipalities=municipalities)
    assert sorted(frame["year"]) == [2021, 2022]
    assert set(frame["municipality_id"]) == {"1277"}


def test_a_tidy_kolada_file_header_by_the_same_rule(tmp_path):
    path = csv_file(tmp_path, [" KPI ;Municipality;period;Gender;VALUE", "N00640;1277;2021;T;83"],
                    "tidy.csv")
    assert kolada_files.sniff_is_tidy(path)
    frame = kolada_files.read_tidy_values(path)
    assert frame.to_dict("records") == [{"kpi": "N00640", "municipality": "1277",
                                         "period": "2021", "gender": "T", "value": "83",
                                         "row": 2}]
    bad = csv_file(tmp_path, ["kpi;kommun;period;gender;value", "N00640;1277;2021;T;83"],
                   "fel.csv")
    with pytest.raises(InputError, match="kolumnerna municipality saknas"):
        kolada_files.read_tidy_values(bad)
