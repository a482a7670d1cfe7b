"""The typed records of the follow-up: the strategy as stored, and a measure's yearly rows."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property

import numpy as np
import pandas as pd

from etl.followup.intervals import Interval
from etl.followup.rules import ChangeWord, TargetCertainty, TargetStatus, VersusMean


@dataclass(frozen=True)
class StrategyInfo:
    name: str
    municipality_id: str
    municipality: str
    decision: str
    adopted: date | None
    follow_up: str
    # The strategy file's own name when it is another municipality's strategy shown for this
    # one (MALBILD_MUNICIPALITY): then this is an example strategy, adopted by nobody here.
    example_of: str = ""

    @property
    def place(self) -> str:
        """"Åstorps kommun"; "Borås kommun"."""
        return place_name(self.municipality)


def place_name(municipality: str) -> str:
    """"Åstorp" → "Åstorps kommun"; "Borås" → "Borås kommun"."""
    return f"{municipality} kommun" if municipality.endswith("s") else \
        f"{municipality}s kommun"


@dataclass(frozen=True)
class LineageLink:
    kpi_id: str
    first_year: int
    last_year: int | None
    method: str
    kpi_title: str
    retired: bool
    kpi_unit: str = ""  # Kolada's unit of the KPI ("%", "index"); "" when unknown

    def in_use(self, year: int) -> bool:
        """Whether this method still measures the measure in `year` (not discontinued)."""
        return self.last_year is None or year <= self.last_year

    def covers(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)


@dataclass(frozen=True)
class MeasureInfo:
    id: str
    goal_number: int
    name: str
    question: str
    purpose: str
    source: str
    unit: str
    scale_min: float
    scale_max: float
    direction: str
    decimals: int
    benchmark_kpi_id: str | None
    lineage: tuple[LineageLink, ...] = field(default_factory=tuple)
    cadence: int = 1  # years between measurements

    @property
    def is_survey(self) -> bool:
        return self.source == "survey"

    @property
    def kpi_ids(self) -> list[str]:
        return [link.kpi_id for link in self.lineage]

    def link_for(self, year: int) -> LineageLink | None:
        return next((link for link in self.lineage if link.covers(year)), None)


@dataclass(frozen=True)
class Provenance:
    """One import that the real values of some KPIs come from.

    `kind` is "bundled" (the extract shipped in data/kolada, with its own caption),
    "kolada-api" (fetched on `when`) or "file" (a file read on `when`).
    """

    kind: str
    when: date | None
    caption: str = ""


class Source(StrEnum):
    """Where a yearly value comes from; the values are the export's `source` column."""

    KOLADA = "Kolada"
    SURVEY = "Medarbetarenkät"
    OWN = "Egen mätning"
    EXAMPLE = "Exempeldata"

    @classmethod
    def of(cls, has_value: bool, is_example: bool, real: Source) -> Source | None:
        """The one rule for a value's source, on every page, download and report: invented
        values say "Exempeldata" whatever they stand in for; no value has no source."""
        if not has_value:
            return None
        return cls.EXAMPLE if is_example else real


KOLADA_NAME = "Kolada (RKA)"
OWN_SAMPLE = "testkontakter som kommunen valt, inget slumpmässigt urval"


def provenance_caption(provenance: tuple[Provenance, ...]) -> str:
    """"Kolada (RKA), uttag augusti 2024" or "Kolada (RKA), hämtad 2026-11-27"; "" if none."""
    parts = []
    for source in provenance:
        if source.kind == "bundled":
            parts.append(source.caption or KOLADA_NAME)
        elif source.kind == "kolada-api":
            parts.append(f"{KOLADA_NAME}, hämtad {source.when:%Y-%m-%d}")
        else:
            parts.append(f"{KOLADA_NAME}, fil inläst {source.when:%Y-%m-%d}")
    return "; ".join(dict.fromkeys(parts))


def kpi_source_line(provenance: tuple[Provenance, ...], has_example: bool) -> str:
    """The source line of any KPI's values, saying "Exempeldata" where values are invented."""
    caption = provenance_caption(provenance)
    if has_example:
        return f"{caption} · Exempeldata" if caption else "Exempeldata (påhittade värden)"
    return caption or KOLADA_NAME


