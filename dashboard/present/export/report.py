"""The yearly follow-up report for kommunstyrelsen: one model, written as DOCX and as PDF.

`build_report` gathers everything the report says (cover, summary table, per goal its measures
with chart, summary sentence and analysis text, and the appendix on sources, method, KPI
lineage, series breaks and revised values) from the same follow-ups the pages use, cut at the
report year. `report_docx` and `report_pdf` only lay the model out; neither queries anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from dashboard.present import charts, richtext, words
from dashboard.present import formatting as fmt
from dashboard.present.export import images, method
from dashboard.store import queries
from etl import clock, numbers
from etl.analysis import YEAR_SCOPE
from etl.errors import InputError
from etl.followup import verdict as verdicts
from etl.followup.records import MeasureFollowUp, StrategyInfo, YearRow
from etl.settings import Settings

ANALYSIS_STATES = {
    "fastställd": "Fastställd",
    "granskad": "Granskad, ej fastställd",
    "utkast": "Utkast, ej granskat",
}
DRAFT_LABEL = "Automatiskt underlag – granska innan beslut"
DRAFT_STATUS = "Arbetsversion, ej fastställd – granska innan beslut"
FROZEN_NARRATIVE_LABEL = "Beskrivning utifrån data"
"""What a fastställd report calls the sentences drafted from the data where no analysis text
was fastställd: no longer a draft to review, but not an analysis either."""
TABLE_YEARS = 5
"""The measure's table shows the report year and the four years before it."""
TABLE_LEAVES_OUT = ("Mot medelvärdet", "Antal svar (n)", "Andel 4–5, 95 %-intervall",
                    charts.PAIRED_COLUMN, charts.PROBABILITY_COLUMN,
                    *(words.change_column(unit) for unit in ("%", "")))
"""Columns of the page's table view that the report's narrower page leaves to its text."""


@dataclass(frozen=True)
class AnalysisNote:
    state: str
    body: str
    updated_at: datetime | None
    updated_by: str
    numbers_changed: bool = False
    """A value the fastställd text is about was revised after the text was adopted."""

    @property
    def label(self) -> str:
        words = ANALYSIS_STATES.get(self.state, self.state.capitalize())
        when = f", senast ändrad {fmt.iso_date(self.updated_at)}" if self.updated_at else ""
        who = f" av {self.updated_by}" if self.updated_by else ""
        changed = (" – siffrorna har ändrats sedan texten fastställdes"
                   if self.numbers_changed else "")
        return f"Analys ({words}{when}{who}){changed}"

    def blocks(self) -> list[richtext.Block]:
        """The light-Markdown body as paragraphs and lists of plain text runs."""
        return richtext.parse(self.body)


@dataclass(frozen=True)
class FrozenStamp:
    """Which fastställd version a report is: "Fastställd version 2, 2026-12-07, Anna Berg"."""

    version: int
    day: date
    by: str

    @property
    def text(self) -> str:
        return f"Fastställd version {self.version}, {fmt.iso_date(self.day)}, {self.by}"


@dataclass(frozen=True)
class CaseFacts:
    """The board's case: ärende, diarienummer and handläggare, for the cover (all optional)."""

    title: str = ""
    registration: str = ""
    officer: str = ""

    def facts(self) -> list[tuple[str, str]]:
        return [(term, value.strip()) for term, value in (
            ("Ärende", self.title), ("Diarienummer", self.registration),
            ("Handläggare", self.officer)) if value and value.strip()]


@dataclass(frozen=True)
class GoalVerdict:
    """The verdict on a goal for the report year, in words: from the follow-up model
    (`etl.followup.verdict`) through `dashboard.present.words`, or given to `build_report`.

    `key` is the model's (uppnatt, delvis, ej-uppnatt, kan-inte-bedomas); `label` and `symbol`
    are its words and sign ("Delvis uppnått", "◐"); `rule` says how it was reached.
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
    change: str = "–"


@dataclass(frozen=True)
class MeasureTable:
    """A measure's yearly numbers as the page's table view shows them, for the report's years."""

    header: list[str]
    rows: list[list[str]]
    caption: str


@dataclass
class MeasureSection:
    item: MeasureFollowUp
    summary: str
    notes: list[str]
    analysis: AnalysisNote | None
    table: MeasureTable | None = None
    narrative: list[str] = field(default_factory=list)
    """Sentences drafted from the data where no fastställd analysis exists (else empty)."""

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
    result_text: str = ""
    """The year's result for the goal in a few generated sentences (the report's opening)."""

    @property
    def heading(self) -> str:
        return f"Mål {self.number}: {self.title}"


