"""One rule for numbers (etl.numbers): the same value has the same digits on the page, in the
CSV and Excel downloads, the machine CSV, the import preview and the audit log; nothing reads
display text back into a number."""

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from dashboard.present import charts
from dashboard.present import formatting as fmt
from dashboard.present.export import data as export_data
from dashboard.present.export.downloads import csv_bytes, workbook_bytes
from etl import imports, numbers, spreadsheet, targets

ROOT = Path(__file__).resolve().parents[2]
NBSP = "\u00a0"

# Ties at the last shown decimal (and floats whose binary value lies just below the tie, like
# 82.85 = 82.8499999…): half up on the number as written, as people and Excel round it.
TIES = [
    (82.85, 1, "82,9"), (3.625, 2, "3,63"), (56.25, 1, "56,3"), (0.05, 1, "0,1"),
    (2.675, 2, "2,68"), (0.125, 2, "0,13"), (62.5, 0, "63"), (-1.25, 1, "−1,3"),
    (1234.45, 1, f"1{NBSP}234,5"), (82.849, 1, "82,8"),
]


@pytest.mark.parametrize(("value", "decimals", "shown"), TIES)
def test_half_up_on_the_number_as_written(value, decimals, shown):
    assert fmt.number(value, decimals) == shown
    assert numbers.number(value, decimals) == shown
    assert numbers.round_half_up(value, decimals) == float(
        shown.replace(NBSP, "").replace(",", ".").replace("−", "-"))


@pytest.mark.parametrize(("value", "decimals", "shown"), TIES)
def test_the_same_digits_in_every_file(value, decimals, shown):
    """The page's digits, without the no-break space and with "-" (so Excel reads a number),
    in the CSV for Swedish Excel; with a decimal point in the CSV for machines; and Excel holds
    the exact value with a format of the same decimals (Excel rounds the shown digits half
    up, as the page)."""
    digits = shown.replace(NBSP, "").replace("−", "-")
    number_format = charts.number_format(decimals)
    assert spreadsheet.csv_cell(value, number_format) == digits
    assert export_data._fixed(value, decimals) == digits.replace(",", ".")
    assert spreadsheet.excel_cell(value, number_format) == value
    assert numbers.format_decimals(number_format) == decimals
    assert numbers.fixed(value, numbers.format_decimals(number_format)) == digits
    percent_format = charts.number_format(decimals, "%")
    assert numbers.format_decimals(percent_format) == decimals
    assert fmt.percent(value, decimals) == f"{shown}{NBSP}%"


def test_downloads_and_page_agree_on_ties():
    values = [v for v, _, _ in TIES]
    decimals = [d for _, d, _ in TIES]
    frame = pd.DataFrame({"Värde": values})
    formats = pd.DataFrame({"Värde": [charts.number_format(d) for d in decimals]})
    table = charts.DataTable("Prov", frame, formats)
    rows = list(csv.reader(io.StringIO(csv_bytes(table).decode("utf-8-sig")), delimiter=";"))
    page = [fmt.number(v, d).replace(NBSP, "").replace("−", "-")
            for v, d in zip(values, decimals, strict=True)]
    assert [r[0] for r in rows[1:]] == page
    sheet = load_workbook(io.BytesIO(workbook_bytes([table]))).active
    cells = [row[0] for row in sheet.iter_rows(min_row=4) if row[0].value is not None]
    assert [c.value for c in cells] == values  # exact, so sums stay exact
    assert [numbers.fixed(c.value, numbers.format_decimals(c.number_format)) for c in cells] \
        == page


def test_import_preview_and_audit_log_round_as_the_page():
    """Haganässkolan 2017 in the demo: mean 116/32 = 3,625 and 18/32 = 56,25 % answering 4–5.
    round() gave 3,62 and 56,2 (half-even on the binary value); the page shows 3,63 and
    56,3."""
    assert imports._shown_mean({"mean": 116 / 32}) == 3.63
    assert fmt.number(imports._shown_mean({"mean": 116 / 32}), 2) == "3,63"
    assert numbers.round_half_up(100 * 18 / 32, 1) == 56.3


def test_swedish_number_text_from_files():
    assert numbers.parse(f"1{NBSP}234,5") == 1234.5
    assert numbers.parse("−2,5") == -2.5
    assert numbers.parse("55,0 %", per_cent=True) == 55.0
    assert numbers.parse("") is None
    with pytest.raises(ValueError):
        numbers.parse("55 %")  # per cent only where the unit is per cent
    with pytest.raises(ValueError):
        numbers.parse("inf")
    parsed = numbers.parse_column(pd.Series(["1 234,5", "x", "3,2%"]), per_cent=True)
    assert parsed.iloc[0] == 1234.5 and pd.isna(parsed.iloc[1]) and parsed.iloc[2] == 3.2


def test_a_target_is_written_exactly_and_read_back_the_same():
    for value in (85.0, 3.5, 82.85, 0.1 + 0.2):
        assert targets.parse_value(targets.number_text(value), "%") == value


SPEC = re.compile(r"\{[^{}\n]*:[^{}\n]*[.,]\d*f\}|\{[^{}\n]*:,\}")
"""An f-string format spec that writes a number with decimals or thousands (":.2f", ":,")."""
BY_HAND = ('.replace(",", ".")', '.replace(".", ",")', "Decimal(", 'replace("−", "-")',
           "replace(fmt.NBSP", "round(float(")
# Sizes and durations in messages and logs, not values of measures: whole megabytes and
# seconds, rounded as Python does.
NOT_VALUES = {"dashboard/cli.py", "etl/kolada_sync.py", "etl/extract/tables.py",
              "etl/extract/kolada.py", "dashboard/present/export/images.py"}


def test_numbers_are_formatted_and_read_in_one_place():
    """No module but etl.numbers writes decimals itself, rounds for display or turns number
    text (its own display text included) back into a number."""
    found = []
    for path in sorted([*ROOT.glob("etl/**/*.py"), *ROOT.glob("dashboard/**/*.py")]):
        name = path.relative_to(ROOT).as_posix()
        if name == "etl/numbers.py" or "/migrations/" in name:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if name not in NOT_VALUES and SPEC.search(line):
                found.append(f"{name}:{number}: {line.strip()}")
            found += [f"{name}:{number}: {line.strip()}" for pattern in BY_HAND
                      if pattern in line]
    assert not found, "\n".join(found)


def test_the_report_takes_a_change_from_the_model_as_printed():
    """The report's change is the difference of the numbers as printed (82,85 → 82,9), taken
    from the model's values, never read back from its own text."""
    from decimal import Decimal
    from types import SimpleNamespace

    from dashboard.present.export import report

    item = SimpleNamespace(info=SimpleNamespace(decimals=1, unit="%"))
    change, size = report._difference(item, SimpleNamespace(unit="%"), 82.85, 80.0)
    assert (change, size) == (Decimal("2.9"), "2,9 procentenheter")
    assert size.split()[0] == fmt.number(numbers.round_half_up(82.85, 1) - 80.0, 1)
