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

import base64
import gzip
import html
import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from dashboard.store import runtime
from dashboard.web import first_visit
from etl import db, imports, users
from etl.settings import DEFAULT_DATA_DIR, Settings
from tests.cli import run_cli as run_malbild
from tests.conftest import (
    engine_params,
    fresh_postgres_url,
    make_settings,
    require_postgres,
    sqlite_url,
)
from tests.survey_data import write_csv
from tests.survey_disclosure import revealed

# The whole module in one xdist worker, so its module fixtures are built once: spread test by
# test (`--dist loadgroup`), they were built in both workers, and again whenever a worker's
# next test was of another module.
pytestmark = pytest.mark.xdist_group("test_no_hidden_unit")

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

    def needles(self) -> list[tuple[str, ...]]:
        """Per pattern, the strings of which a match contains one: the regular expression is
        only run where one occurs (a search of a string is many times faster, and the pages'
        answers are searched for every unit)."""
        two = f"{self.mean:.2f}"
        return [(self.name,), (two, two.replace(".", ",")),
                (f"{self.mean:.4f}",) if self.mean * 1e4 % 1 else ()]


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
    # With two versions of a year: what each version showed, and the preview of the second.
    versions: list[pd.DataFrame] = field(default_factory=list)
    preview: dict | None = None
    version_units: list[list[tuple[str, str]]] = field(default_factory=list)  # (förv., enhet)

    def app(self):
        from dashboard.web.app import app_for

        return app_for(self.settings)


@pytest.fixture(scope="module")
def base_database(tmp_path_factory) -> Path:
    """Catalogue, strategy and the real HME values (the benchmark beside the survey)."""
    directory = tmp_path_factory.mktemp("base")
    fill_base(sqlite_url(directory, "base.sqlite"), directory)
    return directory / "base.sqlite"


def fill_base(url: str, directory: Path) -> None:
    settings = make_settings(url)
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


# A corrected export of 2023, imported over the first: it adds Uttern (5 answers) to Bygg och
# miljö. Suppressed on its own it would hide Lodjuret and Uttern and show Järven, and the first
# version's Bygg och miljö minus Plan, Gata and Järven would be Lodjuret (the review's attack).
CORRECTED_2023 = [*SURVEY[2023], ("Bygg och miljö", "Uttern", [4, 4, 3, 3, 2])]
# Another corrected export drops Backen (shown) and moves Järven (hidden) to Skola. Showing Bygg
# och miljö would give Lodjuret (Plan and Gata are known from the first version), Skola would
# give Järven (Skola − Ängen), and a Järven under its new förvaltning would not be hidden at all
# where hiding is keyed on the förvaltning (the second review's attack).
DROPPED_AND_MOVED_2023 = [("Skola", enhet, answers) if enhet == "Järven" else (f, enhet, answers)
                          for f, enhet, answers in SURVEY[2023] if enhet != "Backen"]
CORRECTIONS = {"adds": CORRECTED_2023, "drops-and-moves": DROPPED_AND_MOVED_2023}
CORRECTED_NAME = "enkat_2023_rattad.csv"


def corrected_rows(units: list) -> list[list]:
    rows = [["Medarbetarenkät 2023, rättad export (testdata)"],
            ["Respondent-ID", "Förvaltning", "Enhet", "Kön", QUESTION]]
    number = 2023 * 1000
    for forvaltning, enhet, answers in units:
        for answer in answers:
            number += 1
            rows.append([number, forvaltning, enhet, "Annat", answer])
    return rows


def upload(directory: Path, units: list) -> str:
    content = write_csv(directory / CORRECTED_NAME, corrected_rows(units)).read_bytes()
    return "data:text/csv;base64," + base64.b64encode(content).decode()


def make_versioned_world(url: str, directory: Path, corrected: list) -> World:
    """2021 and 2023 imported, then a corrected 2023 through the upload (preview, confirm)."""
    from dashboard.store import queries
    from dashboard.web import uploads

    settings = make_settings(url, anonymity_threshold=5)
    engine = db.engine_for(url)
    summaries = [imports.import_survey_file(
        engine, write_csv(directory / f"enkat_{year}.csv", survey_rows(year)), settings
    ).summary() for year in YEARS]
    first = queries.survey_results(engine, MEASURE, 5, year=2023)
    content = upload(directory, corrected)
    preview = uploads.preview(engine, settings, "enkat", content, CORRECTED_NAME)
    summaries.append(uploads.confirm(engine, settings, preview.ticket, content, CORRECTED_NAME,
                                     actor=ADMIN[0]))
    second = queries.survey_results(engine, MEASURE, 5, year=2023)
    with engine.begin() as connection:
        users.add_user(connection, ADMIN[0], "admin", ADMIN[1], actor="test")
    units = [[(f, e) for f, e, _ in rows] for rows in (SURVEY[2023], corrected)]
    return World(settings, directory, summaries, [first, second], preview.__dict__, units)