@dataclass
class Report:
    year: int
    created: date
    municipality: str
    municipality_id: str
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
    frozen: FrozenStamp | None = None
    case: CaseFacts = field(default_factory=CaseFacts)
    overall: AnalysisNote | None = None
    """The year's fastställd "Samlad bedömning", if one exists."""
    logo: bytes | None = None
    """The municipality's logo (MALBILD_REPORT_LOGO), PNG or JPEG; None: no logo."""
    verdict_rule: str = words.VERDICT_RULE
    """How a goal's verdict is reached: said once, after the summary, not under every goal."""

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
    def status_text(self) -> str:
        """"Fastställd version N, <datum>, <av>", or that this is a draft to review."""
        return self.frozen.text if self.frozen else DRAFT_STATUS

    @property
    def narrative_label(self) -> str:
        """The label over the sentences drafted from the data (a draft's review call)."""
        return FROZEN_NARRATIVE_LABEL if self.frozen else DRAFT_LABEL

    @property
    def cover_facts(self) -> list[tuple[str, str]]:
        return [
            ("Status", self.status_text),
            *self.case.facts(),
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
                "Status mot mål", "Förändring sedan förra mätningen",
                "Status mot andra kommuner"]

    def summary_cells(self, row: SummaryRow) -> list[str]:
        """A row of the status matrix; the statuses carry their symbol as well as their
        words."""
        return [row.measure, row.year, row.value, row.comparison, row.target,
                f"{row.target_symbol} {row.target_status}".strip(), row.change,
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


def _summary_row(item: MeasureFollowUp, standing: verdicts.MeasureStanding) -> SummaryRow:
    """A measure in the summary; a value that is not current for the year (older, or by a
    discontinued method) is shown without a live status, as on the overview."""
    info = item.info
    row = standing.latest if standing.latest is not None else item.latest
    if row is None:
        return SummaryRow(info.goal_number, info.name, "–", "Ingen mätning", "–", "–",
                          "Ingen mätning", "–")
    example = " (exempeldata)" if row.is_example else ""
    if standing.own:
        value = f"{words.own_label(row)}: {words.row_value(item, row)}{example}"
        comparison = words.kolada_beside(item, year=row.year)
    elif info.is_survey:
        value = (f"{words.value_text(info, row.value)} (n = {fmt.count(row.respondents)})"
                 + example)
        comparison = "– (medarbetarenkät)"
    else:
        value = words.row_value(item, row) + example
        comparison = (f"{words.row_value(item, row, row.comparison_mean)} "
                      f"(n = {fmt.count(row.comparison_n)})")
    target = "Inget mål" if row.target is None else words.value_text(
        info, row.target, row.unit) + (" (exempel)" if row.target_is_example else "")
    state = words.target_of(row) if standing.current is not None else words.NO_CURRENT_STATUS
    peer = words.peer_of(item, None if standing.own else row)
    return SummaryRow(info.goal_number, info.name, str(row.year), value, comparison,
                      target, state.label, peer.text, state.icon, peer.icon,
                      change_text(item, row))


def measure_table(item: MeasureFollowUp, year: int) -> MeasureTable:
    """The page's table view of the measure (`charts.display_table`, one place for the yearly
    numbers and their intervals), for the report's last years, without the columns the text
    says instead."""
    table = charts.display_table(item)
    table = table.loc[table["År"].astype(int) > year - TABLE_YEARS]
    table = table.drop(columns=[c for c in TABLE_LEAVES_OUT if c in table.columns])
    first = int(table["År"].min()) if len(table) else year
    return MeasureTable(
        [str(c) for c in table.columns],
        [[str(v) for v in row] for row in table.itertuples(index=False)],
        f"{item.info.name}, {first}–{year}" if first < year else f"{item.info.name}, {year}")


# --- The drafted narrative ----------------------------------------------------------------------


def _difference(item: MeasureFollowUp, row: YearRow, new: float, old: float
                ) -> tuple[Decimal, str]:
    """new − old as shown, and its size in words: "3,0 procentenheter", "0,12"."""
    decimals = item.info.decimals
    # the numbers as printed (the same rule as the text), so the difference agrees with it
    change = numbers.shown(new, decimals) - numbers.shown(old, decimals)
    size = fmt.number(float(abs(change)), decimals)
    if (row.unit or item.info.unit) in fmt.PERCENT_UNITS:
        size += " procentenheter" if abs(change) != 1 else " procentenhet"
    return change, size


def _against_target(item: MeasureFollowUp, row: YearRow) -> str:
    """", mot målet 85,0 % (exempel): ej uppnått" or ", och det finns inget mål för 2022"."""
    if row.target is None:
        return f", och det finns inget mål för {row.year}"
    example = " (exempel)" if row.target_is_example else ""
    label = words.target_of(row).label
    probability = words.probability_phrase(row)
    return (f", mot målet {words.value_text(item.info, row.target, row.unit)}{example}: "
            f"{label[0].lower() + label[1:]}" + (f" ({probability})" if probability else ""))


@dataclass(frozen=True)
class Change:
    """A value against the previous measurement by the same method."""

    previous: YearRow
    difference: Decimal | None
    """New − old as printed; None where the method changed in between."""
    size: str = ""
    """The difference's size in words: "3,0 procentenheter"."""


def change_since_previous(item: MeasureFollowUp, row: YearRow) -> Change | None:
    """The change since the previous measurement (None: there is none), from the previous
    values in the model. The one place the report computes a change: when the follow-up model
    carries the change with its interval, this is where to take it from."""
    own = any(r is row for r in item.own_rows)
    earlier = [r for r in (item.own_rows if own else item.rows)
               if r.year < row.year and r.has_value]
    if not earlier:
        return None
    previous = earlier[-1]
    if not (item.info.is_survey or own) and previous.segment != row.segment:
        return Change(previous, None)
    difference, size = _difference(item, row, row.value, previous.value)
    return Change(previous, difference, size)


def change_text(item: MeasureFollowUp, row: YearRow | None) -> str:
    """The model's change with its word and interval where it has one ("ingen säkerställd
    förändring sedan 2021: −3,0 (−8,40–2,38)"); else "+3,0 procentenheter sedan 2021" (no
    word), "Ny mätmetod …", "Ingen tidigare mätning"."""
    if row is not None and row.change_word is not None and (cell := words.change_cell(row)) != "–":
        return cell
    found = None if row is None else change_since_previous(item, row)
    if found is None:
        return "Ingen tidigare mätning"
    if found.difference is None:
        return f"Ny mätmetod, jämförs inte med {found.previous.year}"
    if found.difference == 0:
        return f"Oförändrat sedan {found.previous.year}"
    sign = "+" if found.difference > 0 else "−"
    return f"{sign}{found.size} sedan {found.previous.year}"


def _change_sentence(item: MeasureFollowUp, row: YearRow) -> str:
    """Against the previous measurement: same method → the change; another → the break."""
    found = change_since_previous(item, row)
    if found is None:
        return "Det finns ingen tidigare mätning att jämföra med."
    previous = found.previous
    before = f"{previous.year}: {words.row_value(item, previous)}"
    if found.difference is None:
        link = item.info.link_for(row.year)
        since = link.first_year if link else row.year
        return (f"Mätmetoden byttes {since} ({previous.kpi_id} ersattes av {row.kpi_id}), så "
                f"värdet kan inte jämföras med förra mätningen ({before}).")
    what = "enkäten" if item.info.is_survey else "mätningen med samma metod"
    return words.change_sentence(item, row, what)


def _margin(item: MeasureFollowUp, row: YearRow) -> str:
    """" (95 %-intervall 75,7–83,7 %, n = 390)" or " (felmarginal okänd)"."""
    return f" ({words.interval_text(item, row)})"


def draft_narrative(item: MeasureFollowUp, year: int) -> list[str]:
    """Two or three plain sentences drafted from the data alone, for a measure without a
    fastställd analysis: the value with its interval and the target, the comparison, and the
    change since the last measurement by the same method or the method break. Every number
    comes from the follow-up model and its words; nothing is said about causes."""
    row = item.latest
    if row is None:
        return [f"{item.municipality} har inget värde för måttet till och med {year}."]
    example = " (exempeldata)" if row.is_example else ""
    when = (f"{row.year}" if row.year == year else
            f"{row.year} (senaste mätningen till och med {year})")
    if item.info.is_survey:
        share = ("" if row.share_positive is None else
                 f"; {fmt.percent(row.share_positive, 0)} svarade 4 eller 5")
        first = (f"I medarbetarenkäten {when} gav de anställda i snitt "
                 f"{words.row_value(item, row)}{example} på skalan 1–5 "
                 f"({words.interval_text(item, row)}{share}){_against_target(item, row)}.")
        return [first, _change_sentence(item, row)]
    sentences = [f"{item.municipality} hade {words.row_value(item, row)}{example} år {when}"
                 f"{_margin(item, row)}{_against_target(item, row)}."]
    if row.comparison_mean is not None:
        change, size = _difference(item, row, row.value, row.comparison_mean)
        position = ("lika med" if change == 0 else
                    f"{size} {'över' if change > 0 else 'under'}")
        rank = words.peer_of(item, row).rank_text
        margin = {"i-niva": ", men skillnaden ryms inom felmarginalen",
                  "hogre": ", också med hänsyn till felmarginalen",
                  "lagre": ", också med hänsyn till felmarginalen"}.get(
            str(row.versus_mean) if row.versus_mean else "", "") if change != 0 else ""
        sentences.append(
            f"Mätkommunernas medelvärde var {words.row_value(item, row, row.comparison_mean)} "
            f"(n = {fmt.count(row.comparison_n)}); {item.municipality} låg {position} "
            f"medelvärdet{margin}" + (f" ({rank})." if rank else "."))
    sentences.append(_change_sentence(item, row))
    return sentences


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


VERSUS_SHORT = {"hogre": "högre", "lagre": "lägre", "i-niva": "i nivå med"}


def goal_result_text(verdict: GoalVerdict, result: verdicts.GoalVerdict, year: int) -> str:
    """The goal's result for the year in a few sentences bound to the data: the verdict and
    the measures reached (`result`, the model's verdict), where each measure stands against
    the mean, and what changed since the previous measurement."""
    sentences = [f"{verdict.label} {year}: {words.verdict_counts(result)}."]
    against: dict[str, list[str]] = {}
    changes = []
    for standing in result.standings:
        row, item = standing.current, standing.item
        if row is None:
            continue
        versus = words.versus_of(item, None if standing.own else row)
        if versus is not None and versus.key in VERSUS_SHORT:
            against.setdefault(VERSUS_SHORT[versus.key], []).append(item.info.name)
        change = change_text(item, row)
        changes.append(f"{item.info.name} {change[0].lower()}{change[1:]}")
    if against:
        sentences.append("Mot mätkommunernas medelvärde: " + "; ".join(
            f"{position} för {' och '.join(names)}" for position, names in against.items())
            + ".")
    if changes:
        sentences.append("Sedan förra mätningen: " + "; ".join(changes) + ".")
    return " ".join(sentences)


def overall_assessment(text: dict | None, numbers_changed: bool = False
                       ) -> AnalysisNote | None:
    """The year's fastställd "Samlad bedömning" (etl.analysis.YEAR_SCOPE), if there is one."""
    if not text or text["state"] != "fastställd" or not text["body"]:
        return None
    return AnalysisNote(text["state"], text["body"], text["updated_at"], text["updated_by"],
                        numbers_changed)


LOGO_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def read_logo(path: Path | None) -> bytes | None:
    """The configured logo file (PNG or JPEG), or None when none is configured."""
    if path is None:
        return None
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise InputError(f"logotypen {path} går inte att läsa ({exc.strerror}).",
                         hint="Ange en PNG- eller JPEG-fil i MALBILD_REPORT_LOGO, eller ta bort "
                              "inställningen så får rapporten ingen logotyp.") from None
    if not content.startswith(LOGO_SIGNATURES):
        raise InputError(f"logotypen {path} är ingen PNG- eller JPEG-bild.",
                         hint="Spara logotypen som PNG eller JPEG och ange den filen i "
                              "MALBILD_REPORT_LOGO.")
    return content


def goal_verdict_words(result: verdicts.GoalVerdict) -> GoalVerdict:
    """The model's verdict on a goal in the words the pages use."""
    status = words.verdict(result)
    return GoalVerdict(status.key, status.label, status.icon,
                       f"{words.verdict_counts(result).capitalize()}.")


def build_report(engine: Engine, settings: Settings, year: int, *,
                 created: date | None = None, revised_since: date | None = None,
                 include_drafts: bool = True,
                 goal_verdicts: Mapping[int, GoalVerdict] | None = None,
                 frozen: FrozenStamp | None = None, case: CaseFacts | None = None) -> Report:
    """Everything the yearly report for `year` says, cut at that year.

    Without `include_drafts`, analysis texts still in utkast are left out (the report for
    someone who is not an administrator); a `frozen` report (the fastställd version) carries
    only fastställda texts. Each goal's verdict for the year comes from the follow-up model,
    unless `goal_verdicts` (goal number → verdict) gives it.
    """
    strategy = queries.strategy_info(engine, settings.municipality)
    today = created or clock.today()
    if not 2000 <= year <= today.year + 1:
        raise InputError(f"året {year} går inte att följa upp.",
                         hint=f"Ange ett år mellan 2000 och {today.year}.")
    analyses = {measure: text for measure, text in queries.analysis_texts(engine, year).items()
                if (text["state"] == "fastställd" if frozen else
                    include_drafts or text["state"] != "utkast")}
    # Fastställda texts whose numbers were revised since: marked in the next draft.
    out_of_date = queries.texts_out_of_date(engine, strategy.municipality_id)
    goals, items, summary_rows = [], [], []
    for goal in queries.goals(engine).itertuples():
        sections, goal_items = [], []
        for info in queries.measures(engine, goal.number):
            item = queries.measure_followup(engine, settings, info.id).until(year)
            goal_items.append(item)
            standing = verdicts.standing(item, year)
            summary_rows.append(_summary_row(item, standing))
            notes = [n for n in (words.missing_latest_note(item), words.standing_note(standing))
                     if n]
            analysis = analyses.get(info.id)
            fixed = analysis is not None and analysis["state"] == "fastställd"
            summary = " ".join(s for s in (words.summary(item), words.own_sentence(item)) if s)
            sections.append(MeasureSection(
                item, summary, notes,
                AnalysisNote(analysis["state"], analysis["body"], analysis["updated_at"],
                             analysis["updated_by"], (info.id, year) in out_of_date)
                if analysis else None,
                measure_table(item, year),
                [] if fixed else draft_narrative(item, year)))
        items += goal_items
        result = verdicts.goal_verdict(int(goal.number), goal_items, year)
        verdict = (goal_verdicts or {}).get(goal.number) or goal_verdict_words(result)
        goals.append(GoalSection(goal.number, goal.title, goal.description or "", sections,
                                 verdict, goal_result_text(verdict, result, year)))
    if all(item.latest is None for item in items):
        raise InputError(f"det finns inga värden till och med {year}.",
                         hint="Välj ett senare år eller importera data först.")
    infos = [item.info for item in items]
    since = revised_since or date(year, 1, 1)
    return Report(
        year=year, created=today, municipality=place_name(strategy.municipality),
        municipality_id=strategy.municipality_id,
        strategy=strategy,
        summary_rows=summary_rows,
        goals=goals,
        sources=[(item.info.name, charts.chart_text(item).footer) for item in items],
        method_notes=method.method_notes(settings.anonymity_threshold),
        lineage=method.lineage_table(infos),
        series_breaks=method.series_breaks(infos),
        revisions=_revisions(engine, items, strategy.municipality_id, year, since),
        revised_since=since,
        has_example=any(row.is_example for item in items
                        for row in (*item.rows, *item.own_rows)),
        example_targets=any(row.target_is_example for item in items for row in item.rows),
        frozen=frozen,
        case=case or CaseFacts(),
        overall=overall_assessment(queries.assessment_text(engine, YEAR_SCOPE, year),
                                   (YEAR_SCOPE, year) in out_of_date),
        logo=read_logo(settings.report_logo),
    )


def render_charts(report: Report, formats: tuple[str, ...],
                  renderer: images.ChartRenderer | None = None,
                  made: Callable[[int, int], None] | None = None) -> None:
    """Draw every measure's chart once per format, all charts of a format in one batch (with
    one format, each figure goes to the browser as soon as it is made). `made(k, n)` is told
    of each figure made."""
    sections = [section for goal in report.goals for section in goal.measures]

    def _figures():
        for number, section in enumerate(sections, start=1):
            yield charts.measure_figure(section.item)
            if made is not None:
                made(number, len(sections))

    figures = _figures()
    if len(formats) > 1 or (renderer is None and not images.started()):
        figures = list(figures)  # made while the browser is still starting
    renderer = renderer or images.renderer()
    for fmt_ in formats:
        for section, image in zip(sections, renderer.images(figures, fmt_), strict=True):
            report.charts.setdefault(section.item.info.id, {})[fmt_] = image
