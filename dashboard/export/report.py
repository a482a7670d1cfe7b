"""The yearly follow-up report for kommunstyrelsen: one model, written as DOCX and as PDF.

`build_report` gathers everything the report says (cover, summary table, per goal its measures
with chart, summary sentence and analysis text, and the appendix on sources, method, KPI
lineage, series breaks and revised values) from the same follow-ups the pages use, cut at the
report year. `report_docx` and `report_pdf` only lay the model out; neither queries anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from dashboard import followup, queries, richtext
from dashboard import formatting as fmt
from dashboard.export import images, method
from etl.errors import InputError
from etl.settings import Settings

ANALYSIS_STATES = {
    "fastställd": "Fastställd",
    "granskad": "Granskad, ej fastställd",
    "utkast": "Utkast, ej granskat",
}
REPORT_SUFFIXES = ("docx", "pdf")
DRAFT_LABEL = "Automatiskt underlag – granska innan beslut"
TABLE_YEARS = 5
"""The measure's table shows the report year and the four years before it."""


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
class GoalVerdict:
    """The verdict on a goal for the report year, as the follow-up model gives it.

    `key` is the model's (uppnatt, delvis, ej-uppnatt, kan-inte-bedomas); `label` and `symbol`
    are its words and sign ("Delvis uppnått", "◐"); `rule` says in one sentence how it was
    reached. The report only lays it out; it never computes a verdict itself.
    """

    key: str
    label: str
    symbol: str
    rule: str = ""

    def text(self, year: int) -> str:
        return f"Bedömning {year}: {self.symbol} {self.label}"


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
    target_symbol: str = ""
    peer_symbol: str = ""


@dataclass(frozen=True)
class MeasureTable:
    """A measure's yearly numbers as the page's table view shows them, for the report's years."""

    header: list[str]
    rows: list[list[str]]
    caption: str


@dataclass
class MeasureSection:
    item: followup.MeasureFollowUp
    summary: str
    notes: list[str]
    analysis: AnalysisNote | None
    table: MeasureTable | None = None
    narrative: list[str] = field(default_factory=list)
    """Sentences drafted from the data where no fastställd analysis exists (else empty)."""

    @property
    def draft_label(self) -> str:
        return DRAFT_LABEL

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
    verdict: GoalVerdict | None = None

    @property
    def heading(self) -> str:
        return f"Mål {self.number}: {self.title}"


@dataclass
class Report:
    year: int
    created: date
    municipality: str
    municipality_id: str
    strategy: queries.StrategyInfo
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
        """A summary row's cells; the statuses carry their symbol as well as their words."""
        return [row.measure, row.year, row.value, row.comparison, row.target,
                f"{row.target_symbol} {row.target_status}".strip(),
                f"{row.peer_symbol} {row.peer_status}".strip()]

    def summary_groups(self) -> list[tuple[GoalSection, list[list[str]]]]:
        """The summary table's rows grouped by goal, in strategy order."""
        return [(goal, [self.summary_cells(r) for r in self.summary_rows
                        if r.goal == goal.number]) for goal in self.goals]

    @property
    def kpi_ids(self) -> list[str]:
        """The Kolada KPIs whose values the report shows (every measure's lineage)."""
        return list(dict.fromkeys(link.kpi_id for goal in self.goals for s in goal.measures
                                  if not s.item.info.is_survey for link in s.item.info.lineage))

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


def _summary_row(item: followup.MeasureFollowUp) -> SummaryRow:
    info, row = item.info, item.latest
    if row is None:
        return SummaryRow(info.goal_number, info.name, "–", "Ingen mätning", "–", "–",
                          "Ingen mätning", "–")
    example = " (exempeldata)" if bool(row["is_example"]) else ""
    if info.is_survey:
        value = (f"{item.value_text(row['value'])} (n = {fmt.count(int(row['respondents']))})"
                 + example)
        comparison = "– (medarbetarenkät)"
    else:
        value = item.value_text(row["value"]) + example
        comparison = (f"{item.value_text(row['comparison_mean'])} "
                      f"(n = {fmt.count(int(row['comparison_n']))})")
    target = "Inget mål" if pd.isna(row["target"]) else item.value_text(row["target"]) + (
        " (exempel)" if bool(row["target_is_example"]) else "")
    peer = item.peer_state(row)
    peer_text = f"{peer.label}, {peer.rank_text}" if peer.rank_text else peer.label
    state = item.target_state(row)
    return SummaryRow(info.goal_number, info.name, str(int(row["year"])), value, comparison,
                      target, state.label, peer_text, state.icon, peer.icon)


def measure_table(item: followup.MeasureFollowUp, year: int) -> MeasureTable:
    """The page's table view of the measure (`display_table`, one place for the yearly
    numbers, intervals included when the model has them), for the report's last years."""
    table = item.display_table()
    table = table.loc[table["År"].astype(int) > year - TABLE_YEARS]
    first = int(table["År"].min()) if len(table) else year
    return MeasureTable(
        [str(c) for c in table.columns],
        [[str(v) for v in row] for row in table.itertuples(index=False)],
        f"{item.info.name}, {first}–{year}" if first < year else f"{item.info.name}, {year}")


