"""Changes of values in words: "Gott bemötande (N00640) 2022: 80,0 % → 80,5 %", and what a
change touches ("Fastställd rapport 2022, version 1, bygger på det gamla värdet").

One place for the alert e-mails and the page Nytt, so that both say the same thing.
"""

from __future__ import annotations

from dashboard.present import formatting as fmt
from dashboard.present import words
from etl import analysis
from etl.changes import TouchedReport, TouchedText, ValueChange
from etl.followup.records import MeasureInfo

KIND_WORDS = {"new": "Nytt värde", "revised": "Reviderat", "deleted": "Borttaget"}
DELETED = "borttaget"
SAME = 1e-9


def value(info: MeasureInfo | None, change: ValueChange, number: float | None) -> str:
    """A value in the unit of the KPI that measured it (an index is no per cent)."""
    if info is None:
        return fmt.number(number)
    link = info.link_for(change.year)
    return words.value_text(info, number, (link.kpi_unit or info.unit) if link else None)


def label(change: ValueChange) -> str:
    """"Gott bemötande vid telefonkontakt (N00640) 2022"."""
    return f"{change.measure_name} ({change.kpi_id}) {change.year}"


def old_to_new(info: MeasureInfo | None, change: ValueChange) -> str:
    """"80,0 % → 80,5 %", "– → 81,2 %" (new) or "80,0 % → borttaget"."""
    new = DELETED if change.new_value is None else value(info, change, change.new_value)
    return f"{value(info, change, change.old_value)} → {new}"


def line(info: MeasureInfo | None, change: ValueChange) -> str:
    """"Gott bemötande vid telefonkontakt (N00640) 2022: 80,0 % → 80,5 %"."""
    if change.kind == "new":
        return f"{label(change)}: {value(info, change, change.new_value)}"
    return f"{label(change)}: {old_to_new(info, change)}"


def report_note(info: MeasureInfo | None, change: ValueChange, report: TouchedReport) -> str:
    """"Fastställd rapport 2022, version 1, bygger på det gamla värdet"."""
    name = f"Fastställd rapport {report.year}, version {report.version}"
    if report.frozen_value is None:
        return f"{name}, visar inget värde för {change.year}"
    if change.old_value is not None and abs(report.frozen_value - change.old_value) <= SAME:
        return f"{name}, bygger på det gamla värdet"
    return f"{name}, bygger på värdet {value(info, change, report.frozen_value)}"


def text_note(text: TouchedText) -> str:
    """"Fastställd analystext 2022 skrevs före ändringen" (or granskad, utkast)."""
    state = "Fastställd" if text.is_frozen else text.state.capitalize()
    goal = analysis.goal_of(text.scope)
    what = ("samlad bedömning" if text.scope == analysis.YEAR_SCOPE
            else f"text om mål {goal}" if goal is not None else "analystext")
    return (f"{state} {what} {text.year} (sparad {fmt.iso_date(text.updated_at)}) "
            "bygger på det som gällde före ändringen")


def touched(info: MeasureInfo | None, change: ValueChange) -> list[str]:
    """Everything the change touches, fastställda reports first."""
    return ([report_note(info, change, r) for r in change.reports]
            + [text_note(t) for t in change.texts])


def measure_link(change: ValueChange) -> str:
    """The measure's page for the year: /mal/N?ar=Y (with its anchor)."""
    return f"/mal/{change.goal_number}?ar={change.year}#{change.measure_id}"
