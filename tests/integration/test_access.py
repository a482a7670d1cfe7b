"""Who may change what, checked on the server: every write callback and every administration
address is called without a session, as a viewer and as an administrator, over HTTP against
`malbild serve`. Only the administrator succeeds, and otherwise the database is unchanged."""

from __future__ import annotations

import base64
import io
import json
import struct
import zlib
from contextlib import closing

import pytest

from etl import db, users
from tests.conftest import dump
from tests.served import ADMIN, VIEWER, Account, add_accounts

pytestmark = pytest.mark.xdist_group("admin-server")

ROLE_CHANGE = Account("byter-roll", "ett långt lösenord för rollbytet", "viewer")
LOCKED = Account("spärras", "ett långt lösenord som spärras", "viewer")
REFUSED = "Du har inte behörighet att ändra det här"
KOLADA_CSV = "kpi,municipality,period,gender,value\nN00640,1277,2023,T,81.5\n"
ADMIN_PAGES = {
    "/admin": "Administration",
    "/admin/import": "Importera data",
    "/admin/mal": "Mål",
    "/admin/analys": "Analystexter",
    "/admin/anvandare": "Användare",
    "/admin/logg": "Ändringslogg",
}


def data_url(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


# Every callback on the administration pages: its trigger and the values it is called with.
# Those marked `writes` change the database when an administrator calls them.
CALLBACKS = {
    "admin-target-save.n_clicks": dict(writes=True, success="Sparat: 2030 90,0\u00a0%", values={
        "admin-target-measure.value": "telefon-bemotande", "admin-target-year.value": "2030",
        "admin-target-value.value": "90 %", "admin-target-body.value": "KS",
        "admin-target-date.value": "2025-12-09", "admin-target-paragraph.value": "§ 12",
        "admin-target-dnr.value": "KS 2025/77"}),
    "admin-analysis-save.n_clicks": dict(writes=True, success="Sparat (utkast)", values={
        "admin-analysis-measure.value": "telefon-bemotande", "admin-analysis-year.value": "2022",
        "admin-analysis-body.value": "Bemötandet **sjönk**.",
        "admin-analysis-state.value": "utkast"}),
    "admin-user-add.n_clicks": dict(writes=True, success="ny.person är tillagd", values={
        "admin-new-name.value": "ny.person", "admin-new-role.value": "viewer",
        "admin-new-password.value": "ett långt lösenord för den nya"}),
    "admin-user-update.n_clicks": dict(writes=True, success="byter-roll är ändrad", values={
        "admin-user-pick.value": ROLE_CHANGE.username, "admin-user-role.value": "admin",
        "admin-user-active.value": "aktivt", "admin-user-password.value": ""}),
    "admin-import-file.contents": dict(writes=False, success="Förhandsgranskning", values={
        "admin-import-file.contents": data_url(KOLADA_CSV),
        "admin-import-file.filename": "kolada.csv", "admin-import-kind.value": "kolada"}),
    # Confirming hands the background import an order signed for the administrator.
    "admin-import-confirm.n_clicks": dict(writes=False, success='"admin-import-order": {"data": "',
                                          values={}),
    "admin-import-cancel.n_clicks": dict(writes=False, success="Importen avbröts", values={}),
    "admin-user-pick.value": dict(writes=False, success="admin", values={
        "admin-user-pick.value": ROLE_CHANGE.username}),
}


@pytest.fixture(scope="module")
def server(admin_server):
    add_accounts(admin_server.database_url, (ROLE_CHANGE, LOCKED))
    return admin_server


@pytest.fixture(scope="module")
def clients(server):
    made = {"utan inloggning": server.client(), "läsare": server.client(VIEWER),
            "administratör": server.client(ADMIN)}
    yield made
    for client in made.values():
        client.close()


@pytest.fixture(scope="module")
def dependencies(server) -> list[dict]:
    with closing(server.client()) as client:
        return client.get("/_dash-dependencies").json()


def callback_for(dependencies: list[dict], trigger: str) -> dict:
    return next(d for d in dependencies
                if any(f"{i['id']}.{i['property']}" == trigger for i in d["inputs"]))


def call(client, dependency: dict, trigger: str, values: dict):
    """POST a callback as the browser would: its output, inputs and state with values."""
    def items(kind: str) -> list[dict]:
        return [{"id": i["id"], "property": i["property"],
                 "value": 1 if f"{i['id']}.{i['property']}" == trigger and
                 i["property"] == "n_clicks" else values.get(f"{i['id']}.{i['property']}")}
                for i in dependency[kind]]

    output = dependency["output"]
    if output.startswith(".."):
        outputs = [dict(zip(("id", "property"), part.split(".", 1), strict=True))
                   for part in output.strip(".").split("...")]
    else:
        outputs = dict(zip(("id", "property"), output.split(".", 1), strict=True))
    return client.post("/_dash-update-component", json={
        "output": output, "outputs": outputs, "inputs": items("inputs"),
        "state": items("state"), "changedPropIds": [trigger]})


def answer(response) -> str:
    """A callback's answer as text (JSON with å, ä and ö as they are)."""
    if response.status_code != 200:
        return response.text
    return json.dumps(response.json(), ensure_ascii=False)


# Background callbacks answer a request with a job, not the outcome: the import does what a
# signed order says (test_the_background_import_does_only_what_a_signed_order_says).
# Dash's own callback cancels a job of the page's.
BACKGROUND = {"admin-import-order.data", "admin-import-progress-cancel.n_clicks"}


def test_every_admin_callback_is_covered_here(dependencies):
    admin_callbacks = {f"{i['id']}.{i['property']}" for d in dependencies
                       if "admin-" in d["output"] and "_pages_location" not in d["output"]
                       for i in d["inputs"][:1]}
    assert admin_callbacks == set(CALLBACKS) | BACKGROUND


def test_the_background_import_does_only_what_a_signed_order_says(demo_copy):
    """An order not signed by the server (anyone may send the callback) imports nothing; the
    one `admin-import-confirm` signs for an administrator imports the previewed file."""
    from dashboard.store import runtime
    from dashboard.web import orders, uploads
    from dashboard.web.app import app_for
    from tests.conftest import make_settings

    previous = runtime._settings
    settings = make_settings(demo_copy.database_url, secret_key="test" * 10)
    app_for(settings)
    from dashboard.web.pages import admin_import

    try:
        engine = db.engine_for(settings.database_url)
        shown = uploads.preview(engine, settings, "kolada", data_url(KOLADA_CSV), "k.csv")
        before = dump(settings.database_url)
        for forged in ("", "eyJ0aWNrZXQiOiJ4In0.falsk", orders.sign(
                make_settings(demo_copy.database_url, secret_key="annan" * 10),
                ticket=shown.ticket, actor="mallory")):
            result, _ = admin_import.run_import(forged, data_url(KOLADA_CSV), "k.csv")
            assert "1 nya" not in json.dumps(result, default=str, ensure_ascii=False)
        assert dump(settings.database_url) == before
        steps = []
        order = orders.sign(settings, ticket=shown.ticket, actor="anna")
        result, ticket = admin_import.run_import(order, data_url(KOLADA_CSV), "k.csv",
                                                 lambda *step: steps.append(step))
        assert "1 nya, 0 ändrade" in str(result.children) and ticket is None
        assert [done for done, _total, _text in steps] == [0, 1, 2, 3]
        assert dump(settings.database_url) != before
    finally:
        runtime.configure(previous)


@pytest.mark.parametrize("trigger", list(CALLBACKS))
def test_only_an_administrator_gets_through(server, clients, dependencies, trigger):
    spec = CALLBACKS[trigger]
    dependency = callback_for(dependencies, trigger)
    values = dict(spec["values"])
    if trigger == "admin-import-confirm.n_clicks":
        # The ticket of an administrator's preview of the same file (a read).
        preview = call(clients["administratör"], callback_for(
            dependencies, "admin-import-file.contents"), "admin-import-file.contents",
            CALLBACKS["admin-import-file.contents"]["values"])
        values["admin-import-ticket.data"] = preview.json()["response"][
            "admin-import-ticket"]["data"]
        assert isinstance(values["admin-import-ticket.data"], str)  # signed by the server
    for who in ("utan inloggning", "läsare"):
        before = dump(server.database_url)
        response = call(clients[who], dependency, trigger, values)
        assert response.status_code in (200, 204), (who, response.text[:300])
        assert spec["success"] not in answer(response), who
        if spec["writes"]:
            assert REFUSED in answer(response), who
        assert dump(server.database_url) == before, who
    before = dump(server.database_url)
    response = call(clients["administratör"], dependency, trigger, values)
    assert response.status_code == 200, response.text[:500]
    assert spec["success"] in answer(response)
    assert REFUSED not in answer(response)
    assert (dump(server.database_url) != before) == spec["writes"]


@pytest.mark.parametrize("path", list(ADMIN_PAGES))
def test_admin_addresses_need_an_administrator(server, clients, path):
    anonymous = clients["utan inloggning"].get(path)
    assert anonymous.status_code == 302
    assert anonymous.headers["location"] == f"/logga-in?nasta={path}"
    viewer = clients["läsare"].get(path)
    assert viewer.status_code == 403
    assert clients["administratör"].get(path).status_code == 200


def render(client, path: str) -> str:
    """The page as the pages router draws it (the content that follows the address)."""
    response = client.post("/_dash-update-component", json={
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"},
                    {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                   {"id": "_pages_location", "property": "search", "value": ""}],
        "changedPropIds": ["_pages_location.pathname"], "state": []})
    assert response.status_code == 200
    payload = response.get_json() if hasattr(response, "get_json") else response.json()
    return json.dumps(payload["response"]["_pages_content"], ensure_ascii=False)


@pytest.mark.parametrize("path", list(ADMIN_PAGES))
def test_admin_pages_draw_only_for_an_administrator(server, clients, path):
    anonymous = render(clients["utan inloggning"], path)
    assert "Inloggning krävs" in anonymous and f'"/logga-in?nasta={path}"' in anonymous
    viewer = render(clients["läsare"], path)
    assert "Behörighet saknas" in viewer and "lasare-test (läsare)" in viewer
    assert ADMIN_PAGES[path] in headings(render(clients["administratör"], path))


def headings(answer: str) -> list[str]:
    """The h1 texts of a drawn page, as Dash components or as static elements."""
    found = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("type") == "H1":
                found.append(node["props"]["children"])
            node = list(node.values())
        if isinstance(node, list):
            if node and node[0] == "h1" and len(node) == 3 and isinstance(node[1], dict):
                found.append(node[2])
            for item in node:
                walk(item)

    walk(json.loads(answer))
    return found


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_audit_log_download_needs_an_administrator(server, clients, suffix):
    path = f"/admin/logg.{suffix}"
    assert clients["utan inloggning"].get(path).status_code == 401
    assert clients["läsare"].get(path).status_code == 403
    response = clients["administratör"].get(path)
    assert response.status_code == 200
    assert f'filename="malbild-logg.{suffix}"' in response.headers["content-disposition"]
    if suffix == "csv":
        assert response.content.startswith(b"\xef\xbb\xbfTid (UTC);Vem;H")


def test_cross_site_requests_are_refused(server, clients, dependencies):
    trigger = "admin-analysis-save.n_clicks"
    spec = CALLBACKS[trigger]
    before = dump(server.database_url)
    for headers in ({"Origin": "https://annan.example"}, {"Sec-Fetch-Site": "cross-site"}):
        clients["administratör"].headers.update(headers)
        try:
            response = call(clients["administratör"], callback_for(dependencies, trigger),
                            trigger, {**spec["values"], "admin-analysis-body.value": "Ny."})
        finally:
            for name in headers:
                del clients["administratör"].headers[name]
        assert response.status_code == 403
        assert "annan webbplats" in response.text
    assert dump(server.database_url) == before
    login = server.client().post("/logga-in", headers={"Origin": "https://annan.example"},
                                 data={"anvandare": ADMIN.username, "losenord": ADMIN.password})
    assert login.status_code == 403 and "set-cookie" not in login.headers


def test_session_cookie_is_httponly_samesite_and_secure_behind_https(server):
    form = {"anvandare": VIEWER.username, "losenord": VIEWER.password}
    with closing(server.client()) as client:
        cookie = client.post("/logga-in", data=form).headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert cookie.startswith("malbild_session=")
    # Behind a TLS-terminating proxy on a trusted address (127.0.0.1 by default).
    with closing(server.client()) as client:
        cookie = client.post("/logga-in", data=form,
                             headers={"X-Forwarded-Proto": "https"}).headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_login_is_rate_limited_in_the_database(server):
    with closing(server.client()) as client:
        for _ in range(users.MAX_FAILURES_PER_USER):
            wrong = client.post("/logga-in", data={"anvandare": LOCKED.username,
                                                   "losenord": "fel lösenord"})
            assert wrong.headers["location"].startswith("/logga-in?fel=fel")
        right = client.post("/logga-in", data={"anvandare": LOCKED.username,
                                               "losenord": LOCKED.password})
        assert right.headers["location"].startswith("/logga-in?fel=sp")
        assert "set-cookie" not in right.headers
        assert client.get("/admin/logg.csv").status_code == 401


def test_a_changed_account_takes_effect_at_once(server):
    extra = Account("kortvarig", "ett långt lösenord för en kort tid", "admin")
    add_accounts(server.database_url, (extra,))
    engine = db.engine_for(server.database_url)
    with closing(server.client(extra)) as client:
        assert client.get("/admin").status_code == 200
        with engine.begin() as connection:
            users.update_user(connection, extra.username, actor="test", role="viewer")
        assert client.get("/admin").status_code == 403
        with engine.begin() as connection:
            users.update_user(connection, extra.username, actor="test",
                              password="ett helt nytt långt lösenord")
        assert client.get("/admin").status_code == 302  # the old session ended
    renewed = Account(extra.username, "ett helt nytt långt lösenord", "viewer")
    with closing(server.client(renewed)) as client:
        with engine.begin() as connection:
            users.update_user(connection, extra.username, actor="test", disabled=True)
        assert client.get("/admin/logg.csv").status_code == 401


def test_logging_out_ends_the_session(server):
    with closing(server.client(ADMIN)) as client:
        assert client.get("/admin").status_code == 200
        response = client.post("/logga-ut")
        assert response.status_code == 303 and response.headers["location"] == "/"
        assert client.get("/admin").status_code == 302


# --- Settings: public reading off, single sign-on, the survey per unit, drafts ------------------


@pytest.fixture
def app_client(demo_copy):
    """A test client of an app over a private demo copy, with settings of the test's own;
    the process's runtime settings are restored afterwards."""
    from dashboard.store import runtime
    from dashboard.web.app import app_for
    from tests.conftest import make_settings

    add_accounts(demo_copy.database_url)
    previous = runtime._settings

    def make(account: Account | None = None, **overrides):
        settings = make_settings(demo_copy.database_url, secret_key="test" * 10, **overrides)
        client = app_for(settings).server.test_client()
        if account is not None:
            response = client.post("/logga-in", data={"anvandare": account.username,
                                                      "losenord": account.password})
            assert response.status_code == 303
        return client

    yield make
    runtime.configure(previous)


def test_without_public_reading_everything_but_login_needs_a_session(app_client):
    anonymous = app_client(public_read=False)
    for path in ("/", "/mal/1", "/utforska"):
        response = anonymous.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/logga-in?nasta={path}"
    assert anonymous.get("/logga-in").status_code == 200
    assert anonymous.get("/tillganglighet").status_code == 200
    assert anonymous.get("/export/data.csv").status_code == 401
    assert anonymous.get("/export/chart/telefon-bemotande.csv").status_code == 401
    assert "Inloggning krävs" in render(anonymous, "/mal/1")
    refused = anonymous.post("/_dash-update-component", json={
        "output": "explore-kpi.options", "outputs": {"id": "explore-kpi", "property": "options"},
        "inputs": [{"id": "explore-search", "property": "value", "value": "bem"}],
        "state": [{"id": "explore-kpi", "property": "value", "value": "N00640"}],
        "changedPropIds": ["explore-search.value"]})
    assert refused.status_code == 401

    viewer = app_client(VIEWER, public_read=False)
    assert viewer.get("/mal/1").status_code == 200
    assert viewer.get("/export/data.csv").status_code == 200
    assert "Gott bemötande vid telefonkontakt" in render(viewer, "/mal/1")


def test_survey_per_unit_needs_login_also_when_reading_is_public(app_client):
    anonymous = app_client()
    per_unit = "/export/chart/intern-kommunikation/forvaltningar/2021.csv"
    assert anonymous.get(per_unit).status_code == 401
    assert anonymous.get("/export/chart/intern-kommunikation/fordelning/2021.csv"
                         ).status_code == 200
    page = render(anonymous, "/mal/3")
    assert "visas för inloggade användare" in page and "Kommunledningsförvaltningen" not in page
    viewer = app_client(VIEWER)
    assert viewer.get(per_unit).status_code == 200
    assert "Kommunledningsförvaltningen" in render(viewer, "/mal/3")


def test_single_sign_on_header_only_from_a_trusted_proxy(app_client):
    client = app_client(trust_proxy_user_header="X-Remote-User", trusted_proxies=["127.0.0.1"])
    as_admin = {"X-Remote-User": ADMIN.username.upper()}
    assert client.get("/admin", headers=as_admin).status_code == 200
    assert client.get("/admin", headers=as_admin,
                      environ_base={"REMOTE_ADDR": "10.20.30.40"}).status_code == 302
    unknown = client.get("/admin", headers={"X-Remote-User": "okand.person"})
    assert unknown.status_code == 403  # known to the municipality, a viewer here
    assert client.get("/admin/logg.csv", headers={"X-Remote-User": "okand.person"}
                      ).status_code == 403
    off = app_client()  # the header means nothing unless switched on
    assert off.get("/admin", headers=as_admin).status_code == 302


class BlankCharts:
    """Stands in for the browser: every chart a blank 1×1 PNG (the texts are what is tested)."""

    def image(self, figure, fmt: str) -> bytes:
        def chunk(kind: bytes, data: bytes) -> bytes:
            return (struct.pack(">I", len(data)) + kind + data
                    + struct.pack(">I", zlib.crc32(kind + data)))

        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))

    def images(self, figures, fmt: str) -> list[bytes]:
        return [self.image(figure, fmt) for figure in figures]


