"""The first visit: the partial plotly.js instead of the full one, compressed answers, and a
year in the browser for fingerprinted assets."""

import json
import re

import pytest

from dashboard.web import delivery, first_visit
from etl.settings import PROJECT_ROOT

# The whole module in one xdist worker, so its module fixtures are built once: spread test by
# test (`--dist loadgroup`), they were built in both workers, and again whenever a worker's
# next test was of another module.
pytestmark = pytest.mark.xdist_group("test_delivery")


@pytest.fixture(scope="module")
def client(demo_settings):
    from dashboard.web.app import app_for

    return app_for(demo_settings).server.test_client()


def test_the_page_loads_the_basic_bundle_and_never_the_full_one(client):
    page = client.get("/mal/1").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    basic = [s for s in scripts if "plotly-basic" in s]
    assert basic == [f"/assets/vendor/plotly-basic-{delivery.plotly_version()}.min.js?m="
                     + basic[0].split("?m=")[1]]
    assert not [s for s in scripts if "package_data/plotly" in s or "plotly.min.js" in s]
    bundle = client.get(basic[0])
    assert bundle.status_code == 200
    assert b"plotly.js (basic - minified) v" + delivery.plotly_version().encode() in bundle.data
    assert bundle.headers["Cache-Control"] == delivery.IMMUTABLE


def test_the_page_loads_only_the_scripts_it_uses(client):
    scripts = re.findall(r'<script src="([^"]+)"', client.get("/mal/1").get_data(as_text=True))
    # Neither Babel's polyfill nor the DataTable (unused), and not served if asked for.
    assert not [s for s in scripts if "polyfill" in s or "dash_table" in s]
    # No component library but Dash's own: the app draws its selects itself.
    suites = {s.split("/")[2] for s in scripts if s.startswith("/_dash-component-suites/")}
    assert suites == {"dash"}
    assert client.get("/_dash-component-suites/dash/dash_table/bundle.js").status_code != 200
    # The chart component comes with the other scripts, kept a year like them.
    graph = [s for s in scripts if "/dcc/async-graph." in s]
    assert len(graph) == 1
    assert client.get(graph[0]).headers["Cache-Control"] == delivery.IMMUTABLE


def test_the_apps_own_scripts_come_as_one_file_kept_a_year(client):
    scripts = re.findall(r'<script src="([^"]+)"', client.get("/mal/1").get_data(as_text=True))
    runtime = delivery.regenerator_runtime(PROJECT_ROOT / "assets")
    own = [runtime, *sorted((PROJECT_ROOT / "assets").glob("*.js"))]
    assert own and not [s for s in scripts if s.startswith("/assets/")
                        and "plotly-basic" not in s]
    [bundle] = [s for s in scripts if s.startswith(delivery.APP_SCRIPTS_PREFIX)]
    # After React, before the components and plotly.js, as the separate files were.
    assert scripts.index(bundle) < scripts.index(next(s for s in scripts if "plotly-basic" in s))
    answer = client.get(bundle)
    assert answer.headers["Cache-Control"] == delivery.IMMUTABLE
    body = answer.get_data(as_text=True)
    positions = [body.index(path.read_text(encoding="utf-8")) for path in own]
    assert positions == sorted(positions)  # every file whole, in Dash's order
    assert delivery.AppScripts(PROJECT_ROOT / "assets").url == bundle


def test_the_app_scripts_address_changes_with_their_content(tmp_path):
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "regenerator-runtime-0.9.0.js").write_text("var r9;")
    (tmp_path / "vendor" / "regenerator-runtime-0.10.0.js").write_text("var r10;")
    (tmp_path / "b.js").write_text("var b;", encoding="utf-8")
    (tmp_path / "a.js").write_text("var a;", encoding="utf-8")
    before = delivery.AppScripts(tmp_path)
    # The newest runtime first, then the app's files by name.
    assert before.body.decode().index("var r10;") < before.body.decode().index("var a;") \
        < before.body.decode().index("var b;")
    assert "var r9;" not in before.body.decode()
    (tmp_path / "b.js").write_text("var b = 1;", encoding="utf-8")
    assert delivery.AppScripts(tmp_path).url != before.url


