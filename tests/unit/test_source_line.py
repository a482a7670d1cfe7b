"""The source line ("Källa") is decided once, by the follow-up model (etl/followup/records)."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

from etl.followup.records import (
    LineageLink,
    MeasureFollowUp,
    MeasureInfo,
    Provenance,
    kpi_source_line,
    provenance_caption,
)

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "etl" / "followup" / "records.py"


def _info(source: str = "kolada", kpis: tuple[str, ...] = ("N00640", "U00412")) -> MeasureInfo:
    lineage = tuple(LineageLink(kpi, 2010 + i, None, "", "", False) for i, kpi in enumerate(kpis))
    return MeasureInfo("1.1", 1, "", "", "", source, "%", 0, 100, "increase", 1, None, lineage)


def test_a_measure_names_its_kpis_and_how_its_values_came():
    fetched = Provenance("kolada-api", date(2026, 11, 27))
    bundled = Provenance("bundled", None, "Kolada (RKA), uttag augusti 2024")
    item = MeasureFollowUp(_info(), "1277", "Åstorp", (), provenance=(bundled, fetched, bundled))
    assert item.source_line == ("Kolada (RKA), uttag augusti 2024; Kolada (RKA), hämtad "
                                "2026-11-27, KPI N00640, U00412")
    assert MeasureFollowUp(_info(), "1277", "Åstorp", ()).source_line == \
        "Kolada (RKA), KPI N00640, U00412"


def test_a_survey_measure_names_its_threshold_never_a_kpi():
    item = MeasureFollowUp(_info("survey", ()), "1277", "Åstorp", (),
                           anonymity_threshold=5)
    assert item.source_line == ("Medarbetarenkät (aggregerad, grupper under 5 svarande visas "
                                "inte)")


def test_any_kpi_says_exempeldata_where_values_are_invented():
    read = (Provenance("file", date(2026, 1, 2)),)
    assert provenance_caption(read) == "Kolada (RKA), fil inläst 2026-01-02"
    assert kpi_source_line(read, True) == "Kolada (RKA), fil inläst 2026-01-02 · Exempeldata"
    assert kpi_source_line((), True) == "Exempeldata (påhittade värden)"
    assert kpi_source_line((), False) == "Kolada (RKA)"


def test_no_module_outside_the_model_writes_a_source_line_of_its_own():
    """The source's names appear as text in the model only (the site footer names the sources
    of the whole site in one sentence)."""
    allowed = {MODEL, ROOT / "dashboard" / "web" / "app.py"}
    found = []
    for path in sorted([*ROOT.joinpath("etl").rglob("*.py"),
                        *ROOT.joinpath("dashboard").rglob("*.py")]):
        if path in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                    "Kolada (RKA)" in node.value or "Medarbetarenkät (aggregerad" in node.value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, found
