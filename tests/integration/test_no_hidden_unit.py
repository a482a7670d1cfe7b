"""No output shows a hidden survey unit: not a page, a callback answer, an export or a report.

The survey below is made so that every hidden unit has a name and a mean that nothing else
has (Lodjuret 1,33, Järven 4,83, …), so that searching every output for them means something.
Some are hidden for being small, others because they would let a reader subtract their small
sibling from the parent (complementary suppression). As a control, the same survey imported
with the lowest threshold (3) must show the small ones: the search finds them when they are
there.

**Adding an output** (an image, Excel, DOCX or PDF export, the yearly report …): write a
function below, decorated with `@output`, that takes the `World` and yields
(where, text) pairs — the text a reader could see in that output (for binary formats, the
extracted text: `xlsx_text`, pdftotext, python-docx). A new server-side callback must be listed
in `callback_requests` too; `test_every_server_callback_is_searched` fails until it is.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
from openpyxl import load_workbook

from dashboard import runtime
from etl import db, imports, users
from etl.settings import DEFAULT_DATA_DIR, Settings
from tests.conftest import make_settings, sqlite_url
from tests.survey_data import write_csv

QUESTION = "Den interna kommunikationen fungerar bra"
YEARS = (2021, 2023)

# (förvaltning, enhet, answers) per year. Hidden at threshold 5 (see HIDDEN):
#   Lodjuret (3 or 2 answers): too small.
#   Järven: the smallest shown sibling of Lodjuret (Bygg − Plan − Gata − Järven = Lodjuret).
#   Kultur/Museet (4 or 3): too small; Fritid/Badhuset: the smallest förvaltning beside it.
SURVEY = {
    2023: [
        ("Bygg och miljö", "Plan", [4] * 12 + [3] * 8 + [5] * 4),
        ("Bygg och miljö", "Gata", [3] * 9 + [2] * 3 + [4] * 3),
        ("Bygg och miljö", "Lodjuret", [2, 1, 1]),
        ("Bygg och miljö", "Järven", [5, 5, 5, 5, 5, 4]),
        ("Kultur", "Museet", [2, 2, 2, 1]),
        ("Fritid", "Badhuset", [5] * 7 + [4] * 2),
        ("Skola", "Ängen", [4] * 10 + [3] * 12),
        ("Skola", "Backen", [3] * 10 + [4] * 8),
        ("Vård", "Hemtjänst", [3] * 14 + [4] * 10 + [2] * 6),
    ],
    2021: [
        ("Bygg och miljö", "Plan", [4] * 10 + [3] * 10 + [2] * 3),
        ("Bygg och miljö", "Gata", [3] * 12 + [4] * 4),
        ("Bygg och miljö", "Lodjuret", [5, 4]),
        ("Bygg och miljö", "Järven", [3, 3, 3, 3, 3, 3, 2]),
        ("Kultur", "Museet", [1, 1, 2]),
        ("Fritid", "Badhuset", [5] * 5 + [4] * 3 + [3] * 3),
        ("Skola", "Ängen", [4] * 11 + [3] * 9),
        ("Skola", "Backen", [3] * 9 + [4] * 9),
        ("Vård", "Hemtjänst", [3] * 15 + [4] * 9 + [2] * 5),
    ],
}
HIDDEN_NAMES = ("Lodjuret", "Järven", "Kultur", "Museet", "Fritid", "Badhuset")
SMALL = {"Lodjuret", "Kultur", "Museet"}  # hidden for their size (shown at threshold 3)


@dataclass(frozen=True)
class Hidden:
    """A hidden unit in a year, and the strings that would give it away."""

    year: int
    name: str
    mean: float
    respondents: int

    def patterns(self) -> list[re.Pattern]:
        two = f"{self.mean:.2f}"
        return [
            re.compile(re.escape(self.name)),
            # 1,33 or 1.33 as shown, not part of a longer number (81,33 or 1,335)
            re.compile(rf"(?<![\d.,]){re.escape(two)}(?![\d])".replace(r"\.", "[.,]")),
            # the raw float in JSON: 1.3333…
            re.compile(re.escape(f"{self.mean:.4f}") if self.mean * 1e4 % 1 else "(?!)"),
        ]


def hidden_units() -> list[Hidden]:
    units = []
    for year, rows in SURVEY.items():
        by_forvaltning: dict[str, list[int]] = {}
        for forvaltning, enhet, answers in rows:
            by_forvaltning.setdefault(forvaltning, []).extend(answers)
            if enhet in HIDDEN_NAMES:
                units.append(Hidden(year, enhet, sum(answers) / len(answers), len(answers)))
        for forvaltning, answers in by_forvaltning.items():
            if forvaltning in HIDDEN_NAMES:
                units.append(Hidden(year, forvaltning, sum(answers) / len(answers),
                                    len(answers)))
    return units


def survey_rows(year: int) -> list[list]:
    rows = [[f"Medarbetarenkät {year} (testdata)"],
            ["Respondent-ID", "Förvaltning", "Enhet", "Kön", QUESTION]]
    number = year * 1000
    for forvaltning, enhet, answers in SURVEY[year]:
        for answer in answers:
            number += 1
            rows.append([number, forvaltning, enhet, "Annat", answer])
    return rows


# --- The world: a database with the survey, and the app over it -------------------------------


@dataclass
class World:
    settings: Settings
    directory: Path
    import_summaries: list[str]

    def app(self):
        from dashboard.app import create_app

        return create_app(self.settings)


@pytest.fixture(scope="module")
def base_database(tmp_path_factory) -> Path:
    """Catalogue, strategy and the real HME values (the benchmark beside the survey)."""
    directory = tmp_path_factory.mktemp("base")
    settings = make_settings(sqlite_url(directory, "base.sqlite"))
    db.upgrade(settings.database_url)
    engine = db.engine_for(settings.database_url)
    imports.load_bundled_catalogue(engine, settings)
    imports.load_strategy_file(engine, settings)
    with gzip.open(DEFAULT_DATA_DIR / "kolada" / "values.csv.gz", "rt") as handle:
        values = pd.read_csv(handle, dtype=str)
    hme = directory / "hme.csv"
    values.loc[values["kpi"] == "U00200"].to_csv(hme, index=False)
    imports.import_value_file(engine, hme)
    engine.dispose()
    return directory / "base.sqlite"


def make_world(base: Path, directory: Path, threshold: int) -> World:
    with sqlite3.connect(base) as source, sqlite3.connect(directory / "world.sqlite") as copy:
        source.backup(copy)
    settings = make_settings(sqlite_url(directory, "world.sqlite"),
                             anonymity_threshold=threshold)
    engine = db.engine_for(settings.database_url)
    summaries = [imports.import_survey_file(
        engine, write_csv(directory / f"enkat_{year}.csv", survey_rows(year)), settings
    ).summary() for year in YEARS]
    with engine.begin() as connection:  # the survey per unit is shown to those logged in
        users.add_user(connection, ADMIN[0], "admin", ADMIN[1], actor="test")
    return World(settings, directory, summaries)


ADMIN = ("granskare", "ett långt lösenord för granskning")


@pytest.fixture(scope="module")
def world(base_database, tmp_path_factory) -> World:
    return make_world(base_database, tmp_path_factory.mktemp("world"), threshold=5)


@pytest.fixture(scope="module")
def open_world(base_database, tmp_path_factory) -> World:
    """The same survey with the lowest threshold: the small units are shown."""
    return make_world(base_database, tmp_path_factory.mktemp("open"), threshold=3)


@pytest.fixture(autouse=True)
def _restore_runtime_settings():
    """create_app points the process's runtime at its database; other tests share the process."""
    saved = runtime._settings
    yield
    runtime.configure(saved) if saved is not None else setattr(runtime, "_settings", None)


