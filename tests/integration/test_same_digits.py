"""The same value shows the same digits everywhere: Haganässkolan 2017 in the demo (mean
116/32 = 3,625, 18/32 = 56,25 % answering 4–5) on the page, in the CSV and Excel download,
in the import preview and in the audit log of what an import replaced."""

import csv
import io
import json
import shutil

from openpyxl import load_workbook
from sqlalchemy import select

from dashboard.present import charts
from dashboard.present import formatting as fmt
from dashboard.present.export import downloads
from dashboard.store import queries
from etl import db, imports, numbers, schema
from etl.demo import survey_file_name

YEAR, FORVALTNING, ENHET = 2017, "Barn- och utbildningsförvaltningen", "Haganässkolan"
MEAN, SHARE = "3,63", "56,3"  # half up; round() and the f-strings gave 3,62 and 56,2


def test_a_survey_tie_has_the_page_digits_in_every_output(demo_copy, tmp_path):
    engine = db.engine_for(demo_copy.database_url)
    info = next(m for m in queries.measures(engine) if m.is_survey)

    view = charts.survey_units_view(engine, demo_copy, info, YEAR, FORVALTNING)
    page = view.table.loc[view.table["Enhet"] == ENHET].iloc[0]
    assert page["Medelvärde (1–5)"] == MEAN
    assert f"{ENHET} {MEAN} (n = 32)" in view.summary
    assert fmt.percent(56.25, 1) == f"{SHARE}\u00a0%"

    rows = list(csv.DictReader(io.StringIO(downloads.chart_csv(view).decode("utf-8-sig")),
                               delimiter=";"))
    row = next(r for r in rows if r["Enhet"] == ENHET)
    assert (row["Medelvärde 1–5"], row["Andel som svarar 4–5 (%)"]) == (MEAN, SHARE)
    assert row["Källa"] == "Exempeldata"

    sheet = load_workbook(io.BytesIO(downloads.workbook_bytes([view.data]))).active
    header = next(r for r in sheet.iter_rows() if r[0].value == "År")
    column = {c.value: c.column - 1 for c in header}
    cells = next(r for r in sheet.iter_rows(min_row=header[0].row + 1)
                 if r[column["Enhet"]].value == ENHET)
    for name, shown in (("Medelvärde 1–5", MEAN), ("Andel som svarar 4–5 (%)", SHARE)):
        cell = cells[column[name]]
        assert numbers.fixed(cell.value, numbers.format_decimals(cell.number_format)) == shown

    # The same units from a corrected file (one more employee at Haganässkolan): the preview
    # shows the stored and the new mean, the log keeps the replaced one, as the page does.
    source = demo_copy.data_dir / "demo" / survey_file_name(YEAR)
    corrected = tmp_path / "rattad.csv"
    shutil.copyfile(source, corrected)
    text = corrected.read_text(encoding="utf-8-sig")
    assert f";{ENHET};44;" in text
    corrected.write_text(text.replace(f";{ENHET};44;", f";{ENHET};45;"), encoding="utf-8-sig")
    preview = imports.import_survey_file(engine, corrected, demo_copy, replace=True,
                                         is_example=True, dry_run=True)
    change = next(c for c in preview.changes if c.enhet == ENHET)
    assert (fmt.number(change.old_mean, 2), fmt.number(change.mean, 2)) == (MEAN, MEAN)

    imports.import_survey_file(engine, corrected, demo_copy, replace=True, is_example=True)
    with engine.connect() as connection:
        before = connection.scalar(select(schema.AuditEvent.before).where(
            schema.AuditEvent.action == "import.survey.replaced"))
    logged = next(r for r in json.loads(before) if r["enhet"] == ENHET)
    assert (fmt.number(logged["mean"], 2), fmt.number(logged["share_positive"], 1)) == (
        MEAN, SHARE)