MEASURE = "intern-kommunikation"


@pytest.fixture(scope="module", params=[
    pytest.param((engine.values[0], name), id=f"{engine.values[0]}-{name}", marks=engine.marks)
    for engine in engine_params() for name in CORRECTIONS])
def versioned_world(request, base_database, tmp_path_factory) -> Iterator[World]:
    """Two versions of 2023 on each engine: the second adds a unit, or drops and moves one."""
    engine, correction = request.param
    directory = tmp_path_factory.mktemp(f"versions-{engine}")
    with ExitStack() as stack:
        if engine == "sqlite":
            with sqlite3.connect(base_database) as source, \
                    sqlite3.connect(directory / "world.sqlite") as copy:
                source.backup(copy)
            url = sqlite_url(directory, "world.sqlite")
        else:
            require_postgres()
            url = stack.enter_context(fresh_postgres_url())
            fill_base(url, directory)
        yield make_versioned_world(url, directory, CORRECTIONS[correction])


@pytest.fixture(autouse=True)
def _restore_runtime_settings():
    """app_for points the process's runtime at its database; other tests share the process."""
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
    for search in ("", "enkät", "medarbetar", "förvaltning", *HIDDEN_NAMES):
        yield f"/utforska, sök «{search}»", {
            "output": EXPLORE_SEARCH,
            "outputs": {"id": "explore-kpi", "property": "options"},
            "inputs": [{"id": "explore-search", "property": "value", "value": search}],
            "state": [{"id": "explore-kpi", "property": "value", "value": None}],
            "changedPropIds": ["explore-search.value"],
        }


ROUTER = ".._pages_content.children..._pages_store.data.."
EXPLORE_SEARCH = "explore-kpi.options"
SEARCHED_CALLBACKS = {ROUTER, EXPLORE_SEARCH}
# The administration's callbacks, searched where their answers come from or answering with
# nothing from the survey: the import's preview and its summary are searched as
# `uploads.preview` and `uploads.confirm` give them (`import_preview`, `import_summaries`); the
# others answer with what the administrator wrote (analyses, targets, users) or a list of
# archived reports. A new callback fails the test below until it is put in one of the sets.
ADMIN_IMPORT = {
    "..admin-import-preview.children...admin-import-ticket.data...admin-import-confirm.disabled"
    "...admin-import-confirm.children...admin-import-cancel.disabled"
    "...admin-import-result.children..",
    "..admin-import-result.children@{h}...admin-import-confirm.disabled@{h}"
    "...admin-import-order.data...admin-import-cancel.disabled@{h}..",
    "..admin-import-result.children@{h}...admin-import-ticket.data@{h}..",  # the background job
}
WITHOUT_SURVEY_DATA = {
    # Avbryt: empties the upload, the preview and the ticket, and says so
    "..admin-import-file.contents...admin-import-file.filename...admin-import-result"
    ".children@{h}...admin-import-preview.children@{h}...admin-import-ticket.data@{h}"
    "...admin-import-confirm.disabled@{h}...admin-import-cancel.disabled@{h}..",
    "..admin-analysis-feedback.children...admin-analysis-shown.children..",
    "..admin-target-feedback.children...admin-target-tables.children..",
    "..admin-user-add-feedback.children...admin-users-table.children...admin-user-pick.options"
    "...admin-new-password.value..",
    "..admin-user-role.value...admin-user-active.value...admin-user-email.value..",
    "..admin-user-update-feedback.children...admin-users-table.children@{h}"
    "...admin-user-password.value..",
    # Freezing, and its preview: the goals' verdicts and the kommun's values changed since the
    # last version (the survey at kommun level only, as in the report), the year and version.
    "..reports-feedback.children...reports-listing.children...reports-freeze.hidden@{h}..",
    "..reports-preview-area.children...reports-freeze.hidden..",
    "subscription-feedback.children",  # a person's own address and subscriptions
    # The yearly report made in the background: the bytes /export/rapport/<år>.<format> sends
    # (report_files.report_bytes); the order and the messages name only the year and format.
    "..reports-make-order.data...reports-make-result.children..",
    "..reports-make-file.data...reports-make-result.children@{h}..",
    # Dash's own callbacks that cancel a background job answer with nothing.
    "admin-import-progress-cancel.id", "reports-make-progress-cancel.id",
}


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
            # Dash's meta tags repeat the address the reader asked for, and so does the page
            # router's location in the layout drawn into the page (its query string, as the
            # browser's `location.search` has it); that is not data.
            search = "?" + url.partition("?")[2]
            for address in (html.escape(url), url, json.dumps(first_visit.as_browser(search))):
                page = page.replace(address, "")
            yield f"{who}: GET {url}", page
        yield f"{who}: GET /_dash-layout", readable(client.get("/_dash-layout").data)
        for where, body in callback_requests(world):
            answer = client.post("/_dash-update-component", json=body)
            assert answer.status_code == 200, (where, answer.data[:500])
            yield f"{who}: callback {where}", readable(answer.data)