# --- The drafted narrative ----------------------------------------------------------------------


def _shown(value: float, decimals: int) -> Decimal:
    """The number exactly as the report prints it, so a difference agrees with the text."""
    text = fmt.number(value, decimals).replace(fmt.NBSP, "").replace("−", "-")
    return Decimal(text.replace(",", "."))


def _difference(item: followup.MeasureFollowUp, new: float, old: float) -> tuple[Decimal, str]:
    """new − old as shown, and its size in words: "3,0 procentenheter", "0,12"."""
    decimals = item.info.decimals
    change = _shown(new, decimals) - _shown(old, decimals)
    size = fmt.number(float(abs(change)), decimals)
    if item.info.unit in fmt.PERCENT_UNITS:
        size += " procentenheter" if abs(change) != 1 else " procentenhet"
    return change, size


def _interval(row) -> str:
    """" (95 % felmarginal 66,4–75,2 %)" when the model gives an interval, else ""."""
    low, high = row.get("ci_low"), row.get("ci_high")
    if low is None or high is None or fmt.is_missing(low) or fmt.is_missing(high):
        return ""
    return f" (felmarginal 95 %: {fmt.number(low, 1)}–{fmt.number(high, 1)})"


def _against_target(item: followup.MeasureFollowUp, row) -> str:
    """", mot målet 85,0 % (exempel): ej uppnått" or ", och det finns inget mål för 2022"."""
    if pd.isna(row["target"]):
        return f", och det finns inget mål för {int(row['year'])}"
    example = " (exempel)" if bool(row["target_is_example"]) else ""
    return (f", mot målet {item.value_text(row['target'])}{example}: "
            f"{item.target_state(row).label.lower()}")


def _change_sentence(item: followup.MeasureFollowUp, row) -> str:
    """Against the previous measurement: same method → the change; another → the break."""
    series = item.series
    earlier = series.loc[(series["year"] < int(row["year"])) & series["value"].notna()]
    if earlier.empty:
        return " Det finns ingen tidigare mätning att jämföra med."
    previous = earlier.iloc[-1]
    same_method = item.info.is_survey or previous["kpi_id"] == row["kpi_id"]
    before = f"{int(previous['year'])}: {item.value_text(previous['value'])}"
    if not same_method:
        link = item.info.link_for(int(row["year"]))
        since = link.first_year if link else int(row["year"])
        return (f" Mätmetoden byttes {since} ({previous['kpi_id']} ersattes av "
                f"{row['kpi_id']}), så värdet kan inte jämföras med förra mätningen "
                f"({before}).")
    change, size = _difference(item, row["value"], previous["value"])
    what = "enkäten" if item.info.is_survey else "mätningen med samma metod"
    if change == 0:
        return f" Värdet är oförändrat sedan förra {what} ({before})."
    direction = "ökat" if change > 0 else "minskat"
    return f" Sedan förra {what} ({before}) har värdet {direction} med {size}."


def draft_narrative(item: followup.MeasureFollowUp, year: int) -> list[str]:
    """Two or three plain sentences drafted from the data alone, for a measure without a
    fastställd analysis: the value (and its interval), the target, the comparison, the change
    since the last measurement by the same method or the method break. Every number comes
    from the follow-up; nothing is said about causes."""
    row = item.latest
    if row is None:
        return [f"{item.municipality} har inget värde för måttet till och med {year}."]
    measured = int(row["year"])
    example = " (exempeldata)" if bool(row["is_example"]) else ""
    when = (f"{measured}" if measured == year else
            f"{measured} (senaste mätningen till och med {year})")
    if item.info.is_survey:
        share = ("" if fmt.is_missing(row["share_positive"]) else
                 f", {fmt.percent(row['share_positive'], 0)} svarade 4 eller 5")
        first = (f"I medarbetarenkäten {when} gav de anställda i snitt "
                 f"{item.value_text(row['value'])}{example} på skalan 1–5 (n = "
                 f"{fmt.count(int(row['respondents']))}{share}){_interval(row)}"
                 f"{_against_target(item, row)}.")
        return [first, _change_sentence(item, row).strip()]
    sentences = [f"{item.municipality} hade {item.value_text(row['value'])}{example} år {when}"
                 f"{_interval(row)}{_against_target(item, row)}."]
    if not pd.isna(row["comparison_mean"]):
        change, size = _difference(item, row["value"], row["comparison_mean"])
        position = ("lika med" if change == 0 else
                    f"{size} {'över' if change > 0 else 'under'}")
        rank = (f", plats {int(row['peer_rank'])} av {int(row['comparison_n'])}"
                if not pd.isna(row["peer_rank"]) else "")
        sentences.append(
            f"Mätkommunernas medelvärde var {item.value_text(row['comparison_mean'])} "
            f"(n = {fmt.count(int(row['comparison_n']))}); {item.municipality} låg "
            f"{position} medelvärdet{rank}.")
    sentences.append(_change_sentence(item, row).strip())
    return sentences


