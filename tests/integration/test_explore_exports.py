"""The explore page's downloads: the view on screen (same query, same figure function), as
PNG, SVG, PDF, Excel and CSV."""

import io

import pytest
from openpyxl import load_workbook

from dashboard.present import exploration, explore_charts
from dashboard.present.export import downloads
from tests.integration.test_export_charts import png_size, svg_text

# The whole module in one xdist worker, so its module fixtures are built once: spread test by
# test (`--dist loadgroup`), they were built in both workers, and again whenever a worker's
# next test was of another module.
pytestmark = pytest.mark.xdist_group("test_explore_exports")

QUERY = "kpi=N00640&jmf=egen&kommuner=1260,1283&visa=kommuner"


@pytest.fixture(scope="module")
def client(demo_settings):
    from dashboard.web.app import app_for

    return app_for(demo_settings).server.test_client()


def test_excel_holds_the_numbers_of_the_view(client, demo_engine, demo_settings):
    response = client.get(f"/export/chart/utforska/utveckling.xlsx?{QUERY}")
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == downloads.XLSX_MEDIA_TYPE
    assert 'filename="malbild-utforska-utveckling.xlsx"' in \
        response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data))["Data"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "År")
    header = rows[header_at]
    assert {"Åstorp", "Medelvärde Bjuv och Helsingborg", "Bjuv", "Helsingborg"} <= set(header)
    view = exploration.build_view(demo_engine, demo_settings,
                                  dict(p.split("=") for p in QUERY.split("&")))
    by_year = {r[0]: dict(zip(header, r, strict=True)) for r in rows[header_at + 1:] if r[0]}
    for row in view.trend.itertuples():
        if row.value == row.value:  # not NaN
            assert by_year[row.year]["Åstorp"] == pytest.approx(row.value)
            assert by_year[row.year]["Mätkommunernas medelvärde"] == pytest.approx(row.all_mean)


def test_csv_and_the_other_charts(client):
    spread = client.get(f"/export/chart/utforska/spridning.csv?{QUERY}")
    assert spread.status_code == 200 and spread.data.startswith(b"\xef\xbb\xbf")
    lines = spread.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("År;Nyckeltal;Plats;Kommun;Kommunkod;Värde")
    assert any(";Åstorp;1277;" in line and "vald kommun" in line for line in lines)
    gender = client.get("/export/chart/utforska/kon.csv?kpi=N00640&kon=1")
    assert gender.status_code == 200
    assert gender.data.decode("utf-8-sig").splitlines()[0].startswith("År;Nyckeltal;Kommun;Kvinnor")
    unknown = client.get(f"/export/chart/utforska/taart.png?{QUERY}")
    assert unknown.status_code == 404 and "utveckling" in unknown.get_data(as_text=True)


def test_an_own_list_of_one_names_the_municipality(demo_engine, demo_settings):
    view = exploration.build_view(demo_engine, demo_settings,
                                  {"kpi": "N00647", "jmf": "egen", "kommuner": "1260"})
    assert view.peer_label == "Bjuv"
    trend = explore_charts.trend_view(view)
    assert "Medelvärde: Bjuv" in [trace.name for trace in trend.figure.data]
    assert "Bjuv" in trend.figure.layout.title.text or "Bjuv" in view.trend_text().subtitle


@pytest.mark.browser
def test_images_keep_the_print_layout(client, chart_renderer):
    svg = client.get(f"/export/chart/utforska/utveckling.svg?{QUERY}")
    assert svg.status_code == 200, svg.data[:300]
    text = svg_text(svg.data)
    assert "Bjuv" in text and "Helsingborg" in text and "Källa: Kolada" in text
    # The print layout: the source line in one piece at the report column's width, not the
    # phone's, which breaks it before the stamp.
    assert "KPI N00640 · Data t.o.m. 2022" in text
    png = client.get(f"/export/chart/utforska/spridning.png?{QUERY}")
    assert png.status_code == 200
    assert png_size(png.data)[0] == round(16 / 2.54 * 300)  # 16 cm at 300 dpi, as on paper
    pdf = client.get(f"/export/chart/utforska/utveckling.pdf?{QUERY}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
