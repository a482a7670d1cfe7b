"""The yearly follow-up report for kommunstyrelsen: one model, written as DOCX and as PDF.

`build_report` gathers everything the report says (cover, summary table, per goal its measures
with chart, summary sentence and analysis text, and the appendix on sources, method, KPI
lineage, series breaks and revised values) from the same follow-ups the pages use, cut at the
report year. `report_docx` and `report_pdf` only lay the model out; neither queries anything.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from dashboard import charts, queries, richtext, words
from dashboard import formatting as fmt
from dashboard.export import images, method
from etl.errors import InputError
from etl.followup.records import MeasureFollowUp, StrategyInfo
from etl.settings import Settings

ANALYSIS_STATES = {
    "fastställd": "Fastställd",
    "granskad": "Granskad, ej fastställd",
    "utkast": "Utkast, ej granskat",
}
REPORT_SUFFIXES = ("docx", "pdf")


@dataclass(frozen=True)
class AnalysisNote:
    state: str
    body: str
    updated_at: datetime | None
    updated_by: str

    @property
    def label(self) -> str:
        words = ANALYSIS_STATES.get(self.state, self.state.capitalize())
        when = f", senast ändrad {fmt.iso_date(self.updated_at)}" if self.updated_at else ""
        who = f" av {self.updated_by}" if self.updated_by else ""
        return f"Analys ({words}{when}{who})"

    def blocks(self) -> list[richtext.Block]:
        """The light-Markdown body as paragraphs and lists of plain text runs."""
        return richtext.parse(self.body)


@dataclass(frozen=True)
class SummaryRow:
    goal: int
    measure: str
    year: str
    value: str
    comparison: str
    target: str
    target_status: str
    peer_status: str


@dataclass
class MeasureSection:
    item: MeasureFollowUp
    summary: str
    notes: list[str]
    analysis: AnalysisNote | None

    @property
    def name(self) -> str:
        return self.item.info.name

    @property
    def alt_text(self) -> str:
        """The chart's text alternative: the summary sentence, as on the page."""
        return f"Diagram: {self.item.info.name}. {self.summary}"


@dataclass
class GoalSection:
    number: int
    title: str
    description: str
    measures: list[MeasureSection]

    @property
    def heading(self) -> str:
        return f"Mål {self.number}: {self.title}"