def source_text(source: object) -> str:
    """A source as the «Källa» column writes it; "–" where there is no value."""
    return "–" if source is None or source is pd.NA or source != source else str(source)


@dataclass(frozen=True)
class YearRow:
    """One year of a measure: the municipality's value, the comparison, the target, statuses.

    `segment` numbers the lineage links; a new segment starts where the method changes, and
    nothing (a line, "på väg") ever joins two segments. Survey rows carry respondents, the
    share answering 4–5 and the response rate instead of a comparison.
    """

    year: int
    kpi_id: str | None
    segment: int
    method: str
    value: float | None
    unit: str
    is_example: bool
    source: Source | None
    comparison_mean: float | None
    comparison_n: int | None
    peer_rank: int | None
    quartile: int | None
    target: float | None
    target_decision: str | None
    target_is_example: bool
    target_status: TargetStatus
    revised_at: datetime | None = None
    respondents: int | None = None
    share_positive: float | None = None
    response_rate: float | None = None
    # The sample behind the value and its 95 % interval; None where n is unknown.
    sample_n: int | None = None
    sample_note: str = ""
    ci_low: float | None = None
    ci_high: float | None = None
    share_ci_low: float | None = None  # the survey's share answering 4–5
    share_ci_high: float | None = None
    target_certainty: TargetCertainty | None = None  # None without a value or a target
    versus_mean: VersusMean | None = None  # None without a value or a comparison mean
    rank_low: int | None = None  # the plausible places, where there is an interval
    rank_high: int | None = None
    kpi_title: str = ""
    # The mean over the municipalities that measured both this year and `paired_year` (the
    # previous year with the same KPI), so a change is not just a change in who took part.
    paired_year: int | None = None
    paired_n: int | None = None
    paired_mean: float | None = None
    paired_previous_mean: float | None = None
    # Since the previous measurement with the same method (`previous_year`): the change as
    # shown (points or percentage points), its 95 % interval at the reported n, and the word,
    # decided at `claim_n` (see `n_is_bound`).
    previous_year: int | None = None
    previous_value: float | None = None
    change: float | None = None
    change_ci_low: float | None = None
    change_ci_high: float | None = None
    change_word: ChangeWord | None = None  # None without a value
    p_target: float | None = None  # the probability that the target is reached; n known
    # `sample_n` counts every answer of the survey, an upper bound of the question's n
    # ("n ≤ 390"); the words are checked at `claim_n` (valid_share × n), the intervals shown
    # at `sample_n`.
    n_is_bound: bool = False
    claim_n: int | None = None
    decimals: int = 1  # the measure's decimals, as the value and its change are shown

    @property
    def has_value(self) -> bool:
        return self.value is not None

    @property
    def is_own(self) -> bool:
        """A value of the municipality's own measurement, not of a KPI."""
        return self.segment == OWN_SEGMENT

    @property
    def interval(self) -> Interval | None:
        if self.ci_low is None or self.ci_high is None:
            return None
        return Interval(self.ci_low, self.ci_high)

    @property
    def change_interval(self) -> Interval | None:
        if self.change_ci_low is None or self.change_ci_high is None:
            return None
        return Interval(self.change_ci_low, self.change_ci_high)


YEAR_COLUMNS = [f.name for f in fields(YearRow)]
OWN_SEGMENT = -2  # the own measurement's rows (-1 is a year no KPI measures)