def first_answers(client, address: str, **environ) -> tuple[str, dict]:
    page = client.get(address, environ_overrides=environ).get_data(as_text=True)
    blocks = re.findall(r'<script type="application/json" id="malbild-answer-([\w-]+)">'
                        r"(.*?)</script>", page, re.S)
    return page, {name: json.loads(text) for name, text in blocks}


def component(layout, component_id: str) -> dict:
    """The component with this id in a layout as Dash sends it (JSON)."""
    if isinstance(layout, dict):
        if layout.get("props", {}).get("id") == component_id:
            return layout
        values = layout.values()
    elif isinstance(layout, list):
        values = layout
    else:
        return {}
    return next((found for value in values if (found := component(value, component_id))), {})


def test_the_first_answer_carries_the_drawn_page(client):
    page, answers = first_answers(client, "/mal/1?ar=2022")
    assert set(answers) == {"_dash-layout", "_dash-dependencies"}
    assert answers["_dash-dependencies"] == client.get("/_dash-dependencies").get_json()
    layout = answers["_dash-layout"]
    # The router's location has the address, so the router is not asked again.
    location = component(layout, "_pages_location")["props"]
    assert (location["pathname"], location["search"]) == ("/mal/1", "?ar=2022")
    content = json.dumps(component(layout, "_pages_content"), ensure_ascii=False)
    assert "Mål 1: Den externa kommunikationen" in content and '"type": "Graph"' in content
    assert "<title>Mål 1 – Målbild</title>" in page
    # Asked for without the blocks, Dash gets its usual empty page container.
    plain = client.get("/_dash-layout").get_json()
    assert component(plain, "_pages_content")["props"].get("children") is None
    assert "pathname" not in component(plain, "_pages_location")["props"]


def test_the_first_answer_keeps_markup_out(client):
    # gunicorn passes an address as sent: "<" may come unencoded; the page is drawn for the
    # address as the browser's location has it (encoded), like the router's callback.
    sent = "/mal/<b>x</script>?a=ö ö".encode().decode("latin-1")  # as WSGI has it
    page, answers = first_answers(client, "/mal/x", RAW_URI=sent)
    assert "<title>Mål %3Cb%3Ex%3C/script%3E – Målbild</title>" in page
    assert "<b>x" not in page
    location = component(answers["_dash-layout"], "_pages_location")["props"]
    assert (location["pathname"], location["search"]) == ("/mal/%3Cb%3Ex%3C/script%3E",
                                                           "?a=%C3%B6%20%C3%B6")
    block = first_visit._block("x", json.dumps({"text": "</script><script>"}))
    assert "</script><script>" not in block
    assert json.loads(block.split(">", 1)[1].rsplit("<", 1)[0]) == {"text": "</script><script>"}


def test_answers_are_compressed_and_fingerprinted_assets_kept_a_year(client):
    page = client.get("/mal/1")
    script = next(s for s in re.findall(r'<script src="([^"]+)"', page.get_data(as_text=True))
                  if "dash_renderer" in s)
    for encoding in ("br", "gzip"):
        answer = client.get(script, headers={"Accept-Encoding": encoding})
        assert answer.headers["Content-Encoding"] == encoding
        assert answer.headers["Cache-Control"] == delivery.IMMUTABLE
    html = client.get("/mal/1", headers={"Accept-Encoding": "gzip"})
    assert html.headers["Content-Encoding"] == "gzip"
    assert "immutable" not in html.headers.get("Cache-Control", "")
    css = client.get("/assets/style.css", headers={"Accept-Encoding": "br"})
    assert "immutable" not in css.headers.get("Cache-Control", "")  # no fingerprint, no year