# --- Outputs ------------------------------------------------------------------------------------

Output = Callable[[World], Iterator[tuple[str, str]]]
OUTPUTS: list[Output] = []


def output(function: Output) -> Output:
    OUTPUTS.append(function)
    return function


def readable(data: bytes) -> str:
    """JSON answers as text with å, ä, ö as themselves (not \\u00e4), anything else as is."""
    try:
        return json.dumps(json.loads(data), ensure_ascii=False)
    except ValueError:
        return data.decode("utf-8", errors="replace")


def page_urls(world: World) -> list[str]:
    """Every page, and on goal 3 every year with every förvaltning — hidden ones included."""
    names = sorted({f for rows in SURVEY.values() for f, _, _ in rows})
    urls = ["/", "/mal/1", "/mal/2", "/mal/3"]
    for year in YEARS:
        urls.append(f"/mal/3?ar={year}")
        urls += [f"/mal/3?ar={year}&forv={name}" for name in names]
    return urls


def callback_requests(world: World) -> Iterator[tuple[str, dict]]:
    """The request of every server-side callback, for every state the pages can be in."""
    for url in page_urls(world):
        path, _, search = url.partition("?")
        yield url, {
            "output": ROUTER,
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search",
                        "value": "?" + search if search else ""}],
            "changedPropIds": ["_pages_location.pathname"], "state": [],
        }


ROUTER = ".._pages_content.children..._pages_store.data.."
SEARCHED_CALLBACKS = {ROUTER}


