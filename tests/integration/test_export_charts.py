"""Chart images and data downloads, opened and checked against the database."""

import csv
import io
import struct
import subprocess
import xml.etree.ElementTree as ET
from uuid import uuid4

import plotly.graph_objects as go
import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from dashboard.present import charts
from dashboard.present import formatting as fmt
from dashboard.present.export import downloads, images
from tests.cli import run_cli

# The whole module in one xdist worker, so its module fixtures are built once: spread test by
# test (`--dist loadgroup`), they were built in both workers, and again whenever a worker's
# next test was of another module.
pytestmark = pytest.mark.xdist_group("test_export_charts")

NBSP = "\u00a0"


def database_numbers(engine, kpi_id: str, year: int, home: str = "1277"
                     ) -> tuple[float, float, int]:
    """The home value and the mean and count over every kommun, straight from the tables."""
    with engine.connect() as connection:
        value = connection.execute(text(
            "SELECT value FROM kpi_value WHERE kpi_id = :k AND municipality_id = :m "
            "AND year = :y AND gender = 'T'"), {"k": kpi_id, "m": home, "y": year}).scalar_one()
        mean, n = connection.execute(text(
            "SELECT avg(v.value), count(*) FROM kpi_value v JOIN municipality m "
            "ON m.id = v.municipality_id WHERE v.kpi_id = :k AND v.year = :y "
            "AND v.gender = 'T' AND m.type = 'K'"), {"k": kpi_id, "y": year}).one()
    return value, mean, n


def svg_text(svg: bytes) -> str:
    root = ET.fromstring(svg)
    return " ".join(t for t in root.itertext()).replace(NBSP, " ")


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def pdf_text(path) -> str:
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                            text=True, check=True)
    return result.stdout.replace(NBSP, " ")