def test_fingerprinted_files_come_compressed_in_what_the_browser_accepts(client):
    import gzip

    import brotli

    page = client.get("/mal/1").get_data(as_text=True)
    basic = next(s for s in re.findall(r'<script src="([^"]+)"', page) if "plotly-basic" in s)
    plain = client.get(basic, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    original = plain.get_data()
    # A file sent from the assets folder too, in gzip when that is all the browser takes.
    for accepted, expected, unpack in (("gzip", "gzip", gzip.decompress),
                                       ("gzip, deflate, br, zstd", "br", brotli.decompress),
                                       ("br;q=0.5, gzip", "gzip", gzip.decompress)):
        for _ in range(2):  # compressed once, then from memory: the same bytes
            answer = client.get(basic, headers={"Accept-Encoding": accepted})
            assert answer.headers["Content-Encoding"] == expected
            assert "Accept-Encoding" in answer.headers["Vary"]
            assert answer.headers["Content-Length"] == str(len(answer.get_data()))
            assert len(answer.get_data()) < len(original) / 2
            assert unpack(answer.get_data()) == original
            assert answer.headers["Cache-Control"] == delivery.IMMUTABLE
    assert plain.headers.get("ETag") != answer.headers.get("ETag")


def test_kept_compressed_files_are_one_per_file_whatever_the_query_string(client):
    """Issue 23, item 6: a new `?m=` for the same file costs no compression and no memory."""
    kept = next(hook for hook in client.application.after_request_funcs[None]
                if isinstance(hook, delivery.KeptFiles))
    page = client.get("/mal/1").get_data(as_text=True)
    basic = next(s for s in re.findall(r'<script src="([^"]+)"', page) if "plotly-basic" in s)
    first = client.get(basic, headers={"Accept-Encoding": "br"}).get_data()
    before = len(kept)
    path = basic.split("?")[0]
    for number in range(20):
        answer = client.get(f"{path}?m={number}", headers={"Accept-Encoding": "br"})
        assert answer.headers["Content-Encoding"] == "br" and answer.get_data() == first
    assert len(kept) == before


def test_kept_files_are_bounded_in_bytes():
    from flask import Flask, Response

    server = Flask(__name__)
    kept = delivery.KeptFiles(max_bytes=5000)
    server.after_request(kept)
    server.add_url_rule("/assets/<name>", "asset", lambda name: Response(
        name.encode() * 1000, mimetype="text/css"))
    client = server.test_client()
    for number in range(10):
        answer = client.get(f"/assets/{number}.css?m=1", headers={"Accept-Encoding": "identity"})
        assert answer.get_data() == f"{number}.css".encode() * 1000
    assert 0 < len(kept) <= 1


def test_a_missing_bundle_stops_the_app_with_a_clear_message(tmp_path):
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "plotly-basic-1.0.0.min.js").write_text("/* plotly.js v1.0.0 */")
    with pytest.raises(delivery.PlotlyBundleMissing) as error:
        delivery.plotly_bundle(tmp_path)
    message = error.value.explain()
    assert "make install" in message and delivery.plotly_version() in message
    assert "plotly-basic-1.0.0.min.js" in message
    assert delivery.plotly_bundle(PROJECT_ROOT / "assets").is_file()


def test_a_missing_regenerator_runtime_stops_the_app_with_a_clear_message(tmp_path):
    (tmp_path / "app.js").write_text("var a;")
    with pytest.raises(delivery.RegeneratorRuntimeMissing) as error:
        delivery.AppScripts(tmp_path)
    assert "make install" in error.value.explain()


def test_the_charts_use_only_traces_of_the_basic_bundle():
    source = (PROJECT_ROOT / "dashboard" / "present" / "figures.py").read_text(encoding="utf-8")
    assert set(re.findall(r'type="(\w+)"', source)) - {"category"} <= {"scatter", "bar", "pie"}


def test_the_one_app_of_a_process_answers_the_pages_callbacks(demo_settings, tmp_path):
    """Dash supports one app per process: the pages' callbacks are the app's from the start
    (listed before its first answer), a second app is refused, and pointing the one app at
    another database keeps every callback."""
    from dashboard.web.app import app_for, create_app

    first = app_for(demo_settings)
    declared = first.server.test_client().get("/_dash-dependencies").get_json()
    assert any(spec["output"] == "explore-kpi.options" for spec in declared)
    with pytest.raises(RuntimeError, match="en app per process"):
        create_app(demo_settings)
    elsewhere = demo_settings.model_copy(update={"cache": False})
    assert app_for(elsewhere) is first
    assert first.server.test_client().get("/_dash-dependencies").get_json() == declared
    app_for(demo_settings)
