"""Downloads for people: numbers stay numbers, Swedish CSV, no formula can run."""

import csv
import io
import logging
import struct
import zlib

import pandas as pd
import pytest
from openpyxl import load_workbook

from dashboard.present.charts import DataTable, number_format
from dashboard.present.export import images
from dashboard.present.export.downloads import csv_bytes, neutralise, workbook_bytes
from dashboard.present.figures import ChartText


@pytest.mark.parametrize("text", ["=SUMMA(A1)", "+46 42 123", "-1+1", "@SUM(A1)",
                                  "\tTAB", "\rCR", "\nLF", "\r\n=1+1",
                                  '=HYPERLINK("http://x","klicka")'])
def test_formula_like_text_is_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Åstorp", "Vård- och omsorg", "3 = bra", "", "'redan"])
def test_ordinary_text_is_left_alone(text):
    assert neutralise(text) == text


def sample_table() -> DataTable:
    frame = pd.DataFrame({
        "År": [2021, 2022],
        "Enhet": ["=1+1", "Hemtjänsten"],
        "Värde": [83.0, -1.25],
        "n": [148, None],
    })
    return DataTable.from_columns("Prov", frame, {"År": "0", "Värde": number_format(1, "%"),
                                                  "n": "#,##0"}, ["Källa: prov · Exempeldata"])


def header_row(sheet, first: str) -> int:
    return next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == first)


def test_workbook_keeps_numbers_numeric_with_swedish_formats():
    sheet = load_workbook(io.BytesIO(workbook_bytes([sample_table()]))).active
    top = header_row(sheet, "År")
    assert [c.value for c in sheet[top]] == ["År", "Enhet", "Värde", "n"]
    year, unit, value, count = sheet[top + 1]
    assert (year.value, year.data_type) == (2021, "n")
    assert (value.value, value.data_type, value.number_format) == (83.0, "n", '0.0" %"')
    assert count.number_format == "#,##0"
    assert unit.data_type == "s" and unit.value == "'=1+1"
    assert sheet.cell(top + 2, 3).value == -1.25  # a negative number is a number, not text
    assert sheet.cell(top + 2, 4).value is None  # missing is empty, not zero
    assert sheet["A2"].value == "Källa: prov · Exempeldata"


def test_no_cell_in_a_workbook_is_a_formula():
    table = sample_table()
    table.title = "=titel"
    table.notes = ["@anteckning"]
    workbook = load_workbook(io.BytesIO(workbook_bytes([table])))
    cells = [c for row in workbook.active.iter_rows() for c in row if c.value is not None]
    assert cells and all(c.data_type != "f" for c in cells)


def test_csv_for_swedish_excel():
    content = csv_bytes(sample_table())
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["År", "Enhet", "Värde", "n"],
                    ["2021", "'=1+1", "83,0", "148"],
                    # −1,25 rounds half up (away from zero) as on the page, "−1,3"; the
                    # f-string's half-even gave "-1,2" before etl.numbers
                    ["2022", "Hemtjänsten", "-1,3", ""]]


def test_sheet_names_are_valid_and_unique():
    tables = [sample_table(), sample_table()]
    names = ["Mål 1: en mycket lång rubrik som inte får plats/på ett blad", "Mål 1: en mycket "
             "lång rubrik som inte får plats/på ett blad"]
    workbook = load_workbook(io.BytesIO(workbook_bytes(tables, names)))
    assert len(set(workbook.sheetnames)) == 2
    assert all(len(name) <= 31 and "/" not in name for name in workbook.sheetnames)


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"pHYs", struct.pack(">IIB", 2835, 2835, 1))
            + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


def png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    chunks, position = [], 8
    while position < len(png):
        length = struct.unpack(">I", png[position:position + 4])[0]
        kind = png[position + 4:position + 8]
        data = png[position + 8:position + 8 + length]
        crc = struct.unpack(">I", png[position + 8 + length:position + 12 + length])[0]
        assert crc == zlib.crc32(kind + data) & 0xFFFFFFFF
        chunks.append((kind, data))
        position += 12 + length
    return chunks


def test_png_gets_exactly_one_print_resolution_chunk():
    chunks = png_chunks(images.with_print_resolution(tiny_png(), 300))
    assert [kind for kind, _ in chunks] == [b"IHDR", b"pHYs", b"IDAT", b"IEND"]
    x, y, unit = struct.unpack(">IIB", chunks[1][1])
    assert (x, y, unit) == (11811, 11811, 1)  # 300 dpi in pixels per metre


def test_export_width_is_a_report_column():
    assert images.EXPORT_WIDTH_PX == 605  # 16 cm at 96 px per inch
    # 16 cm at 300 dpi is 1890 px; the renderer rounds 605 × 3.125 down to that.
    assert int(images.EXPORT_WIDTH_PX * images.PNG_SCALE) == round(16 / 2.54 * 300)


def test_missing_browser_is_explained_in_swedish(monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "chromium"))
    with pytest.raises(images.ExportUnavailable, match="BROWSER_PATH"):
        images.browser_path()
    monkeypatch.delenv("BROWSER_PATH")
    monkeypatch.setattr(images, "BROWSER_CANDIDATES", ("/finns/inte/chromium",))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(images.ExportUnavailable, match="apt-get install chromium"):
        images.browser_path()


def test_the_renderer_draws_with_the_partial_bundle_of_the_same_version(monkeypatch, tmp_path):
    from plotly.offline import get_plotlyjs_version

    version = get_plotlyjs_version()
    monkeypatch.setattr(images, "PLOTLY_BUNDLE_DIR", tmp_path)
    assert images.plotly_bundle() is None  # missing: Kaleido loads plotly's full bundle
    bundle = tmp_path / f"plotly-basic-{version}.min.js"
    bundle.write_text("/* plotly.js (basic - minified) v0.0.1 */")
    assert images.plotly_bundle() is None  # another version: not used
    bundle.write_text(f"/* plotly.js (basic - minified) v{version} */")
    assert images.plotly_bundle() == bundle.as_uri()


def test_long_source_lines_wrap_to_the_report_column():
    text = ChartText("T", "S", "Kolada (RKA), uttag augusti 2024, KPI U00414, N00640 · "
                     "Exempeldata 2012–2020 (U00414)", 2022)
    lines = text.footer_lines()
    assert len(lines) == 2 and lines[1] == "Data t.o.m. 2022"
    assert all(len(line) <= 95 for line in lines)
    assert ChartText("T", "S", "Kolada", 2022).footer_lines() == [
        "Källa: Kolada · Data t.o.m. 2022"]


def _pipe_reads(message: str, caplog) -> list[str]:
    """Log as the browser's pipe does when one message read from it does not decode."""
    from choreographer.channels import _wire
    from choreographer.channels._errors import JSONError

    images.ignore_the_browser_goodbye()  # as the renderer does when it opens the browser
    pipe_log = logging.getLogger("choreographer.channels.pipe")
    with caplog.at_level(logging.ERROR, logger=pipe_log.name):
        try:
            _wire.deserialize(message)
        except JSONError:
            pipe_log.exception("JSONError decoding message. Ignoring")
    return [record.getMessage() for record in caplog.records if record.name == pipe_log.name]


def test_the_browser_saying_goodbye_is_not_logged_as_an_error(caplog):
    assert images.BROWSER_GOODBYE == "{bye}"
    assert _pipe_reads("{bye}\n", caplog) == []


def test_a_message_from_the_browser_that_does_not_decode_is_still_logged(caplog):
    assert _pipe_reads('{"id": 3, "res', caplog) == ["JSONError decoding message. Ignoring"]