@output
def pages_and_callback_answers(world: World) -> Iterator[tuple[str, str]]:
    """What the browser receives: the page, the shell's layout and every callback's answer
    (the layout of each page in each state, with its figures, hover texts and tables)."""
    app = world.app()
    # Both as anyone may read the pages and as an administrator, who is shown the most.
    for who in ("anonym", "administratör"):
        client = app.server.test_client()
        if who == "administratör":
            client.post("/logga-in", data={"anvandare": ADMIN[0], "losenord": ADMIN[1]})
        for url in page_urls(world):
            page = client.get(url).get_data(as_text=True)
            # Dash's meta tags repeat the address the reader asked for; that is not data.
            yield f"{who}: GET {url}", page.replace(html.escape(url), "").replace(url, "")
        yield f"{who}: GET /_dash-layout", readable(client.get("/_dash-layout").data)
        for where, body in callback_requests(world):
            answer = client.post("/_dash-update-component", json=body)
            assert answer.status_code == 200, (where, answer.data[:500])
            yield f"{who}: callback {where}", readable(answer.data)


def run_cli(world: World, *args: str) -> str:
    """`malbild …` in this process (the same command functions, settings from the environment
    as in a shell), which is quicker than a new Python for every command."""
    from typer.testing import CliRunner

    from dashboard.cli import app
    from etl.settings import get_settings

    env = {"DATABASE_URL": world.settings.database_url,
           "MALBILD_ANONYMITY_THRESHOLD": str(world.settings.anonymity_threshold)}
    get_settings.cache_clear()
    try:
        with mock.patch.dict(os.environ, env):
            result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    return result.output


def xlsx_text(path: Path) -> str:
    workbook = load_workbook(path, read_only=True)
    return "\n".join(" ".join("" if v is None else str(v) for v in row)
                     for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True))


@output
def export_data(world: World) -> Iterator[tuple[str, str]]:
    """`malbild export data` as CSV and as Excel."""
    yield "malbild export data --out -", run_cli(world, "export", "data", "--out", "-")
    path = world.directory / "uppfoljning.xlsx"
    run_cli(world, "export", "data", "--goal", "3", "--out", str(path))
    yield "malbild export data --goal 3 --out .xlsx", xlsx_text(path)


@output
def import_messages(world: World) -> Iterator[tuple[str, str]]:
    """What `malbild etl survey` says about each file."""
    for summary in world.import_summaries:
        yield "malbild etl survey", summary


# --- Tests --------------------------------------------------------------------------------------


def leaks(text: str, units: list[Hidden]) -> list[str]:
    return [f"{unit.name} {unit.year}: «{match.group(0)}»"
            for unit in units for pattern in unit.patterns()
            for match in [pattern.search(text)] if match]


@pytest.mark.parametrize("produce", OUTPUTS, ids=[f.__name__ for f in OUTPUTS])
def test_no_hidden_unit_in_any_output(produce, world):
    units = hidden_units()
    searched = 0
    for where, text in produce(world):
        searched += 1
        found = leaks(text, units)
        assert not found, f"{where} visar en dold enhet: {found}"
    assert searched


def test_the_search_finds_small_units_when_they_are_shown(open_world):
    """The control: with threshold 3 the small units are stored, and the pages (the output
    that shows units) show every one, by name and by mean; so the search above would have
    found a leak."""
    text = "\n".join(t for _, t in pages_and_callback_answers(open_world))
    for unit in hidden_units():
        if unit.name in SMALL and unit.respondents >= 3:
            for pattern in unit.patterns()[:2]:
                assert pattern.search(text), f"{unit.name} {unit.year}: {pattern.pattern}"


def test_every_server_callback_is_searched(world):
    client = world.app().server.test_client()
    client.get("/")
    server_side = {d["output"] for d in client.get("/_dash-dependencies").get_json()
                   if not d.get("clientside_function")}
    assert server_side <= SEARCHED_CALLBACKS, (
        "Nya callbacks på servern: lägg till dem i callback_requests och SEARCHED_CALLBACKS: "
        f"{sorted(server_side - SEARCHED_CALLBACKS)}")


def test_hidden_units_are_the_ones_designed(world):
    """The survey hides what the docstring says (so the search above looks for the right
    things), and the parents still count their answers."""
    from dashboard import queries

    engine = db.engine_for(world.settings.database_url)
    for year in YEARS:
        shown = queries.survey_results(engine, "intern-kommunikation", 5, year=year)
        names = set(shown["forvaltning"]) | set(shown["enhet"])
        assert names.isdisjoint(HIDDEN_NAMES)
        kommun = shown.loc[shown["level"] == "kommun"].iloc[0]
        assert kommun["respondents"] == sum(len(a) for _, _, a in SURVEY[year])
    assert all("6 dolda för att skydda små grupper" in s for s in world.import_summaries)
