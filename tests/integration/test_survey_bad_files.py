"""A corpus of bad survey files: each is refused with a clear message that names the file (and
sheet, row and column where there is one), and the database is exactly as it was.

The files are made here, not committed (the 100 MB one least of all). One database per engine
serves the whole corpus: nothing may change it, and a survey for 2019 is already in it.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from etl import db, imports
from etl.errors import InputError
from tests.cli import run_cli
from tests.conftest import (
    POSTGRES_MISSING,
    _postgres_available,
    dump,
    engine_params,
    fresh_postgres_url,
    make_settings,
    sqlite_url,
)
from tests.survey_data import QUESTION, respondent_rows, write_csv, write_xlsx

# The whole module in one xdist worker, so its module fixtures are built once: spread test by
# test (`--dist loadgroup`), they were built in both workers, and again whenever a worker's
# next test was of another module.
pytestmark = pytest.mark.xdist_group("test_survey_bad_files")

Q = f"kolumn «{QUESTION}»"
UNIT_HEADER = ["Förvaltning", "Enhet", "Antal anställda", "Antal svar", "1", "2", "3", "4", "5",
               "Medelvärde"]
UNIT_TITLE = [f"Resultat per enhet 2021: {QUESTION}"]


@dataclass
class Case:
    name: str
    make: Callable[[Path], Path]
    expected: list[str]
    options: dict = field(default_factory=dict)


def respondent_csv(change: Callable[[list[list]], None] | None = None, *, name: str = "enkat.csv",
                   year: int = 2021) -> Callable[[Path], Path]:
    def make(directory: Path) -> Path:
        rows = respondent_rows(year)
        if change:
            change(rows)
        return write_csv(directory / name, rows)
    return make


def set_cell(row: int, column: int, value: object) -> Callable[[list[list]], None]:
    """Change the cell at a file row (1-based) and column (0-based)."""
    def change(rows: list[list]) -> None:
        rows[row - 1][column] = value
    return change


def unit_csv(rows: list[list], *, header: list[str] = UNIT_HEADER, title: list = UNIT_TITLE
             ) -> Callable[[Path], Path]:
    return lambda d: write_csv(d / "per_enhet.csv", [title, header, *rows])


GOOD_UNITS = [["Bygg", "Plan", 8, 6, 0, 1, 1, 2, 2, "3,83"],
              ["Bygg", "Gata", 10, 6, 1, 1, 2, 1, 1, "3,00"],
              ["Skola", "Ängen", 9, 7, 0, 0, 1, 5, 1, "4,00"]]


def with_unit(index: int, column: int, value: object) -> list[list]:
    rows = [list(r) for r in GOOD_UNITS]
    rows[index][column] = value
    return rows


def raw(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(directory: Path) -> Path:
        path = directory / name
        path.write_bytes(data)
        return path
    return make


def truncated_xlsx(directory: Path) -> Path:
    path = write_xlsx(directory / "halv.xlsx", {"Data": respondent_rows()})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def zip_bomb(directory: Path) -> Path:
    """A small .xlsx whose sheet unpacks to about 1 000 times its size."""
    path = directory / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 2_000_000)
    return path


def not_a_workbook(directory: Path) -> Path:
    path = directory / "arkiv.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hej.txt", "Det här är ingen arbetsbok.")
    return path


def hundred_megabytes(directory: Path) -> Path:
    path = directory / "enorm.csv"
    block = "".join(f"{i};Bygg;Plan;Kvinna;4;4\n" for i in range(10_000)).encode()
    with path.open("wb") as handle:
        handle.write("Respondent-ID;Förvaltning;Enhet;Kön;Jag trivs;Intern kommunikation\n"
                     .encode())
        while handle.tell() < 100 * 1024 * 1024:
            handle.write(block)
    return path


def xlsx_bad_answer(directory: Path) -> Path:
    rows = respondent_rows()
    rows[6][5] = 0
    return write_xlsx(directory / "enkat.xlsx", {"Info": [["Export"]], "Data": rows})


def double_encoded(directory: Path) -> Path:
    text = "\n".join(";".join(map(str, r)) for r in respondent_rows()) + "\n"
    path = directory / "felkodad.csv"
    path.write_bytes(text.encode("utf-8").decode("cp1252").encode("utf-8"))
    return path


def utf16_without_bom(directory: Path) -> Path:
    text = "\n".join(";".join(map(str, r)) for r in respondent_rows()) + "\n"
    path = directory / "utf16.csv"
    path.write_bytes(text.encode("utf-16-le"))
    return path


def employees_file(directory: Path) -> Path:
    return write_csv(directory / "anstallda.csv", [["Förvaltning", "Enhet", "Antal anställda"],
                                                   ["Bygg", "Plan", 2]])


CASES = [
    # --- answers and units, one row per respondent
    Case("answer-7", respondent_csv(set_cell(6, 5, 7)),
         ["enkat.csv, rad 6, " + Q, "svaret «7» ligger utanför skalan 1–5", "oförändrad"]),
    Case("answer-words", respondent_csv(set_cell(9, 5, "ganska bra")),
         ["rad 9", Q, "«ganska bra» ligger utanför skalan"]),
    Case("answer-half", respondent_csv(set_cell(4, 5, "4,5")), ["rad 4", "«4,5»"]),
    Case("answer-0-three-times", respondent_csv(lambda rows: [
        r.__setitem__(5, 0) for r in rows[4:7]]),
         ["rad 5", "«0»", "Samma fel på 2 rader till (6, 7)"]),
    Case("answer-in-a-sheet", xlsx_bad_answer,
         ["enkat.xlsx, blad «Data», rad 7, " + Q, "«0»"]),
    Case("duplicate-respondent", respondent_csv(set_cell(8, 0, 101)),
         ["rad 8, kolumn «Respondent-ID»", "respondent «101» finns två gånger (även på rad 4)"]),
    Case("forvaltning-missing", respondent_csv(set_cell(12, 1, "")),
         ["rad 12, kolumn «Förvaltning»", "enheten saknar namn (förvaltning är tom)"]),
    Case("enhet-missing", respondent_csv(set_cell(5, 2, " ")),
         ["rad 5, kolumn «Enhet»", "enheten saknar namn (enhet är tom)"]),
    Case("no-goal-3-question", respondent_csv(set_cell(3, 5, "Jag får information i tid")),
         ["enkat.csv, rad 3", "saknar frågan för mål 3", "«Jag får information i tid»",
          "survey_question_pattern"]),
    Case("two-goal-3-questions", respondent_csv(set_cell(3, 4, "Intern kommunikation, kommentar")),
         ["rad 3", "flera kolumner passar frågemönstret", "«Intern kommunikation, kommentar»"]),
    Case("no-year", respondent_csv(set_cell(1, 0, "Medarbetarenkät"), name="enkat.csv"),
         ["enkat.csv", "kan inte avgöra vilket år", "--year"]),
    Case("two-years", respondent_csv(set_cell(1, 0, "Medarbetarenkät 2021 jämfört med 2019")),
         ["kan inte avgöra vilket år enkäten gäller (hittade 2019, 2021)"]),
    Case("absurd-year", respondent_csv(), ["inget rimligt enkätår"], {"year": 21}),
    Case("only-vet-ej", respondent_csv(lambda rows: [r.__setitem__(5, "Vet ej")
                                                     for r in rows[3:]]),
         ["rad 4, " + Q, "har inga svar 1–5 på frågan"]),
    Case("header-only", respondent_csv(lambda rows: rows.__delitem__(slice(3, None))),
         ["har inga svar 1–5"]),
    Case("kommun-under-threshold", respondent_csv(lambda rows: rows.__delitem__(
        slice(7, None))), ["hela kommunen har bara 4 svar på frågan", "anonymitetsgränsen 5"]),
    Case("more-respondents-than-employees", respondent_csv(),
         ["anstallda.csv, rad 2, kolumn «Antal anställda»",
          "«Plan» har fler svarande (6) än anställda (2)"],
         {"employees": employees_file}),
    # --- one row per unit
    Case("n-not-sum-of-counts", unit_csv(with_unit(1, 3, 9)),
         ["per_enhet.csv, rad 4, kolumn «Antal svar»",
          "antal svar (9) är inte summan av svaren 1–5 (6)"]),
    Case("mean-not-distribution", unit_csv(with_unit(2, 9, "3,20")),
         ["rad 5, kolumn «Medelvärde»", "medelvärdet 3,20 stämmer inte med fördelningen 1–5, "
          "som ger 4,00."]),
    Case("total-row-missing-units", unit_csv([*GOOD_UNITS, ["Totalt", "", 30, 23, 1, 2, 4, 8, 8,
                                                            "3,74"]]),
         ["rad 6, kolumn «Antal svar»", "summaraden för kommunen har 23 svarande, men "
          "enheterna under den har tillsammans 19", "dolt"]),
    Case("tool-masked-small-group", unit_csv(with_unit(0, 3, "<5")),
         ["rad 3, kolumn «Antal svar»", "«<5» är inte ett heltal", "Exportera utan döljning"]),
    Case("unit-more-respondents-than-employees", unit_csv(with_unit(2, 2, 5)),
         ["rad 5, kolumn «Antal anställda»", "fler svarande (7) än anställda (5)"]),
    Case("unit-twice", unit_csv([*GOOD_UNITS, GOOD_UNITS[0]]),
         ["rad 6, kolumn «Enhet»", "enheten «Plan» står två gånger"]),
    Case("enhet-without-forvaltning", unit_csv(with_unit(1, 0, "")),
         ["rad 4, kolumn «Förvaltning»", "enheten «Gata» saknar förvaltning"]),
    Case("unit-without-name", unit_csv([*GOOD_UNITS, ["", "", 4, 3, 0, 0, 1, 1, 1, "4,00"]]),
         ["rad 6, kolumn «Enhet»", "enheten saknar namn"]),
    Case("negative-count", unit_csv(with_unit(0, 4, -1)), ["rad 3, kolumn «1»", "«-1»"]),
    Case("units-without-mean-or-counts",
         unit_csv([r[:4] for r in GOOD_UNITS], header=UNIT_HEADER[:4]),
         ["per_enhet.csv, rad 2", "saknar medelvärde och antal svar per svarsalternativ"]),
    Case("units-without-question", unit_csv(GOOD_UNITS, title=["Resultat per enhet 2021"]),
         ["rad 2", "nämner frågan om intern kommunikation"]),
    # --- files that are not what they claim, or too big
    Case("empty", raw("tom.csv", b""), ["tom.csv: filen är tom"]),
    Case("missing", lambda d: d / "finns-inte.csv", ["finns-inte.csv: filen finns inte"]),
    Case("corrupt-xlsx", raw("trasig.xlsx", os.urandom(4096)),
         ["trasig.xlsx: filen är ingen giltig Excel-fil"]),
    Case("truncated-xlsx", truncated_xlsx, ["halv.xlsx: filen är ingen giltig Excel-fil"]),
    Case("zip-not-workbook", not_a_workbook,
         ["arkiv.xlsx: filen är ett zip-arkiv men ingen Excel-arbetsbok"]),
    Case("zip-bomb", zip_bomb, ["bomb.xlsx: Excel-filen packas upp till 11 MB", "gånger sin egen "
                                "storlek, vilket är orimligt"]),
    Case("old-xls", raw("gammal.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
         ["gammal.xls: filen är i Excels gamla format (.xls)"]),
    Case("image-as-csv", raw("bild.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + os.urandom(800)),
         ["bild.csv: filen är ingen textfil"]),
    Case("utf16-without-bom", utf16_without_bom, ["utf16.csv: filen ser ut att vara UTF-16"]),
    Case("double-encoded", double_encoded,
         ["felkodad.csv, rad 1: å, ä och ö är felkodade i filen («MedarbetarenkÃ¤t»)"]),
    Case("undecodable", raw("okand.csv", "Förvaltning;Enhet;Intern kommunikation\n".encode()
                            + b"Bygg;Pl\x81n;4\n\xff\xfe\x81\n"),
         ["okand.csv: filens teckenkodning känns inte igen"]),
    Case("no-table", raw("brev.csv", "Hej!\nHär kommer enkäten.\n".encode()),
         ["brev.csv: hittar ingen tabell med enhetskolumn"]),
    Case("100-mb", hundred_megabytes,
         ["enorm.csv: filen är 100 MB; största tillåtna storlek är 20 MB"]),
    # --- years and files already in the database (a survey for 2019 is)
    Case("year-from-another-file", respondent_csv(set_cell(4, 5, 3), name="annan_2019.csv",
                                                  year=2019),
         ["annan_2019.csv", "medarbetarenkäten 2019 är redan inläst från en annan fil "
          "(stored_2019.csv", "--replace"]),
    Case("same-file-another-year", lambda d: stored_file(d), ["stored_2019.csv",
                                                              "redan inläst som medarbetarenkät "
                                                              "2019", "--replace"],
         {"year": 2021}),
]


def stored_file(directory: Path) -> Path:
    return write_csv(directory / "stored_2019.csv", respondent_rows(2019))


@pytest.fixture(scope="module", params=engine_params())
def corpus_db(request, tmp_path_factory) -> Iterator:
    """A database with the strategy and a survey for 2019, shared by the whole corpus."""
    if request.param == "sqlite":
        url_context = None
        url = sqlite_url(tmp_path_factory.mktemp("corpus"))
    else:
        if not _postgres_available():
            if os.environ.get("MALBILD_REQUIRE_DATABASE") == "1":
                pytest.fail("PostgreSQL krävs men svarar inte")
            pytest.skip(POSTGRES_MISSING)
        url_context = fresh_postgres_url()
        url = url_context.__enter__()
    settings = make_settings(url)
    db.upgrade(url)
    engine = db.engine_for(url)
    imports.load_bundled_catalogue(engine, settings)
    imports.load_strategy_file(engine, settings)
    imports.import_survey_file(engine, stored_file(tmp_path_factory.mktemp("stored")), settings)
    yield settings
    if url_context is not None:
        url_context.__exit__(None, None, None)


@pytest.fixture(scope="module")
def before(corpus_db) -> dict:
    return dump(corpus_db.database_url)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_file_is_refused_and_nothing_changes(case, corpus_db, before, tmp_path):
    path = case.make(tmp_path)
    options = {k: (v(tmp_path) if callable(v) else v) for k, v in case.options.items()}
    engine = db.engine_for(corpus_db.database_url)
    with pytest.raises(InputError) as error:
        imports.import_survey_file(engine, path, corpus_db, **options)
    message = str(error.value)
    for part in case.expected:
        assert part in message, f"{part!r} saknas i: {message}"
    assert "Traceback" not in message and len(message) < 1200
    assert dump(corpus_db.database_url) == before


def test_command_line_names_file_row_and_column_and_exits_2(corpus_db, before, tmp_path):
    path = respondent_csv(set_cell(6, 5, 7))(tmp_path)
    result = run_cli("etl", "survey", str(path), url=corpus_db.database_url)
    message = " ".join(result.stderr.split())
    assert result.returncode == 2
    assert message.startswith(f"Fel: enkat.csv, rad 6, {Q}: svaret «7» ligger utanför skalan")
    assert "Traceback" not in result.stderr
    assert dump(corpus_db.database_url) == before


def test_every_case_is_a_different_problem():
    """The corpus stays a corpus: no two cases expect the same first message."""
    firsts = [c.expected[0] + "|" + (c.expected[1] if len(c.expected) > 1 else "")
              for c in CASES]
    assert len(set(firsts)) == len(firsts)
    assert len(CASES) >= 40