def docx_text(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_a_draft_analysis_never_reaches_a_viewers_report(app_client, demo_copy, monkeypatch):
    """The whole way: role → report model → DOCX, only the chart images drawn by a stand-in."""
    from dashboard.present.export import images
    from etl import analysis

    engine = db.engine_for(demo_copy.database_url)
    analysis.save_analysis(engine, "telefon-bemotande", 2022, "Utkastet som inte är klart.",
                           "utkast", actor="anna")
    analysis.save_analysis(engine, "telefon-svar", 2022, "Den granskade bedömningen.",
                           "granskad", actor="anna")
    monkeypatch.setattr(images, "renderer", BlankCharts)
    for account, sees_draft in ((None, False), (VIEWER, False), (ADMIN, True)):
        response = app_client(account).get("/export/rapport/2022.docx")
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        text = docx_text(response.data)
        assert "Den granskade bedömningen." in text
        assert ("Utkastet som inte är klart." in text) == sees_draft, account


def test_draft_analysis_only_on_an_administrators_goal_page(app_client, demo_copy):
    from etl import analysis

    engine = db.engine_for(demo_copy.database_url)
    analysis.save_analysis(engine, "telefon-bemotande", 2022, "Utkast som inte är klart.",
                           "utkast", actor="anna")
    analysis.save_analysis(engine, "telefon-svar", 2022, "Granskad bedömning.", "granskad",
                           actor="anna")
    for account, sees_draft in ((None, False), (VIEWER, False), (ADMIN, True)):
        page = render(app_client(account), "/mal/1")
        assert "Granskad bedömning." in page and "Granskad, ej fastställd" in page
        assert ("Utkast som inte är klart." in page) == sees_draft