def run_cli(world: World, *args: str) -> str:
    """`malbild …` over the world's database: everything it wrote, out and error."""
    result = run_malbild(*args, url=world.settings.database_url, env={
        "MALBILD_ANONYMITY_THRESHOLD": str(world.settings.anonymity_threshold)})
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


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


def import_preview(world: World) -> Iterator[tuple[str, str]]:
    """The administrator's preview of the corrected file: new and earlier figures."""
    if world.preview is not None:
        yield "förhandsgranskning", json.dumps(world.preview, ensure_ascii=False, default=str)


@output
def audit_log(world: World) -> Iterator[tuple[str, str]]:
    """The audit log, which keeps what a replacing import replaced."""
    yield "malbild audit export", run_cli(world, "audit", "export", "--out", "-")


# --- Tests --------------------------------------------------------------------------------------


def leaks(text: str, units: list[Hidden]) -> list[str]:
    return [f"{unit.name} {unit.year}: «{match.group(0)}»"
            for unit in units
            for pattern, needles in zip(unit.patterns(), unit.needles(), strict=True)
            if any(needle in text for needle in needles)
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
    server_side = {re.sub(r"@[0-9a-f]{64}", "@{h}", d["output"])  # Dash's hash of a duplicate
                   for d in client.get("/_dash-dependencies").get_json()
                   if not d.get("clientside_function")}
    assert server_side >= SEARCHED_CALLBACKS
    accounted = SEARCHED_CALLBACKS | ADMIN_IMPORT | WITHOUT_SURVEY_DATA
    assert server_side <= accounted, (
        "Nya callbacks på servern: lägg till dem i callback_requests och SEARCHED_CALLBACKS "
        f"(eller förklara varför de inte visar enkätdata): {sorted(server_side - accounted)}")


def test_hidden_units_are_the_ones_designed(world):
    """The survey hides what the docstring says (so the search above looks for the right
    things), and the parents still count their answers."""
    from dashboard.store import queries

    engine = db.engine_for(world.settings.database_url)
    for year in YEARS:
        shown = queries.survey_results(engine, "intern-kommunikation", 5, year=year)
        names = set(shown["forvaltning"]) | set(shown["enhet"])
        assert names.isdisjoint(HIDDEN_NAMES)
        kommun = shown.loc[shown["level"] == "kommun"].iloc[0]
        assert kommun["respondents"] == sum(len(a) for _, _, a in SURVEY[year])
    assert all("6 dolda för att skydda små grupper" in s for s in world.import_summaries)


# --- Two versions of a year ---------------------------------------------------------------------


VERSION_OUTPUTS = [*OUTPUTS, import_preview]


@pytest.mark.parametrize("produce", VERSION_OUTPUTS, ids=[f.__name__ for f in VERSION_OUTPUTS])
def test_no_hidden_unit_in_any_output_of_two_versions(produce, versioned_world):
    """After a corrected re-import of 2023, every output (also the preview and the audit log)
    is searched again: a unit hidden in the first version is hidden in the second too."""
    units = hidden_units()
    for where, text in produce(versioned_world):
        found = leaks(text, units)
        assert not found, f"{where} visar en dold enhet: {found}"


def _views(world: World) -> list[tuple[int, dict]]:
    """What a reader of both versions knows, per source: (version, key → (n, mean))."""
    def from_frame(frame: pd.DataFrame) -> dict:
        return {(r.level, r.forvaltning, r.enhet): (int(r.respondents), float(r.mean))
                for r in frame.itertuples()}

    first, second = world.versions
    views = [(1, from_frame(first)), (2, from_frame(second))]
    old = {(u["level"], u["forvaltning"], u["enhet"]): (u["old_respondents"], u["old_mean"])
           for u in world.preview["units"] if u["old_respondents"] is not None}
    new = {(u["level"], u["forvaltning"], u["enhet"]): (u["respondents"], u["mean"])
           for u in world.preview["units"] if u["respondents"] is not None}
    views += [(1, old), (2, new)]
    engine = db.engine_for(world.settings.database_url)
    with engine.connect() as connection:
        from etl import schema

        for event in connection.execute(schema.AuditEvent.__table__.select()).mappings():
            if event["action"] == "import.survey.replaced":
                views.append((1, {(r["level"], r["forvaltning"], r["enhet"]):
                                  (r["respondents"], r["mean"])
                                  for r in json.loads(event["before"]) if r["year"] == 2023}))
    return views


def _existing(world: World, version: int) -> set[tuple[str, str, str]]:
    units = world.version_units[version - 1]
    return ({("kommun", "", "")} | {("förvaltning", f, "") for f, _ in units}
            | {("enhet", f, e) for f, e in units})


def test_no_subtraction_between_versions_reveals_a_unit(versioned_world):
    """Every parent in any source of either version, minus the children shown in any other
    source that existed in the parent's version, and every unit's change between versions:
    none is a group under the threshold (the first version's Bygg och miljö minus the second
    version's shown enheter was Lodjuret)."""
    threshold = versioned_world.settings.anonymity_threshold
    views = _views(versioned_world)
    assert len(views) == 5
    found = []
    for version_a, a in views:
        exists = _existing(versioned_world, version_a)
        for parent in [k for k in a if k[0] != "enhet"]:
            for _, b in views:
                kids = [n for k, (n, _) in b.items() if k in exists and k != parent
                        and (k[1] == parent[1] if parent[0] == "förvaltning"
                             else k[0] == "förvaltning")]
                rest = a[parent][0] - sum(kids)
                if kids and 0 < rest < threshold:
                    found.append(f"{parent} i version {version_a} − {len(kids)} enheter = {rest}")
        for version_b, b in views:
            if version_b != version_a:
                found += [f"{k} ändras med {a[k][0] - b[k][0]}" for k in a.keys() & b.keys()
                          if 0 < abs(a[k][0] - b[k][0]) < threshold]
    assert not found, found


def test_nothing_read_of_either_version_works_out_a_unit_never_shown(versioned_world):
    """Every source of either version (the pages of each, the preview's old and new figures,
    the audit log of what was replaced) as equations over the smallest units: no unit that
    none of them shows can be worked out by any additions and subtractions, a moved unit
    being the same unknown in both versions. The control: the second version suppressed on
    its own, beside the first version's pages, gives a hidden unit away."""
    from etl.survey import aggregate_respondents, suppress

    world = versioned_world
    views = [(set(figures), world.version_units[version - 1])
             for version, figures in _views(world)]
    assert revealed(views) == set()

    corrected = [(f, e, a) for f, e, answers in CORRECTIONS[_correction(world)]
                 for a in answers]
    alone, _ = suppress(aggregate_respondents(pd.DataFrame(
        corrected, columns=["forvaltning", "enhet", "answer"])), 5)
    assert revealed([views[0], ({r.key for r in alone}, world.version_units[1])]) \
        & {"Lodjuret", "Järven"}


def _correction(world: World) -> str:
    return next(name for name, rows in CORRECTIONS.items()
                if [(f, e) for f, e, _ in rows] == world.version_units[1])


def test_a_correction_that_drops_a_unit_never_shown_is_refused(versioned_world):
    """Without Lodjuret the kommun would change by exactly Lodjuret's answers: the preview
    refuses the file, naming no hidden unit, and nothing changes."""
    from dashboard.web import uploads
    from etl.errors import InputError
    from tests.conftest import dump

    world = versioned_world
    before = dump(world.settings.database_url)
    without = [u for u in CORRECTIONS[_correction(world)] if u[1] != "Lodjuret"]
    with pytest.raises(InputError, match="kan inte visas") as refused:
        uploads.preview(db.engine_for(world.settings.database_url), world.settings, "enkat",
                        upload(world.directory, without), CORRECTED_NAME)
    assert not leaks(str(refused.value), hidden_units())
    assert dump(world.settings.database_url) == before