@dataclass
class Report:
    year: int
    created: date
    municipality: str
    strategy: StrategyInfo
    summary_rows: list[SummaryRow]
    goals: list[GoalSection]
    sources: list[tuple[str, str]]
    method_notes: list[tuple[str, str]]
    lineage: pd.DataFrame
    series_breaks: list[str]
    revisions: pd.DataFrame
    revised_since: date
    has_example: bool
    example_targets: bool
    charts: dict[str, dict[str, bytes]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"Uppföljning av kommunikationsstrategin {self.year}"

    @property
    def document_title(self) -> str:
        return f"{self.title} – {self.municipality}"

    @property
    def decision_text(self) -> str:
        adopted = (f"antagen {fmt.iso_date(self.strategy.adopted)}"
                   if self.strategy.adopted else "")
        return ", ".join(p for p in (adopted, self.strategy.decision) if p) or "–"

    @property
    def cover_facts(self) -> list[tuple[str, str]]:
        return [
            ("Kommun", self.municipality),
            ("Uppföljningsår", str(self.year)),
            ("Datum", fmt.iso_date(self.created)),
            ("Strategi", self.strategy.name),
            ("Beslut", self.decision_text),
            ("Uppföljning", self.strategy.follow_up or "–"),
        ]

    @property
    def example_notice(self) -> str:
        if not (self.has_example or self.example_targets):
            return ""
        parts = []
        if self.has_example:
            parts.append("värden märkta «exempeldata» är påhittade för demonstration")
        if self.example_targets:
            parts.append("målvärden märkta «exempel» är inte beslutade")
        return "Exempeldata: " + " och ".join(parts) + "."

    @property
    def summary_header(self) -> list[str]:
        return ["Mått", "År", "Kommunens mått", "Mätkommunernas medelvärde", "Mål",
                "Status mot mål", "Status mot andra kommuner"]

    def summary_cells(self, row: SummaryRow) -> list[str]:
        return [row.measure, row.year, row.value, row.comparison, row.target,
                row.target_status, row.peer_status]

    @property
    def lineage_header(self) -> list[str]:
        return ["Mått", "Nyckeltal", "År", "Mätmetod"]

    def lineage_cells(self) -> list[list[str]]:
        rows = []
        for r in self.lineage.to_dict("records"):
            first, last = r["Från år"], r["Till år"]
            years = "–" if pd.isna(first) else (
                f"{int(first)}–" + ("" if pd.isna(last) else str(int(last))))
            rows.append([r["Mått"], r["Nyckeltal"], years, r["Mätmetod"]])
        return rows

    @property
    def revision_header(self) -> list[str]:
        return ["Mått", "Nyckeltal", "År", "Tidigare värde", "Nytt värde", "Ändrat"]

    def revision_cells(self) -> list[list[str]]:
        return [[r.measure, r.kpi_id, str(int(r.year)), r.old_text, r.new_text,
                 fmt.iso_date(r.revised_at)] for r in self.revisions.itertuples()]

    @property
    def revisions_intro(self) -> str:
        return (f"Värden för {self.year} och tidigare år som har reviderats i Kolada och "
                f"ändrats i Målbild från och med {fmt.iso_date(self.revised_since)}, alltså "
                "efter underlaget till förra årets rapport.")


def place_name(municipality: str) -> str:
    """"Åstorp" → "Åstorps kommun"; "Borås" → "Borås kommun"."""
    return f"{municipality} kommun" if municipality.endswith("s") else \
        f"{municipality}s kommun"


def _summary_row(item: MeasureFollowUp) -> SummaryRow:
    info, row = item.info, item.latest
    if row is None:
        return SummaryRow(info.goal_number, info.name, "–", "Ingen mätning", "–", "–",
                          "Ingen mätning", "–")
    example = " (exempeldata)" if row.is_example else ""
    if info.is_survey:
        value = (f"{words.value_text(info, row.value)} (n = {fmt.count(row.respondents)})"
                 + example)
        comparison = "– (medarbetarenkät)"
    else:
        value = words.value_text(info, row.value) + example
        comparison = (f"{words.value_text(info, row.comparison_mean)} "
                      f"(n = {fmt.count(row.comparison_n)})")
    target = "Inget mål" if row.target is None else words.value_text(info, row.target) + (
        " (exempel)" if row.target_is_example else "")
    return SummaryRow(info.goal_number, info.name, str(row.year), value, comparison,
                      target, words.target_of(row).label, words.peer_of(item, row).text)


def _revisions(engine: Engine, items: list[MeasureFollowUp], home: str, year: int,
               since: date) -> pd.DataFrame:
    rows = []
    for item in items:
        if item.info.is_survey:
            continue
        found = queries.revisions_since(engine, item.info.kpi_ids, home, since, year)
        for r in found.itertuples():
            rows.append({"measure": item.info.name, "kpi_id": r.kpi_id, "year": r.year,
                         "old_text": words.value_text(item.info, r.old_value),
                         "new_text": "borttaget" if pd.isna(r.new_value)
                         else words.value_text(item.info, r.new_value),
                         "revised_at": r.revised_at})
    return pd.DataFrame(rows, columns=["measure", "kpi_id", "year", "old_text", "new_text",
                                       "revised_at"])


def build_report(engine: Engine, settings: Settings, year: int, *,
                 created: date | None = None, revised_since: date | None = None,
                 include_drafts: bool = True) -> Report:
    """Everything the yearly report for `year` says, cut at that year.

    Without `include_drafts`, analysis texts still in utkast are left out (the report for
    someone who is not an administrator).
    """
    strategy = queries.strategy_info(engine, settings.municipality)
    today = created or date.today()
    if not 2000 <= year <= today.year + 1:
        raise InputError(f"året {year} går inte att följa upp.",
                         hint=f"Ange ett år mellan 2000 och {today.year}.")
    analyses = {measure: text for measure, text in queries.analysis_texts(engine, year).items()
                if include_drafts or text["state"] != "utkast"}
    goals, items = [], []
    for goal in queries.goals(engine).itertuples():
        sections = []
        for info in queries.measures(engine, goal.number):
            item = queries.measure_followup(engine, settings, info.id).until(year)
            items.append(item)
            notes = [n for n in (words.missing_latest_note(item),) if n]
            analysis = analyses.get(info.id)
            sections.append(MeasureSection(
                item, words.summary(item), notes,
                AnalysisNote(analysis["state"], analysis["body"], analysis["updated_at"],
                             analysis["updated_by"]) if analysis else None))
        goals.append(GoalSection(goal.number, goal.title, goal.description or "", sections))
    if all(item.latest is None for item in items):
        raise InputError(f"det finns inga värden till och med {year}.",
                         hint="Välj ett senare år eller importera data först.")
    infos = [item.info for item in items]
    since = revised_since or date(year, 1, 1)
    return Report(
        year=year, created=today, municipality=place_name(strategy.municipality),
        strategy=strategy,
        summary_rows=[_summary_row(item) for item in items],
        goals=goals,
        sources=[(item.info.name, charts.chart_text(item).footer) for item in items],
        method_notes=method.method_notes(settings.anonymity_threshold),
        lineage=method.lineage_table(infos),
        series_breaks=method.series_breaks(infos),
        revisions=_revisions(engine, items, strategy.municipality_id, year, since),
        revised_since=since,
        has_example=any(row.is_example for item in items for row in item.rows),
        example_targets=any(row.target_is_example for item in items for row in item.rows),
    )


def render_charts(report: Report, formats: tuple[str, ...],
                  renderer: images.ChartRenderer | None = None) -> None:
    """Draw every measure's chart once per format with the shared browser."""
    renderer = renderer or images.renderer()
    for goal in report.goals:
        for section in goal.measures:
            figure = charts.measure_figure(section.item)
            report.charts[section.item.info.id] = {f: renderer.image(figure, f)
                                                   for f in formats}


def _start_renderer() -> None:
    with contextlib.suppress(Exception):  # a failure is reported by the first real use
        images.renderer()


def report_bytes(engine: Engine, settings: Settings, year: int, suffix: str, *,
                 renderer: images.ChartRenderer | None = None,
                 include_drafts: bool = True) -> bytes:
    """The report for `year` as DOCX or PDF."""
    from dashboard.export import report_docx, report_pdf

    if suffix not in REPORT_SUFFIXES:
        raise InputError(f"rapporten kan inte skrivas som «.{suffix}».",
                         hint="Välj en fil som slutar på .docx eller .pdf.")
    if renderer is None:
        # Start the browser while the model is built; the first image waits for it if need be.
        starting = threading.Thread(target=_start_renderer, daemon=True)
        starting.start()
    report = build_report(engine, settings, year, include_drafts=include_drafts)
    if suffix == "docx":
        render_charts(report, ("png",), renderer)
        return report_docx.docx_bytes(report)
    render_charts(report, ("svg",), renderer)
    return report_pdf.pdf_bytes(report, renderer)


def write_report(engine: Engine, settings: Settings, year: int, path: Path, *,
                 renderer: images.ChartRenderer | None = None) -> Path:
    suffix = path.suffix.lower().lstrip(".")
    content = report_bytes(engine, settings, year, suffix, renderer=renderer)
    path.write_bytes(content)
    return path
