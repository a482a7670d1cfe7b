"""The first visit: the partial plotly.js instead of the full one, compressed answers, and a
year in the browser for fingerprinted assets."""

import re

import pytest

from dashboard import delivery
from etl.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def client(demo_settings):
    from dashboard.app import create_app

    return create_app(demo_settings).server.test_client()


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


def test_a_missing_bundle_stops_the_app_with_a_clear_message(tmp_path):
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "plotly-basic-1.0.0.min.js").write_text("/* plotly.js v1.0.0 */")
    with pytest.raises(delivery.PlotlyBundleMissing) as error:
        delivery.plotly_bundle(tmp_path)
    message = error.value.explain()
    assert "make install" in message and delivery.plotly_version() in message
    assert "plotly-basic-1.0.0.min.js" in message
    assert delivery.plotly_bundle(PROJECT_ROOT / "assets").is_file()


def test_the_charts_use_only_traces_of_the_basic_bundle():
    source = (PROJECT_ROOT / "dashboard" / "figures.py").read_text(encoding="utf-8")
    assert set(re.findall(r'type="(\w+)"', source)) - {"category"} <= {"scatter", "bar", "pie"}