@dataclass(frozen=True)
class MeasureFollowUp:
    """A measure's follow-up for the strategy's municipality: the rows, oldest year first."""

    info: MeasureInfo
    municipality_id: str
    municipality: str
    rows: tuple[YearRow, ...]
    provenance: tuple[Provenance, ...] = ()
    anonymity_threshold: int | None = None  # the survey's, for its source line
    # The municipality's own measurement of the strategy's rule (test contacts), a series of
    # its own beside Kolada's: `own_series` names it, `own_rows` are its years.
    own_series: str | None = None
    own_rows: tuple[YearRow, ...] = ()

    @property
    def source_line(self) -> str:
        """The measure's source line ("Källa") for every chart, table and document: the survey
        with its threshold, or Kolada with the KPIs (and the municipality's own test contacts
        where it measures the measure too)."""
        if self.info.is_survey:
            return ("Medarbetarenkät (aggregerad, grupper under "
                    f"{self.anonymity_threshold} svarande visas inte)")
        text = ((provenance_caption(self.provenance) or KOLADA_NAME)
                + ", KPI " + ", ".join(self.info.kpi_ids))
        if self.own_rows:
            text += f"; egen mätning med {OWN_SAMPLE}"
        return text

    def until(self, year: int) -> MeasureFollowUp:
        """The follow-up as it stood for `year`: later years left out (the yearly report)."""
        return replace(self, rows=tuple(r for r in self.rows if r.year <= year),
                       own_rows=tuple(r for r in self.own_rows if r.year <= year))

    def own_row(self, year: int) -> YearRow | None:
        return next((r for r in self.own_rows if r.year == year), None)

    @cached_property
    def latest_own(self) -> YearRow | None:
        return self.own_rows[-1] if self.own_rows else None

    @cached_property
    def latest(self) -> YearRow | None:
        """The newest year with a value for the municipality."""
        return next((r for r in reversed(self.rows) if r.has_value), None)

    @cached_property
    def data_through(self) -> int | None:
        """The newest year with data: the municipality's own (survey) or any comparison."""
        years = [r.year for r in self.rows
                 if (r.has_value if self.info.is_survey else r.comparison_mean is not None)]
        years += [r.year for r in self.own_rows if r.has_value]
        return max(years) if years else None

    @property
    def missing_latest(self) -> YearRow | None:
        """The newest comparison year's row when the municipality has no value in it."""
        compared = [r.year for r in self.rows if r.comparison_mean is not None]
        if self.info.is_survey or not compared:
            return None
        latest = self.latest
        if latest is not None and latest.year == max(compared):
            return None
        return next(r for r in self.rows if r.year == max(compared))

    @cached_property
    def example_years(self) -> tuple[int, ...]:
        return tuple(r.year for r in self.rows if r.is_example and r.has_value)

    @cached_property
    def own_frame(self) -> pd.DataFrame:
        return _frame(self.own_rows)

    @cached_property
    def example_kpis(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.kpi_id for r in self.rows
                                   if r.is_example and r.has_value and r.kpi_id))

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (missing numbers as NaN/NA) for figures and tables."""
        return _frame(self.rows)


FLOAT_COLUMNS = frozenset({"value", "comparison_mean", "target", "share_positive",
                           "response_rate", "ci_low", "ci_high", "share_ci_low",
                           "share_ci_high", "paired_mean", "paired_previous_mean",
                           "previous_value", "change", "change_ci_low", "change_ci_high",
                           "p_target"})
INTEGER_COLUMNS = frozenset({"comparison_n", "peer_rank", "quartile", "respondents",
                             "sample_n", "rank_low", "rank_high", "paired_year", "paired_n",
                             "previous_year", "claim_n"})
BOOLEAN_COLUMNS = frozenset({"is_example", "target_is_example", "n_is_bound"})


def _column(name: str, values: list):
    """One column with its dtype from the start (converting afterwards costs more)."""
    if name in FLOAT_COLUMNS:
        return np.array([np.nan if v is None else v for v in values], dtype="float64")
    if name in INTEGER_COLUMNS:
        return pd.array(values, dtype="Int64")
    if name in BOOLEAN_COLUMNS:
        return np.array(values, dtype=bool)
    if name == "year":
        return np.array(values, dtype="int64")
    if all(v is None for v in values):
        return np.array(values, dtype=object)  # as text columns are, not float NaN
    return values


def _frame(rows: tuple[YearRow, ...]) -> pd.DataFrame:
    """Rows as a DataFrame (missing numbers as NaN/NA) for figures and tables."""
    return pd.DataFrame({name: _column(name, [getattr(r, name) for r in rows])
                         for name in YEAR_COLUMNS}, columns=YEAR_COLUMNS)
