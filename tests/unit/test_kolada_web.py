"""Reading Kolada's web exports (tests/fixtures/kolada_web/): layouts, markers, names, errors.

The example files imitate what kolada.se gives: title rows above the table, years as columns
(with genders), municipality names and/or codes, decimal comma, `-`, `.` and `..`; their values
are the real ones of the bundled extract.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from etl.errors import InputError
from etl.extract import kolada_files, kolada_web, survey_files
from etl.settings import DEFAULT_DATA_DIR

FIXTURES = Path(__file__).parent.parent / "fixtures" / "kolada_web"
KPIS = {k["id"]: k["title"] for k in kolada_files.fetch_kpis(DEFAULT_DATA_DIR / "kolada")}
MUNICIPALITIES = {m["id"]: m["title"]
                  for m in kolada_files.fetch_municipalities(DEFAULT_DATA_DIR / "kolada")}


def read(path: Path, layout: str | None = None) -> set[tuple]:
    frame = kolada_web.read_values(path, known_kpis=KPIS, known_municipalities=MUNICIPALITIES,
                                   layout=layout)
    assert list(frame.columns) == ["kpi_id", "municipality_id", "year", "gender", "value",
                                   "count"]
    return set(frame[["kpi_id", "municipality_id", "year", "gender", "value"]]
               .itertuples(index=False, name=None))


def real(kpis: list[str], municipalities: list[str], genders: str = "T") -> set[tuple]:
    frame = pd.read_csv(DEFAULT_DATA_DIR / "kolada" / "values.csv.gz",
                        dtype={"municipality": str})
    chosen = frame.loc[frame["kpi"].isin(kpis) & frame["municipality"].isin(municipalities)
                       & frame["gender"].isin(list(genders))]
    return set(chosen.itertuples(index=False, name=None))


def test_jamforaren_excel_years_as_columns_kpi_by_title():
    values = read(FIXTURES / "kolada_jamforaren_bemotande.xlsx")
    # Höganäs has only "..", the "ovägt medel" row and the source line are not municipalities.
    assert values == real(["N00640"], ["1277", "1260", "1276", "1283", "0114"])
    assert ("N00640", "1277", 2021, "T", 83.0) in values


def test_csv_from_swedish_excel_with_a_kpi_column_and_names():
    values = read(FIXTURES / "kolada_tva_nyckeltal.csv")  # ; decimal comma, Windows-1252
    assert values == real(["N00640", "N00647"], ["1277", "1260", "0114"])


def test_kpi_ids_above_the_years_and_genders_in_the_headers():
    path = FIXTURES / "kolada_kon_per_ar.xlsx"
    values = read(path)
    assert values == real(["N00640", "N00647"], ["1277", "0114", "1283"], "KM")
    assert read(path, layout="wide") == values


def test_tidy_export_with_swedish_headers():
    values = read(FIXTURES / "kolada_tidy_export.xlsx")
    assert values == {
        ("N00640", "1277", 2021, "T", 83.0), ("N00640", "1277", 2022, "T", 80.0),
        ("N00640", "1277", 2022, "K", 80.7), ("N00640", "1277", 2022, "M", 79.4),
        ("N00647", "1277", 2021, "T", 71.0), ("N00647", "1277", 2022, "T", 70.1),
    }


def test_kpi_from_the_file_name_and_riket_by_name():
    values = read(FIXTURES / "N00640_bemotande.csv")
    assert values == real(["N00640"], ["1277", "1276", "0000"])


def test_names_and_codes_as_people_write_them():
    catalogue = kolada_web.Catalogue(kolada_web.web_mapping(), KPIS, MUNICIPALITIES)
    for text in ("1277", "1277 Åstorp", "Åstorp (1277)", "Åstorp", "åstorps kommun",
                 " Åstorp "):
        assert catalogue.municipality(text) == "1277", text
    assert catalogue.municipality("114 Upplands Väsby") == "0114"
    assert catalogue.municipality("Stockholms stad") == "0180"
    assert catalogue.municipality("Atlantis") is None
    assert catalogue.kpi_in("Bra bemötande (N00640)") == "N00640"
    assert catalogue.kpi_in(KPIS["N00647"].upper()) == "N00647"
    assert catalogue.kpi_in("N00640 och N00647") is None


def test_headers_are_recognised_by_the_same_rule_as_the_survey_headers():
    """One rule for both formats: case, spaces, hyphens, underscores, dots, colons, brackets
    and slashes do not matter ("Kommun / Region" is "kommun/region" of the mapping file)."""
    mapping = kolada_web.web_mapping()
    survey = survey_files.header_map(DEFAULT_DATA_DIR / "mappings" / "survey_headers.toml")
    assert mapping.role_of("Kommun / Region") == "municipality_name"
    assert mapping.role_of("Kommun (kod)") == mapping.role_of("KOMMUN-KOD") == "municipality"
    assert mapping.role_of("Nyckeltals_ID:") == "kpi"
    assert survey.role_of("Nämnd / Förvaltning") == ("forvaltning", 4)
    assert survey.role_of("Medelvärde (1–5)") is None  # an en dash is not a hyphen
    assert survey.role_of("MEDELVÄRDE 1-5") == survey.role_of("Medelvärde (1-5)")
    assert mapping.role_of("Värde i procent") is None


def write_csv(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


WIDE = ["Kolada – Jämföraren", "N00640 Bra bemötande", "", "Kommun;2021;2022",
        "Åstorp;83,0;80,0", "Bjuv;-;73,3"]


@pytest.mark.parametrize(("lines", "layout", "expected"), [
    ([*WIDE[:5], "Bjuv;-;7x,3"], None,
     "export.csv, rad 6, kolumn «2022»: «7x,3» är inget tal."),
    ([*WIDE[:5], "Atlantis;-;73,3"], None,
     "export.csv, rad 6, kolumn «Kommun»: «Atlantis» är ingen kommun"),
    (WIDE[:1] + WIDE[2:], None, "export.csv, rad 3: tabellen säger inte vilket nyckeltal"),
    (["N99999 Okänt", *WIDE[2:]], None,
     "export.csv, rad 1: nyckeltalet «N99999» finns inte i Målbilds katalog"),
    (["N00640 och N00647", *WIDE[2:]], None, "nämner flera nyckeltal (N00640, N00647)"),
    (WIDE, "tidy", "hittar ingen tabell med en rad per värde (nyckeltal, kommun, år, värde)"),
    (WIDE, "lång", "okänt upplägg «lång»"),
    (["Nyckeltal;Kommun;År;Kön;Värde", "N00640;Åstorp;2021;Båda;83,0"], None,
     "rad 2, kolumn «Kön»: «Båda» är inget kön"),
    (["Nyckeltal;Kommun;År;Värde", "N00640;Åstorp;2021;83,0", "N00640;Åstorp;2021;82,0"], None,
     "rad 3, kolumn «Värde»: N00640 för 1277 2021 (T) står två gånger med olika värden"),
    (["Vad som helst;annat", "1;2"], None, "hittar ingen tabell med"),
])
def test_bad_exports_are_explained(tmp_path, lines, layout, expected):
    path = write_csv(tmp_path, "export.csv", lines)
    with pytest.raises(InputError) as error:
        read(path, layout)
    assert expected in str(error.value)


def test_bad_cell_in_excel_names_sheet_row_and_year_column(tmp_path):
    workbook = load_workbook(FIXTURES / "kolada_jamforaren_bemotande.xlsx")
    workbook["Jämföraren"]["F8"] = "sju"
    path = tmp_path / "jamforaren.xlsx"
    workbook.save(path)
    with pytest.raises(InputError) as error:
        read(path)
    assert str(error.value).startswith(
        "jamforaren.xlsx, blad «Jämföraren», rad 8, kolumn «2022»: «sju» är inget tal.")
    assert "databasen är oförändrad" in str(error.value)