def _revisions(engine: Engine, items: list[followup.MeasureFollowUp], home: str, year: int,
               since: date) -> pd.DataFrame:
    rows = []
    for item in items:
        if item.info.is_survey:
            continue
        kpis = [link.kpi_id for link in item.info.lineage]
        found = queries.revisions_since(engine, kpis, home, since, year)
        for r in found.itertuples():
            rows.append({"measure": item.info.name, "kpi_id": r.kpi_id, "year": r.year,
                         "old_text": item.value_text(r.old_value),
                         "new_text": "borttaget" if pd.isna(r.new_value)
                         else item.value_text(r.new_value),
                         "revised_at": r.revised_at})
    return pd.DataFrame(rows, columns=["measure", "kpi_id", "year", "old_text", "new_text",
                                       "revised_at"])


def build_report(engine: Engine, settings: Settings, year: int, *,
                 created: date | None = None, revised_since: date | None = None,
                 include_drafts: bool = True,
                 verdicts: Mapping[int, GoalVerdict] | None = None) -> Report:
    """Everything the yearly report for `year` says, cut at that year.

    Without `include_drafts`, analysis texts still in utkast are left out (the report for
    someone who is not an administrator). `verdicts` (goal number → verdict) comes from the
    follow-up model; a goal without one shows no verdict.
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
            item = followup.measure_followup(engine, settings, info.id, info, strategy
                                             ).until(year)
            items.append(item)
            notes = [n for n in (item.missing_latest_note,) if n]
            analysis = analyses.get(info.id)
            fixed = analysis is not None and analysis["state"] == "fastställd"
            sections.append(MeasureSection(
                item, item.summary(), notes,
                AnalysisNote(analysis["state"], analysis["body"], analysis["updated_at"],
                             analysis["updated_by"]) if analysis else None,
                measure_table(item, year),
                [] if fixed else draft_narrative(item, year)))
        goals.append(GoalSection(goal.number, goal.title, goal.description or "", sections,
                                 (verdicts or {}).get(goal.number)))
    if all(item.latest is None for item in items):
        raise InputError(f"det finns inga värden till och med {year}.",
                         hint="Välj ett senare år eller importera data först.")
    infos = [item.info for item in items]
    since = revised_since or date(year, 1, 1)
    return Report(
        year=year, created=today, municipality=place_name(strategy.municipality),
        municipality_id=strategy.municipality_id,
        strategy=strategy,
        summary_rows=[_summary_row(item) for item in items],
        goals=goals,
        sources=[(item.info.name, item.chart_text().footer) for item in items],
        method_notes=method.method_notes(settings.anonymity_threshold),
        lineage=method.lineage_table(infos),
        series_breaks=method.series_breaks(infos),
        revisions=_revisions(engine, items, strategy.municipality_id, year, since),
        revised_since=since,
        has_example=any(bool(item.series["is_example"].any()) for item in items),
        example_targets=any(bool(item.series["target_is_example"].any()) for item in items),
    )


def render_charts(report: Report, formats: tuple[str, ...],
                  renderer: images.ChartRenderer | None = None) -> None:
    """Draw every measure's chart once per format, all charts of a format in one batch."""
    renderer = renderer or images.renderer()
    sections = [section for goal in report.goals for section in goal.measures]
    figures = [section.item.figure() for section in sections]
    for fmt_ in formats:
        for section, image in zip(sections, renderer.images(figures, fmt_), strict=True):
            report.charts.setdefault(section.item.info.id, {})[fmt_] = image


def report_bytes(engine: Engine, settings: Settings, year: int, suffix: str, *,
                 renderer: images.ChartRenderer | None = None,
                 include_drafts: bool = True) -> bytes:
    """The report for `year` as DOCX or PDF."""
    if suffix not in REPORT_SUFFIXES:
        raise InputError(f"rapporten kan inte skrivas som «.{suffix}».",
                         hint="Välj en fil som slutar på .docx eller .pdf.")
    if renderer is None:
        # Start the browser while the model is built; the first image waits for it if need be.
        images.start_in_background()
    report = build_report(engine, settings, year, include_drafts=include_drafts)
    if suffix == "docx":  # each format imports only its own writer (Word's is not small)
        from dashboard.export import report_docx, report_template

        render_charts(report, ("png",), renderer)
        return report_docx.docx_bytes(report, report_template.template_path(settings))
    from dashboard.export import report_pdf

    render_charts(report, ("svg",), renderer)
    return report_pdf.pdf_bytes(report, renderer)


def write_report(engine: Engine, settings: Settings, year: int, path: Path, *,
                 renderer: images.ChartRenderer | None = None) -> Path:
    suffix = path.suffix.lower().lstrip(".")
    content = report_bytes(engine, settings, year, suffix, renderer=renderer)
    path.write_bytes(content)
    return path
