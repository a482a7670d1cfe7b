"""Privacy and access: what an outside review of the running app found, each closed.

Downloads of the survey per förvaltning, proxies and the login limit, the last administrator,
markup in unit names, the page cache, sessions, the Redis cache, bodies and render slots, the
database being down, concurrent confirms, the targets export, odd input, passwords, the
import ticket, big uploads, names with "/", single sign-on, the request log and the headers.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from unittest import mock

import pytest
from sqlalchemy import func, select

from dashboard.present import charts
from dashboard.store import runtime
from dashboard.web import uploads
from etl import db, imports, schema, users
from etl.errors import InputError
from etl.settings import Settings
from tests.conftest import copy_of, make_settings
from tests.served import ADMIN, VIEWER, Account, add_accounts
from tests.survey_data import write_csv

# The whole module in one xdist worker, so its module fixtures are built once: spread test by
# test (`--dist loadgroup`), they were built in both workers, and again whenever a worker's
# next test was of another module.
pytestmark = pytest.mark.xdist_group("test_privacy")

OTHER_VIEWER = Account("annan-lasare", "ett långt lösenord för den andra läsaren", "viewer")
REDIS_URL = os.environ.get("MALBILD_TEST_REDIS_URL")
SURVEY = "/export/chart/intern-kommunikation"


@pytest.fixture(scope="module")
def demo(sqlite_demo, tmp_path_factory) -> Iterator[Settings]:
    """A private copy of the demo (SQLite) with an administrator and two viewers."""
    with copy_of(sqlite_demo, tmp_path_factory.mktemp("privacy")) as settings:
        add_accounts(settings.database_url, (ADMIN, VIEWER, OTHER_VIEWER))
        yield settings


@pytest.fixture
def app_client(demo):
    """make(account, **settings) → a logged-in (or anonymous) test client of a new app."""
    from dashboard.web.app import app_for

    previous = runtime._settings

    def make(account: Account | None = None, **overrides):
        settings = make_settings(demo.database_url, secret_key="test" * 10, **overrides)
        client = app_for(settings).server.test_client()
        if account is not None:
            response = client.post("/logga-in", data={"anvandare": account.username,
                                                      "losenord": account.password})
            assert response.status_code == 303
            assert "fel=" not in response.headers["Location"]
        return client

    yield make
    runtime.configure(previous)


def post_callback(client, body: dict):
    """As the browser sends it: "output" first (Flask's test client would sort the keys)."""
    return client.post("/_dash-update-component", data=json.dumps(body),
                       headers={"Content-Type": "application/json"})


def render(client, path: str, search: str = "") -> str:
    response = post_callback(client, {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"},
                    {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": ["_pages_location.pathname"], "state": []})
    assert response.status_code == 200, response.data[:300]
    return json.dumps(response.get_json()["response"]["_pages_content"], ensure_ascii=False)


# --- 2. Survey downloads per förvaltning -----------------------------------------------------


def test_survey_downloads_per_forvaltning_need_login_and_name_nothing(app_client):
    shown = f"{SURVEY}/fordelning/2021/Kommunledningsförvaltningen"
    missing = f"{SURVEY}/fordelning/2021/Finns inte"
    anonymous = app_client()
    answers = {anonymous.get(f"{path}.{suffix}").data
               for path in (shown, missing) for suffix in ("csv", "xlsx", "png")}
    assert len(answers) == 1 and "Logga in" in answers.pop().decode()
    assert anonymous.get(f"{shown}.csv").status_code == 401
    assert anonymous.get(f"{SURVEY}/fordelning/2021.csv").status_code == 200  # whole kommun

    viewer = app_client(VIEWER)
    assert viewer.get(f"{shown}.csv").status_code == 200
    refusals = [viewer.get(f"{SURVEY}/{view}/2021/Finns inte.csv")
                for view in ("fordelning", "forvaltningar")]
    assert {r.status_code for r in refusals} == {404}
    assert {r.get_data(as_text=True).strip() for r in refusals} == {charts.NOT_SHOWN}


# --- 3. The login limit: no forged X-Forwarded-For, atomic check and count -------------------


def test_forwarded_for_is_believed_only_from_a_configured_proxy(app_client, demo):
    from dashboard.web import auth

    for trusted, peer, forwarded, expected in [
        ([], "127.0.0.1", "6.6.6.6", "127.0.0.1"),  # trust none by default
        (["10.0.0.1"], "127.0.0.1", "6.6.6.6", "127.0.0.1"),  # not from the proxy
        (["10.0.0.1"], "10.0.0.1", "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # what it appended
        (["10.0.0.0/8"], "10.0.0.1", "203.0.113.9, 10.0.0.7", "203.0.113.9"),  # two proxies
    ]:
        app = app_client(trusted_proxies=trusted).application
        with app.test_request_context("/", headers={"X-Forwarded-For": forwarded},
                                      environ_base={"REMOTE_ADDR": peer}):
            assert auth.client_address() == expected, (trusted, peer, forwarded)

    client = app_client()
    for number in range(3):  # a forged header does not give a new address to count
        client.post("/logga-in", data={"anvandare": "ingen", "losenord": "fel"},
                    headers={"X-Forwarded-For": f"198.51.100.{number}"})
    with db.engine_for(demo.database_url).connect() as connection:
        addresses = set(connection.scalars(select(schema.LoginAttempt.remote_addr).where(
            schema.LoginAttempt.username == "ingen")))
    assert addresses == {"127.0.0.1"}


def test_parallel_wrong_passwords_never_check_more_than_the_limit(catalogue_db):
    engine = db.engine_for(catalogue_db.database_url)
    with engine.begin() as connection:
        users.add_user(connection, "mal", "viewer", "ett långt lösenord att gissa", actor="t")
    start = threading.Barrier(16)
    checked = []

    def guess() -> None:
        start.wait()
        result = users.authenticate(engine, "mal", "fel gissning", "192.0.2.1")
        if result.locked_until is None:
            checked.append(result)

    threads = [threading.Thread(target=guess) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checked) <= users.MAX_FAILURES_PER_USER


# --- 4. The last administrator -----------------------------------------------------------------


def test_two_demotions_at_once_leave_an_administrator(catalogue_db):
    engine = db.engine_for(catalogue_db.database_url)
    with engine.begin() as connection:
        for name in ("forsta", "andra"):
            users.add_user(connection, name, "admin", "ett långt lösenord för " + name,
                           actor="t")
    counted = threading.Barrier(2, timeout=3)
    real_count = users._admins

    def count_then_wait(connection):
        number = real_count(connection)
        # Both demotions have counted before either changes anything (if they can).
        with contextlib.suppress(threading.BrokenBarrierError):
            counted.wait()
        return number

    outcomes: list[str] = []

    def demote(name: str) -> None:
        try:
            with engine.begin() as connection:
                users.update_user(connection, name, actor="t", role="viewer")
            outcomes.append("ok")
        except InputError:
            outcomes.append("vägrad")

    with mock.patch.object(users, "_admins", count_then_wait):
        threads = [threading.Thread(target=demote, args=(n,)) for n in ("forsta", "andra")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    with engine.connect() as connection:
        assert users._admins(connection) == 1
    assert sorted(outcomes) == ["ok", "vägrad"]


# --- 5. Markup in unit names -------------------------------------------------------------------

LINK = '<a href="https://example.test/">Klicka</a>'


def _strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def test_markup_in_unit_names_is_text_in_every_chart(catalogue_db, tmp_path):
    from dashboard.store import queries

    rows = [["Medarbetarenkät 2027"], ["Förvaltning", "Enhet", "Den interna kommunikationen "
                                       "i kommunen fungerar bra"]]
    for forvaltning, enhet in ((LINK, LINK), (LINK, "Två"), ("Omsorg", "Tre")):
        rows += [[forvaltning, enhet, 4]] * 6
    engine = db.engine_for(catalogue_db.database_url)
    imports.import_survey_file(engine, write_csv(tmp_path / "enkat.csv", rows), catalogue_db)
    info = queries.measure(engine, "intern-kommunikation")
    views = [charts.survey_units_view(engine, catalogue_db, info, 2027),
             charts.survey_units_view(engine, catalogue_db, info, 2027, LINK),
             charts.distribution_view(engine, catalogue_db, info, 2027, LINK)]
    for view in views:
        texts = list(_strings(view.figure.to_plotly_json()))
        assert not [t for t in texts if "<a" in t.lower()], view.key
        assert any("&lt;a href" in t for t in texts)


# --- 6. The page cache and other people's names -----------------------------------------------


def test_a_cached_page_never_shows_another_persons_name(app_client):
    """Two viewers of the same server (one page cache), each shown a page that names them."""
    app = app_client().application
    pages = []
    for account in (VIEWER, OTHER_VIEWER, VIEWER):
        client = app.test_client()
        client.post("/logga-in", data={"anvandare": account.username,
                                       "losenord": account.password})
        pages.append(render(client, "/admin"))
    assert VIEWER.username in pages[0] and OTHER_VIEWER.username not in pages[0]
    assert OTHER_VIEWER.username in pages[1] and VIEWER.username not in pages[1]
    assert pages[2] == pages[0]


def test_a_first_answer_never_shows_another_persons_name(app_client):
    """The same for the page drawn into the index HTML (dashboard/web/first_visit.py)."""
    app = app_client().application
    pages = []
    for account in (VIEWER, OTHER_VIEWER, VIEWER, None):
        client = app.test_client()
        if account is not None:
            client.post("/logga-in", data={"anvandare": account.username,
                                           "losenord": account.password})
        page = client.get("/mal/3").get_data(as_text=True)
        layout = page.index('id="malbild-answer-_dash-layout"')  # not the config's random id
        pages.append(page[layout:page.index("</script>", layout)])
    assert VIEWER.username in pages[0] and OTHER_VIEWER.username not in pages[0]
    assert OTHER_VIEWER.username in pages[1] and VIEWER.username not in pages[1]
    assert pages[2] == pages[0]
    assert VIEWER.username not in pages[3] and OTHER_VIEWER.username not in pages[3]
    assert "goal3-forvaltning" in pages[0] and "goal3-forvaltning" not in pages[3]


# --- 7. Logging out ends the session on the server -------------------------------------------


def test_a_copied_cookie_is_worthless_after_logging_out(app_client, demo):
    from dashboard.web.auth import SESSION_COOKIE

    client = app_client(ADMIN)
    stolen = client.get_cookie(SESSION_COOKIE).value
    assert client.get("/admin").status_code == 200
    client.post("/logga-ut")
    thief = app_client()
    thief.set_cookie(SESSION_COOKIE, stolen)
    assert thief.get("/admin").status_code == 302

    # A new password and a disabled account end every session too.
    extra = Account("tillfallig", "ett långt lösenord för en kort stund", "admin")
    add_accounts(demo.database_url, (extra,))
    engine = db.engine_for(demo.database_url)
    for change in ({"password": "ett helt annat långt lösenord"}, {"disabled": True}):
        client = app_client(Account(extra.username, extra.password, "admin"))
        copy = app_client()
        copy.set_cookie(SESSION_COOKIE, client.get_cookie(SESSION_COOKIE).value)
        with engine.begin() as connection:
            users.update_user(connection, extra.username, actor="t", **change)
        assert copy.get("/admin").status_code == 302
        with engine.begin() as connection:  # back as it was for the next round
            users.update_user(connection, extra.username, actor="t", disabled=False,
                              password=extra.password)
        extra = Account(extra.username, extra.password, "admin")


# --- 8 and 9. Redis holds data only, capped; bodies; render slots ---------------------------


@pytest.fixture
def redis_cache():
    if not REDIS_URL:
        pytest.skip("Redis saknas (sätt MALBILD_TEST_REDIS_URL)")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    from dashboard.store import cache

    cache.configure(None)


def test_redis_holds_only_json_answers_and_healthz_names_no_key(app_client, redis_cache):
    client = app_client(redis_url=REDIS_URL)
    for path in ("/", "/mal/1", "/mal/3", "/utforska"):
        render(client, path)
    values = [redis_cache.get(key) for key in redis_cache.keys("*")
              if redis_cache.type(key) == b"string"]  # not the lists of keys and versions
    assert values
    for value in values:
        if not value.isdigit():  # the byte count
            json.loads(value)  # a page answer, as sent: never a pickle
    health = client.get("/healthz").get_data(as_text=True)
    assert "malbild:" not in health and "redis://" not in health


def test_new_query_strings_cannot_grow_the_page_cache_without_bound(app_client, redis_cache):
    from dashboard.store import cache

    client = app_client(redis_url=REDIS_URL, page_cache_entries=5)
    for number in range(12):
        render(client, "/utforska", f"?kpi=N00640&x={number}")
    pages = [k for k in redis_cache.keys("*") if f":{cache.PAGE_ANSWER}:".encode() in k]
    assert len(pages) == 5


def test_large_bodies_only_for_an_administrators_callbacks(app_client):
    body = b'{"output": "x", "padding": "' + b"a" * (5 * 1024 * 1024) + b'"}'
    headers = {"Content-Type": "application/json"}
    for account in (None, VIEWER):
        answer = app_client(account).post("/_dash-update-component", data=body,
                                          headers=headers)
        assert answer.status_code == 413
    assert app_client(ADMIN).post("/_dash-update-component", data=body,
                                  headers=headers).status_code != 413


def test_a_crowd_asking_for_reports_gets_a_few_slots_and_healthz_still_answers(app_client):
    from dashboard.present.export import report_files as report

    running, most = [0], [0]
    lock = threading.Lock()

    def slow_report(*_args, **_kwargs) -> bytes:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.5)
        with lock:
            running[0] -= 1
        return b"%PDF"

    client = app_client()
    statuses: list[int] = []
    with mock.patch.object(report, "report_bytes", slow_report):
        threads = [threading.Thread(target=lambda: statuses.append(
            client.get("/export/rapport/2022.pdf").status_code)) for _ in range(12)]
        for thread in threads:
            thread.start()
        started = time.perf_counter()
        assert client.get("/healthz").status_code == 200
        assert time.perf_counter() - started < 2
        for thread in threads:
            thread.join()
    assert most[0] <= 2  # the render slots of one worker process
    assert set(statuses) <= {200, 503} and 503 in statuses


# --- 10. The database down ---------------------------------------------------------------------


def test_database_down_gives_a_swedish_503_everywhere(demo, tmp_path):
    from dashboard.web.app import app_for

    previous = runtime._settings
    down = make_settings("postgresql+psycopg://malbild@127.0.0.1:9/finns_inte",
                         secret_key="test" * 10)
    try:
        client = app_for(down).server.test_client()
        for method, path in (("get", "/"), ("get", "/mal/1"), ("get", "/export/data.csv"),
                             ("post", "/logga-in")):
            answer = getattr(client, method)(path, headers={"Accept": "text/html"})
            assert answer.status_code == 503, path
            assert "Databasen svarar inte just nu" in answer.get_data(as_text=True), path
        assert "Databasen svarar inte just nu" in render(client, "/mal/1")
    finally:
        runtime.configure(previous)


# --- 11. Two confirms of one preview -----------------------------------------------------------


def test_concurrent_confirms_of_one_preview_give_a_clear_message(catalogue_db, tmp_path):
    engine = db.engine_for(catalogue_db.database_url)
    csv = "kpi,municipality,period,gender,value\n" + "".join(
        f"N00640,1277,{year},T,8{year % 10}.5\n" for year in range(2010, 2024))
    upload = "data:text/csv;base64," + base64.b64encode(csv.encode()).decode()
    preview = uploads.preview(engine, catalogue_db, "kolada", upload, "k.csv")
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def confirm() -> None:
        start.wait()
        try:
            outcomes.append(uploads.confirm(engine, catalogue_db, preview.ticket, upload,
                                            "k.csv", actor="t"))
        except InputError as exc:
            outcomes.append("fel: " + exc.explain())
        except Exception as exc:  # what the review saw as HTTP 500
            outcomes.append(f"500: {type(exc).__name__}")

    threads = [threading.Thread(target=confirm) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [o for o in outcomes if o.startswith("500")], outcomes
    assert sum("14 nya" in o for o in outcomes) == 1, outcomes
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(schema.KpiValue)) == 14


# --- 12. malbild targets export ----------------------------------------------------------------


def test_targets_export_neutralises_formulas_and_writes_the_format_asked(catalogue_db,
                                                                         tmp_path):
    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from dashboard.cli import app
    from etl import targets
    from etl.settings import get_settings

    engine = db.engine_for(catalogue_db.database_url)
    with engine.begin() as connection:
        connection.execute(schema.Target.__table__.update().values(
            diarienummer='=HYPERLINK("https://example.test","x")', decision_body="@KS"))
    env = {"DATABASE_URL": catalogue_db.database_url}
    get_settings.cache_clear()
    try:
        with mock.patch.dict(os.environ, env):
            for name in ("mal.csv", "mal.xlsx"):
                result = CliRunner().invoke(app, ["targets", "export", str(tmp_path / name)])
                assert result.exit_code == 0, result.output
    finally:
        get_settings.cache_clear()
    text = (tmp_path / "mal.csv").read_text(encoding="utf-8-sig")
    assert ';"\'=HYPERLINK' in text and ";'@KS;" in text
    assert (tmp_path / "mal.xlsx").read_bytes()[:2] == b"PK"
    sheet = load_workbook(tmp_path / "mal.xlsx").active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert cells and all(c.data_type == "s" for c in cells if c.value is not None)
    assert not [c for c in cells if str(c.value or "").startswith(("=", "@"))]
    assert len(targets.read_targets(engine, tmp_path / "mal.xlsx")) == len(
        targets.export_rows(engine))


# --- 13. Odd input ---------------------------------------------------------------------------


def test_unicode_digits_line_breaks_and_odd_values_never_give_500(app_client):
    client = app_client()
    for search in ("?fran=²&till=²&ar=²", "?fran=٣٠٠٢", "?ar=¹²³⁴"):
        render(client, "/utforska", search)
        render(client, "/mal/3", search)
    assert client.get("/export/rapport/²⁰²².pdf").status_code == 404
    login = client.get("/logga-in?nasta=/admin%0d%0aSet-Cookie:%20x=1")
    assert login.status_code == 200
    answer = client.post("/logga-in", data={"anvandare": "x", "losenord": "y",
                                            "nasta": "/admin\r\nSet-Cookie: x=1"})
    assert answer.status_code == 303 and "\n" not in answer.headers["Location"]
    odd = client.post("/_dash-update-component", json={
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"},
                    {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": ["/mal/1"]},
                   {"id": "_pages_location", "property": "search", "value": {"a": 1}}],
        "changedPropIds": ["_pages_location.pathname"], "state": []})
    assert odd.status_code in (200, 204) or (
        odd.status_code == 400 and "Anropet innehöll ett värde" in odd.get_data(as_text=True))


# --- 14. Passwords and names ---------------------------------------------------------------------


@pytest.mark.parametrize("password", [
    "password1234", "            ", "aaaaaaaaaaaa", "abcdefghijklmn", "123456789012",
    "hejhejhejhej", "Lösenord1234", "PASSWORD-1234"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(InputError, match="för lätt att gissa"):
        users.check_password(password)


def test_a_good_passphrase_is_accepted():
    assert users.check_password("blå kanot under trappan")


def test_names_differing_only_by_punctuation_or_case_are_refused(catalogue_db):
    engine = db.engine_for(catalogue_db.database_url)
    with engine.begin() as connection:
        users.add_user(connection, "anna.berg", "viewer", "blå kanot under trappan", actor="t")
    for lookalike in ("anna_berg", "Anna-Berg", "annaberg"):
        with pytest.raises(InputError, match="för likt"), engine.begin() as connection:
            users.add_user(connection, lookalike, "viewer", "blå kanot under trappan",
                           actor="t")


# --- 15. The import ticket is signed -----------------------------------------------------------


def test_a_forged_import_ticket_is_refused(catalogue_db):
    engine = db.engine_for(catalogue_db.database_url)
    csv = "kpi,municipality,period,gender,value\nN00640,1277,2023,T,81.5\n"
    upload = "data:text/csv;base64," + base64.b64encode(csv.encode()).decode()
    preview = uploads.preview(engine, catalogue_db, "kolada", upload, "k.csv")
    forged = {"sha256": preview.sha256, "version": preview.version, "kind": "kolada",
              "year": None, "filename": "k.csv"}
    for ticket in (forged, json.dumps(forged), preview.ticket[:-2] + "xx"):
        with pytest.raises(InputError, match="inte giltig"):
            uploads.confirm(engine, catalogue_db, ticket, upload, "k.csv", actor="t")
    assert "1 nya" in uploads.confirm(engine, catalogue_db, preview.ticket, upload, "k.csv",
                                      actor="t")


# --- 16. Too big uploads say so on the page ---------------------------------------------------


def test_a_too_big_upload_is_refused_on_the_page(app_client):
    client = app_client(ADMIN, upload_max_bytes=1024 * 1024)
    contents = "data:text/csv;base64," + "A" * (4 * 1024 * 1024)
    answer = post_callback(client, {
        "output": "..admin-import-preview.children...admin-import-ticket.data...admin-import-"
                  "confirm.disabled...admin-import-confirm.children...admin-import-cancel."
                  "disabled...admin-import-result.children..",
        "outputs": [], "inputs": [{"id": "admin-import-file", "property": "contents",
                                   "value": contents}],
        "changedPropIds": ["admin-import-file.contents"], "state": []})
    assert answer.status_code == 200
    text = json.dumps(answer.get_json(), ensure_ascii=False)
    assert "Filen är för stor: största tillåtna storlek är 1 MB." in text
    with pytest.raises(InputError, match=r"är 1 MB\. Kontrollera"):
        uploads.decode(contents, "stor.csv", 1024 * 1024)


def test_a_survey_file_with_a_bad_row_is_refused_whole_saying_why(app_client, demo):
    """No partial survey import: leaving a respondent out would change n and the means the
    anonymity threshold is checked on, so the page refuses the file and says why."""
    from tests.conftest import dump

    rows = [["Medarbetarenkät 2027"], ["Förvaltning", "Enhet", "Den interna kommunikationen "
                                       "i kommunen fungerar bra"]]
    rows += [["Skola", "Ängen", 4]] * 6 + [["Skola", "Ängen", 7]]
    content = "\n".join(";".join(map(str, row)) for row in rows).encode()
    client = app_client(ADMIN)
    before = dump(demo.database_url)  # after the login, which is stored
    output = ("..admin-import-preview.children...admin-import-ticket.data...admin-import-"
              "confirm.disabled...admin-import-confirm.children...admin-import-cancel."
              "disabled...admin-import-result.children..")
    answer = post_callback(client, {
        "output": output,
        "outputs": [dict(zip(("id", "property"), part.split(".", 1), strict=True))
                    for part in output.strip(".").split("...")],
        "inputs": [{"id": "admin-import-file", "property": "contents",
                    "value": "data:text/csv;base64," + base64.b64encode(content).decode()},
                   {"id": "admin-import-kind", "property": "value", "value": "enkat"},
                   {"id": "admin-import-year", "property": "value", "value": None}],
        "state": [{"id": "admin-import-file", "property": "filename", "value": "enkät.csv"}],
        "changedPropIds": ["admin-import-file.contents"]})
    assert answer.status_code == 200, answer.data[:300]
    text = json.dumps(answer.get_json(), ensure_ascii=False)
    assert "«7» ligger utanför skalan 1–5" in text
    assert "En medarbetarenkät läses in hel eller inte alls" in text
    assert "Importera de giltiga raderna" not in text
    assert dump(demo.database_url) == before


# --- 17. A förvaltning name with "/" ---------------------------------------------------------


def test_a_forvaltning_with_a_slash_has_working_download_links(app_client, demo, tmp_path):
    from dashboard.store import queries

    rows = [["Medarbetarenkät 2027"], ["Förvaltning", "Enhet", "Den interna kommunikationen "
                                       "i kommunen fungerar bra"]]
    for forvaltning, enhet in (("Vård/omsorg", "Hemtjänst"), ("Vård/omsorg", "Boende"),
                               ("Skola", "Ängen")):
        rows += [[forvaltning, enhet, 4]] * 6
    engine = db.engine_for(demo.database_url)
    imports.import_survey_file(engine, write_csv(tmp_path / "enkat.csv", rows), demo)
    info = queries.measure(engine, "intern-kommunikation")
    client = app_client(VIEWER)
    for build in (charts.survey_units_view, charts.distribution_view):
        key = build(engine, demo, info, 2027, "Vård/omsorg").key
        answer = client.get(f"/export/chart/{key}.csv")
        assert answer.status_code == 200, key
        assert "Vård/omsorg" in answer.get_data(as_text=True) or "Hemtjänst" in \
            answer.get_data(as_text=True)


# --- 18. Single sign-on needs a configured proxy ---------------------------------------------


def test_single_sign_on_without_a_configured_proxy_is_refused():
    with pytest.raises(ValueError, match="MALBILD_TRUSTED_PROXIES"):
        Settings(database_url="sqlite://", trust_proxy_user_header="X-Remote-User")
    assert Settings(database_url="sqlite://", trust_proxy_user_header="X-Remote-User",
                    trusted_proxies=["10.0.0.1"]).trusted_proxies == ["10.0.0.1"]
    assert Settings(database_url="sqlite://").trusted_proxies == []


def test_serve_trusts_forwarded_headers_only_from_configured_proxies():
    from dashboard.web.server import gunicorn_options

    assert gunicorn_options("127.0.0.1", 1, 1, 1, [])["forwarded_allow_ips"] == ""
    assert gunicorn_options("127.0.0.1", 1, 1, 1, ["10.0.0.1"])["forwarded_allow_ips"] == \
        "10.0.0.1"


# --- 19. The request log -----------------------------------------------------------------------


class _Fields(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.entries: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.entries.append(getattr(record, "fields", {}))


def test_request_log_keeps_the_real_peer(app_client):
    logger = logging.getLogger("malbild.request")
    handler = _Fields()
    logger.addHandler(handler)
    try:
        app_client().get("/healthz", headers={"X-Forwarded-For": "6.6.6.6"})
        app_client(trusted_proxies=["127.0.0.1"]).get(
            "/healthz", headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.9"})
    finally:
        logger.removeHandler(handler)
    untrusted, trusted = [e for e in handler.entries if e.get("path") == "/healthz"][-2:]
    assert untrusted["remote"] == "127.0.0.1" and "6.6.6.6" not in json.dumps(untrusted)
    assert trusted["remote"] == "127.0.0.1" and trusted["client"] == "203.0.113.9"


# --- 20. Headers: CSP, HSTS, no versions ------------------------------------------------------


def test_csp_hsts_and_no_versions(app_client):
    from importlib.metadata import version

    client = app_client()
    page = client.get("/")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in policy
    assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy
    assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy
    assert "Strict-Transport-Security" not in page.headers
    text = page.get_data(as_text=True)
    dash_version = version("dash")
    for leak in (dash_version, dash_version.replace(".", "_"), "python_version",
                 version("plotly")):
        assert leak not in text, leak
    assert "Server" not in page.headers
    behind = app_client(trusted_proxies=["127.0.0.1"]).get(
        "/", headers={"X-Forwarded-Proto": "https"})
    assert behind.headers["Strict-Transport-Security"].startswith("max-age=")


def test_logged_in_answers_are_private_and_never_stored(app_client):
    """Issue 23, item 11: a logged-in person's pages, page answers (also from the page cache)
    and downloads say `private, no-store`; a shared cache may keep none of them."""
    client = app_client(VIEWER)
    answers = [client.get("/"), client.get("/mal/3")]
    for _ in range(2):  # drawn, then from the page cache
        answers.append(post_callback(client, {
            "output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/mal/3"},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}))
    answers.append(client.get("/export/data.csv"))
    for answer in answers:
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == "private, no-store", answer.mimetype
    assert "private" not in app_client().get("/").headers.get("Cache-Control", "")


def test_csv_answers_name_their_charset_once(app_client):
    assert app_client().get("/export/data.csv").headers["Content-Type"] == (
        "text/csv; charset=utf-8")
    assert app_client(ADMIN).get("/admin/logg.csv").headers["Content-Type"] == (
        "text/csv; charset=utf-8")


def test_callback_ids_the_app_does_not_have_give_400(app_client):
    """Pattern-matching ids (dicts) where the app has none, or fewer inputs than the callback
    takes: a short 400, never a bare 500."""
    pattern = {"index": 1, "type": "finns-inte"}
    router = ".._pages_content.children..._pages_store.data.."
    bodies = [
        {"output": router, "outputs": [{"id": pattern, "property": "children"}],
         "inputs": [{"id": pattern, "property": "pathname", "value": "/"}],
         "changedPropIds": ['{"index":1,"type":"finns-inte"}.pathname'], "state": []},
        {"output": router, "outputs": [], "inputs": [], "changedPropIds": [], "state": []},
        {"output": '{"index":1,"type":"finns-inte"}.children',
         "outputs": {"id": pattern, "property": "children"},
         "inputs": [[{"id": pattern, "property": "n_clicks", "value": 1}]],
         "changedPropIds": [], "state": []},
    ]
    client = app_client()
    for body in bodies:
        answer = post_callback(client, body)
        assert answer.status_code == 400, body
        assert answer.mimetype == "text/plain" and "Ladda om sidan" in answer.get_data(True)
    # JSON nested deeper than Python reads it (200 kB, anonymously): a 400 too.
    nested = client.post("/_dash-update-component", data=b'{"output": ' + b"[" * 200_000,
                         headers={"Content-Type": "application/json"})
    assert nested.status_code == 400 and "Ladda om sidan" in nested.get_data(True)


# --- 1. Survey years stored before the versions were kept -------------------------------------


def test_the_migration_keeps_stored_survey_years_as_shown_versions(tmp_path):
    """A database from before: its stored units become the year's first shown version, so a
    corrected re-import of an old year is suppressed against them too."""
    from etl import survey_history

    url = f"sqlite:///{tmp_path / 'gammal.sqlite'}"
    db.upgrade(url, "0003")
    engine = db.engine_for(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # no strategy needed here
        connection.exec_driver_sql(
            "INSERT INTO import_run (id, kind, location, scope, started_at, added, updated, "
            "unchanged, removed, is_example) VALUES (7, 'enkät-fil', 'f.csv', '{}', "
            "'2025-01-01', 3, 0, 0, 0, 0)")
        for level, forvaltning, enhet, n in (("kommun", "", "", 40), ("förvaltning", "F", "", 40),
                                             ("enhet", "F", "C", 20), ("enhet", "F", "D", 12)):
            connection.exec_driver_sql(
                "INSERT INTO survey_result (measure_id, year, level, forvaltning, enhet, "
                "respondents, mean, is_example, import_run_id) VALUES "
                f"('intern-kommunikation', 2023, '{level}', '{forvaltning}', '{enhet}', {n}, "
                "3.5, 0, 7)")
    db.upgrade(url)
    with engine.connect() as connection:
        versions = survey_history.versions(connection, "intern-kommunikation")
    assert versions[2023][0].shown == {("kommun", "", ""): 40, ("förvaltning", "F", ""): 40,
                                       ("enhet", "F", "C"): 20, ("enhet", "F", "D"): 12}
    engine.dispose()