def pdf_page_size(path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    line = next(x for x in info.splitlines() if x.startswith("Page size:"))
    width, _, height = line.split(":", 1)[1].split()[:3]
    return float(width), float(height)


@pytest.fixture(scope="module")
def bemotande(demo_engine, demo_settings):
    return charts.chart_view(demo_engine, demo_settings, "telefon-bemotande")


@pytest.mark.browser
def test_png_is_a_report_column_at_300_dpi(chart_renderer, bemotande):
    png = chart_renderer.image(bemotande.figure, "png")
    width, height = png_size(png)
    assert width == round(16 / 2.54 * 300)  # 1890 px = 16 cm at 300 dpi
    assert height == int(bemotande.figure.layout.height * images.PNG_SCALE)
    phys = png.index(b"pHYs")
    assert struct.unpack(">IIB", png[phys + 4:phys + 13]) == (11811, 11811, 1)


@pytest.mark.browser
def test_a_chart_drawn_again_is_not_sent_to_the_browser_again(chart_renderer, bemotande,
                                                              monkeypatch):
    """The same figure at the same size is drawn once; another width or format, or a changed
    figure, is drawn anew. (Titles of their own: no other test has drawn these.)"""
    figure, changed = (go.Figure(bemotande.figure).update_layout(title_text=f"{name} {uuid4()}")
                       for name in ("Prov", "Annan rubrik"))
    first = chart_renderer.image(figure, "png")
    drawn = []
    draw = chart_renderer._draw

    async def counted(tab, spec):
        drawn.append((spec["format"], spec["width"]))
        return await draw(tab, spec)

    monkeypatch.setattr(chart_renderer, "_draw", counted)
    assert chart_renderer.images([figure] * 3, "png") == [first] * 3
    assert drawn == []
    wider = chart_renderer.image(figure, "png", width_px=images.EXPORT_WIDTH_PX + 1)
    svgs = chart_renderer.images([changed, figure, changed], "svg")
    assert drawn == [("png", images.EXPORT_WIDTH_PX + 1), ("svg", images.EXPORT_WIDTH_PX),
                     ("svg", images.EXPORT_WIDTH_PX)]
    assert png_size(wider)[0] > png_size(first)[0]
    assert svgs[0] == svgs[2] and "Annan rubrik" in svg_text(svgs[0])
    assert "Prov" in svg_text(svgs[1])


@pytest.mark.browser
def test_svg_shows_the_numbers_in_the_database(chart_renderer, bemotande, demo_engine):
    value, mean, n = database_numbers(demo_engine, "N00640", 2022)
    svg = chart_renderer.image(bemotande.figure, "svg")
    root = ET.fromstring(svg)
    assert (root.get("width"), root.get("height")) == (
        "605", str(int(bemotande.figure.layout.height)))
    words = svg_text(svg)
    assert (value, round(mean, 1), n) == (80.0, 83.7, 137)
    for number in (fmt.percent(value, 1), fmt.percent(mean, 1)):
        assert number.replace(NBSP, " ") in words
    # The demo's own measurement (test contacts, example data) runs to 2025.
    for part in ("Gott bemötande vid telefonkontakt", "Källa: Kolada (RKA)", "Data t.o.m. 2025",
                 "egen mätning med testkontakter", "Exempeldata", "Ny mätmetod: N00640"):
        assert part in words, part


@pytest.mark.browser
def test_pdf_chart_is_16_cm_wide_with_its_numbers_as_text(chart_renderer, bemotande,
                                                           demo_engine, tmp_path):
    path = tmp_path / "diagram.pdf"
    path.write_bytes(chart_renderer.image(bemotande.figure, "pdf"))
    width, height = pdf_page_size(path)
    assert width == pytest.approx(16 / 2.54 * 72, abs=1.5)
    assert height == pytest.approx(bemotande.figure.layout.height * 0.75, abs=1.5)
    value, mean, _n = database_numbers(demo_engine, "N00640", 2022)
    words = pdf_text(path)
    assert fmt.percent(value, 1).replace(NBSP, " ") in words
    assert fmt.percent(mean, 1).replace(NBSP, " ") in words
    assert "Data t.o.m. 2025" in words


@pytest.mark.browser
def test_survey_chart_shows_every_forvaltning_mean(chart_renderer, demo_engine, demo_settings):
    view = charts.chart_view(demo_engine, demo_settings,
                             "intern-kommunikation/forvaltningar/2021")
    with demo_engine.connect() as connection:
        stored = connection.execute(text(
            "SELECT forvaltning, mean, respondents FROM survey_result WHERE year = 2021 "
            "AND level = 'förvaltning'")).all()
    words = svg_text(chart_renderer.image(view.figure, "svg"))
    assert stored
    for forvaltning, mean, respondents in stored:
        assert f"{forvaltning} (n = {respondents})" in words
        assert fmt.number(mean, 2) in words
    assert "Exempeldata" in words


def test_chart_workbook_cells_are_the_database_numbers(demo_engine, demo_settings, bemotande):
    value, mean, n = database_numbers(demo_engine, "N00640", 2021)
    workbook = load_workbook(io.BytesIO(
        downloads.chart_workbook(demo_engine, demo_settings, bemotande)))
    assert workbook.sheetnames == ["Data", "Källor och definitioner"]
    sheet = workbook["Data"]
    top = next(r for r in range(1, 10) if sheet.cell(r, 1).value == "Mått")
    header = [c.value for c in sheet[top]]
    row = next(r for r in sheet.iter_rows(min_row=top + 1) if r[1].value == 2021)
    cells = dict(zip(header, row, strict=True))
    assert cells["Åstorp"].value == value and cells["Åstorp"].data_type == "n"
    assert cells["Åstorp"].number_format == '0.0" %"'
    assert cells["Mätkommunernas medelvärde"].value == pytest.approx(mean)
    assert cells["Antal mätkommuner (n)"].value == n == 148
    assert cells["Plats"].value == 54
    assert cells["Källa"].value == "Kolada"
    example = next(r for r in sheet.iter_rows(min_row=top + 1) if r[1].value == 2015)
    assert example[header.index("Källa")].value == "Exempeldata"
    sources = [c.value for row in workbook["Källor och definitioner"].iter_rows() for c in row
               if isinstance(c.value, str)]
    assert any("N00640" in s for s in sources) and any("U00414" in s for s in sources)
    assert any(s.startswith("Mätkommunernas medelvärde") for s in sources)


def test_followup_workbook_has_a_sheet_per_goal(demo_engine, demo_settings):
    workbook = load_workbook(io.BytesIO(downloads.followup_workbook(demo_engine,
                                                                    demo_settings)))
    assert workbook.sheetnames == ["Mål 1", "Mål 2", "Mål 3", "Källor och definitioner"]
    goal3 = workbook["Mål 3"]
    assert goal3["A1"].value == "Mål 3: Den interna kommunikationen uppfattas som god av de " \
                                "anställda"
    numbers = [c for row in goal3.iter_rows() for c in row if c.data_type == "n"]
    assert any(c.number_format == "0.00" for c in numbers)  # survey means, two decimals


def test_chart_csv_opens_in_swedish_excel(bemotande):
    content = downloads.chart_csv(bemotande)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    row = next(r for r in rows if r["År"] == "2021")
    assert (row["Åstorp"], row["Mätkommunernas medelvärde"], row["Plats"]) == (
        "83,0", "81,10", "54")


def test_formula_in_a_unit_name_cannot_run(demo_copy):
    from etl.db import engine_for

    engine = engine_for(demo_copy.database_url)
    with engine.begin() as connection:
        connection.execute(text(
            "UPDATE survey_result SET enhet = :name WHERE year = 2021 AND enhet = 'Hemtjänsten'"
        ), {"name": '=HYPERLINK("http://example.invalid","Hemtjänsten")'})
    view = charts.chart_view(engine, demo_copy, "intern-kommunikation/forvaltningar/2021")
    sheet = load_workbook(io.BytesIO(downloads.chart_workbook(engine, demo_copy, view)))["Data"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    assert "'=HYPERLINK(\"http://example.invalid\",\"Hemtjänsten\")" in [c.value for c in cells]
    rows = list(csv.reader(io.StringIO(downloads.chart_csv(view).decode("utf-8-sig")),
                           delimiter=";"))
    assert any(r[2].startswith("'=HYPERLINK") for r in rows)
    assert not any(field.startswith("=") for r in rows for field in r)


def test_small_survey_units_never_appear(demo_engine, demo_settings):
    for year in (2013, 2021, 2025):
        view = charts.chart_view(demo_engine, demo_settings,
                                 f"intern-kommunikation/forvaltningar/{year}")
        assert not set(view.data.frame["Enhet"]) & {"IT", "Bemanning", "Fritidsgårdar"}
        assert (view.data.frame["Svarande (n)"] >= demo_settings.anonymity_threshold).all()


def test_unknown_chart_names_the_measures(demo_engine, demo_settings):
    with pytest.raises(KeyError, match="telefon-bemotande"):
        charts.chart_view(demo_engine, demo_settings, "finns-inte")
    with pytest.raises(KeyError):
        charts.chart_view(demo_engine, demo_settings, "telefon-bemotande/fordelning/2021")


@pytest.mark.browser
def test_cli_exports_a_chart(demo_settings, tmp_path, chart_renderer):
    out = tmp_path / "bemotande.png"
    result = run_cli("export", "chart", "telefon-bemotande", "--format", "png", "--out",
                     str(out), url=demo_settings.database_url)
    assert result.returncode == 0, result.stderr
    assert png_size(out.read_bytes())[0] == 1890


def test_cli_without_chromium_explains_in_swedish(demo_settings, tmp_path, monkeypatch):
    monkeypatch.setattr(images, "_renderer", None)  # as in a new process: no browser started
    result = run_cli("export", "chart", "telefon-bemotande", "--format", "svg", "--out",
                     str(tmp_path / "x.svg"), url=demo_settings.database_url,
                     env={"BROWSER_PATH": str(tmp_path / "ingen-chromium")})
    assert result.returncode == 2
    assert "BROWSER_PATH" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.svg").exists()


def test_routes_serve_data_downloads(demo_settings):
    from dashboard.web.app import app_for

    client = app_for(demo_settings).server.test_client()
    response = client.get("/export/chart/telefon-bemotande.xlsx")
    assert response.status_code == 200
    assert response.mimetype == downloads.XLSX_MEDIA_TYPE
    assert 'filename="malbild-telefon-bemotande.xlsx"' in response.headers["Content-Disposition"]
    response = client.get("/export/data.csv?mal=2")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    assert {line.split(";")[0] for line in response.data.decode("utf-8-sig").splitlines()[1:]
            } == {"2"}
    missing = client.get("/export/chart/finns-inte.png")
    assert missing.status_code == 404 and "Måtten i strategin" in missing.get_data(as_text=True)
    assert client.get("/export/chart/telefon-bemotande.gif").status_code == 404


@pytest.mark.browser
def test_routes_serve_chart_images(demo_settings, chart_renderer):
    from dashboard.web.app import app_for

    client = app_for(demo_settings).server.test_client()
    for suffix, start in (("png", b"\x89PNG"), ("svg", b"<svg"), ("pdf", b"%PDF")):
        response = client.get(f"/export/chart/intern-kommunikation/fordelning/2021.{suffix}")
        assert response.status_code == 200, response.data[:200]
        assert response.data.lstrip().startswith(start)
        assert response.mimetype == images.MEDIA_TYPES[suffix]
