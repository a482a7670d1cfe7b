"""The follow-up of a measure, built once from the store: typed yearly rows with statuses.

Pages, figures, downloads, the command line and the yearly report all take these rows; none
of them computes a status, a rank or a source again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from etl.followup import intervals, own, samples, store
from etl.followup import rules as rules_
from etl.followup.intervals import Interval
from etl.followup.records import (
    OWN_SEGMENT,
    LineageLink,
    MeasureFollowUp,
    MeasureInfo,
    Provenance,
    Source,
    StrategyInfo,
    YearRow,
)
from etl.followup.rules import is_missing, target_status
from etl.settings import Settings


def _number(value: object) -> float | None:
    return None if is_missing(value) else float(value)


def _integer(value: object) -> int | None:
    return None if is_missing(value) else int(value)


def _judged(info: MeasureInfo, value: float | None, interval: Interval | None, target,
            previous: YearRow | None) -> dict:
    """A row's target columns and its statuses against the target: the one place where a
    value (Kolada's, the survey's or the own measurement's) is judged. `previous` is the
    last value by the same method, for "på väg"."""
    target_value = _number(target.target) if target is not None else None
    status = target_status(
        value, target_value, info.direction,
        previous=previous.value if previous else None, decimals=info.decimals,
        improvement_is_real=intervals.difference_is_real(
            value, interval, previous.value, previous.interval)
        if previous is not None and value is not None else None)
    return {
        "target": target_value,
        "target_decision": target.target_decision if target is not None else None,
        "target_is_example": bool(target.target_is_example) if target is not None else False,
        "target_status": status,
        "target_certainty": (rules_.target_certainty(interval, target_value)
                             if value is not None and target_value is not None else None),
    }


def _source(has_value: bool, is_example: bool, real: Source) -> Source | None:
    if not has_value:
        return None
    return Source.EXAMPLE if is_example else real


@dataclass(frozen=True)
class _Others:
    """Every measuring municipality's value of a KPI and year (type K), for the plausible
    places of a value with an interval."""

    by_key: dict[tuple[str, int], dict[str, float]]

    @classmethod
    def of(cls, engine: Engine, kpi_ids: list[str]) -> _Others:
        return cls(store.values_by_kpi_year(engine, kpi_ids) if kpi_ids else {})

    def rank_range(self, kpi_id: str, year: int, home: str, interval: Interval,
                   direction: str) -> tuple[int, int]:
        others = [v for m, v in self.by_key.get((kpi_id, year), {}).items() if m != home]
        return intervals.rank_range(interval, others, direction)


def _sample(rules: tuple[samples.SampleRule, ...], link: LineageLink | None,
            sizes: dict[tuple[str, int], float], home: str, year: int, value: float | None
            ) -> tuple[int | None, str, Interval | None]:
    """The sample size, what is said about it and the value's interval, by the KPI's rule."""
    if link is None:
        return None, "", None
    rule = samples.rule_for(rules, link.kpi_id, link.kpi_title)
    if rule is None:
        return None, "", None
    n = sizes.get((rule.n_from_kpi, year)) if rule.n_from_kpi else None
    n = int(n) if n is not None else None
    interval = (intervals.wilson(value, n) if rule.statistic == "share" and n and
                value is not None else None)
    return n, rule.note, interval


def kpi_rank_range(engine: Engine, settings: Settings, kpi_id: str, title: str, home: str,
                   year: int, value: float, direction: str) -> tuple[int, int] | None:
    """The plausible places of any KPI's value where its sample is known (the explore view)."""
    rules = samples.load_rules(settings.data_dir / "sample_sizes.toml")
    rule = samples.rule_for(rules, kpi_id, title)
    if rule is None or not rule.n_from_kpi:
        return None
    link = LineageLink(kpi_id, year, year, "", title, False)
    sizes = store.home_values(engine, [rule.n_from_kpi], home)
    _n, _note, interval = _sample(rules, link, sizes, home, year, value)
    if interval is None:
        return None
    return _Others.of(engine, [kpi_id]).rank_range(kpi_id, year, home, interval, direction)


def _compared_years(info: MeasureInfo, stats: dict, first: int, last: int
                    ) -> dict[int, int]:
    """Each year → the newest earlier year the municipality measured by the same method: the
    year a value is compared with ("på väg", the mean of those who measured both years)."""
    found, previous = {}, None  # previous: (segment, year) of the newest year with a value
    for year in range(first, last + 1):
        link = info.link_for(year)
        segment = info.lineage.index(link) if link else -1
        if previous is not None and previous[0] == segment:
            found[year] = previous[1]
        stat = stats.get((link.kpi_id, year)) if link else None
        if stat is not None and stat.value is not None:
            previous = (segment, year)
    return found


@dataclass(frozen=True)
class _Reads:
    """What the store holds for a set of measures, read together: one query of each kind for
    all of them, not one per measure."""

    stats: dict[str, dict[tuple[str, int], store.KpiYearStat]]  # by the measures' direction
    compared: dict[str, dict[int, int]]  # by measure: year → the year it is compared with
    targets: dict[str, dict[int, store.TargetRow]]  # by measure
    revisions: dict[tuple[str, int], datetime]
    sizes: dict[tuple[str, int], float]
    others: _Others
    pairs: dict[tuple[str, int, int], tuple[int, float, float]]
    provenance: dict[str, tuple[Provenance, ...]]  # by measure

    @classmethod
    def of(cls, engine: Engine, infos: list[MeasureInfo], home: str,
           rules: tuple[samples.SampleRule, ...], kolada_dir: Path) -> _Reads:
        kolada = [info for info in infos if not info.is_survey]
        kpis = sorted({kpi for info in kolada for kpi in info.kpi_ids})
        by_direction: dict[str, set[str]] = {}
        for info in kolada:
            by_direction.setdefault(info.direction, set()).update(info.kpi_ids)
        stats = {direction: store.kpi_year_stat_rows(engine, sorted(ids), home, direction)
                 for direction, ids in by_direction.items()}
        size_kpis = sorted(samples.sample_kpis(rules))
        # Only values with an interval have a range of places; only their KPIs' values are read.
        ranked = sorted({link.kpi_id for info in kolada for link in info.lineage
                         if samples.gives_interval(rules, link.kpi_id, link.kpi_title)})
        compared = {info.id: _compared_years(info, stats[info.direction],
                                             *_years(info, stats[info.direction]))
                    for info in kolada}
        pairs = [(info.link_for(year).kpi_id, year, earlier) for info in kolada
                 for year, earlier in compared[info.id].items()]
        return cls(
            stats=stats,
            compared=compared,
            targets=store.current_targets(engine, [info.id for info in infos]),
            revisions=store.last_revisions(engine, kpis, home) if kpis else {},
            sizes=store.home_values(engine, size_kpis, home) if size_kpis and kpis else {},
            others=_Others.of(engine, ranked),
            pairs=store.paired_means(engine, pairs),
            provenance=store.provenance_of(engine, {i.id: i.kpi_ids for i in kolada},
                                           kolada_dir))


def _years(info: MeasureInfo, stats: dict) -> tuple[int, int]:
    """From the first lineage year to the newest year with data by the KPI of its year."""
    measured_years = [year for (kpi, year) in stats
                      if (link := info.link_for(year)) is not None and link.kpi_id == kpi]
    first = min(link.first_year for link in info.lineage)
    return first, max(measured_years, default=first)


def kolada_rows(info: MeasureInfo, home: str, rules: tuple[samples.SampleRule, ...],
                reads: _Reads) -> tuple[YearRow, ...]:
    """One row per year from the first lineage year to the newest year with data."""
    by_key = reads.stats[info.direction]
    first, last = _years(info, by_key)
    targets = reads.targets[info.id]
    last_revision, sizes, others, pairs = reads.revisions, reads.sizes, reads.others, reads.pairs
    compared = reads.compared[info.id]
    rows: dict[int, YearRow] = {}
    for year in range(first, last + 1):
        link = info.link_for(year)
        segment = info.lineage.index(link) if link else -1
        kpi_id = link.kpi_id if link else None
        stat = by_key.get((kpi_id, year))
        target = targets.get(year)
        value = stat.value if stat is not None else None
        is_example = stat.is_example if stat is not None else False
        mean = stat.comparison_mean if stat is not None else None
        n, note, interval = _sample(rules, link, sizes, home, year, value)
        same_method = rows[compared[year]] if year in compared else None
        rank_low = rank_high = None
        if interval is not None and kpi_id is not None:
            rank_low, rank_high = others.rank_range(kpi_id, year, home, interval,
                                                    info.direction)
        paired_year = same_method.year if same_method else None
        pair = pairs.get((kpi_id, year, paired_year)) if paired_year and kpi_id else None
        revised_at = last_revision.get((kpi_id, year))
        row = YearRow(
            year=year, kpi_id=kpi_id, segment=segment, method=link.method if link else "",
            value=value, unit=(link.kpi_unit or info.unit) if link else info.unit,
            is_example=is_example,
            source=_source(value is not None, is_example, Source.KOLADA),
            comparison_mean=mean,
            comparison_n=stat.comparison_n if stat is not None else None,
            peer_rank=stat.peer_rank if stat is not None else None,
            quartile=stat.quartile if stat is not None else None,
            **_judged(info, value, interval, target, same_method),
            revised_at=revised_at,
            sample_n=n, sample_note=note,
            ci_low=interval.low if interval else None,
            ci_high=interval.high if interval else None,
            versus_mean=(rules_.versus_mean(interval, mean)
                         if value is not None and mean is not None else None),
            rank_low=rank_low, rank_high=rank_high,
            kpi_title=link.kpi_title if link else "",
            paired_year=paired_year if pair else None,
            paired_n=pair[0] if pair else None,
            paired_mean=pair[1] if pair else None,
            paired_previous_mean=pair[2] if pair else None,
        )
        rows[year] = row
    return tuple(rows.values())


def _survey_interval(result) -> Interval | None:
    """The mean's interval from the answer distribution (a file of means only has none)."""
    counts = [getattr(result, f"answers_{i}") for i in range(1, 6)]
    if any(is_missing(c) for c in counts):
        return None
    found = intervals.mean_from_counts([int(c) for c in counts])
    return intervals.mean_interval(*found) if found else None


def survey_rows(engine: Engine, info: MeasureInfo, threshold: int,
                targets: dict[int, store.TargetRow]) -> tuple[YearRow, ...]:
    """The kommun-level result per survey year, and every year with a target, oldest first."""
    kommun = store.survey_results(engine, info.id, threshold, level="kommun")
    results = {int(r.year): r for r in kommun.itertuples()}
    rows = []
    previous: YearRow | None = None
    for year in sorted(set(results) | set(targets)):
        result, target = results.get(year), targets.get(year)
        value = _number(result.mean) if result is not None else None
        is_example = bool(result.is_example) if result is not None else False
        n = _integer(result.respondents) if result is not None else None
        interval = _survey_interval(result) if result is not None else None
        share = _number(result.share_positive) if result is not None else None
        share_interval = intervals.wilson(share, n) if share is not None and n else None
        row = YearRow(
            year=year, kpi_id=None, segment=0, method="", value=value, unit=info.unit,
            is_example=is_example, source=_source(value is not None, is_example, Source.SURVEY),
            comparison_mean=None, comparison_n=None, peer_rank=None, quartile=None,
            **_judged(info, value, interval, target, previous),
            respondents=n, share_positive=share,
            response_rate=_number(result.response_rate) if result is not None else None,
            sample_n=n,
            ci_low=interval.low if interval else None,
            ci_high=interval.high if interval else None,
            share_ci_low=share_interval.low if share_interval else None,
            share_ci_high=share_interval.high if share_interval else None,
        )
        rows.append(row)
        if value is not None:
            previous = row
    return tuple(rows)


def own_rows(info: MeasureInfo, values: list[own.OwnValue],
             targets: dict[int, store.TargetRow]) -> tuple[YearRow, ...]:
    """The own measurement's years of a measure (a share of test contacts with its interval),
    judged against the measure's targets like any other value."""
    rows = []
    previous: YearRow | None = None
    for value in sorted(values, key=lambda v: v.year):
        interval = Interval(value.ci_low, value.ci_high)
        row = YearRow(
            year=value.year, kpi_id=None, segment=OWN_SEGMENT, method=value.series,
            value=value.value, unit="%", is_example=value.is_example,
            source=Source.EXAMPLE if value.is_example else Source.OWN,
            comparison_mean=None, comparison_n=None, peer_rank=None, quartile=None,
            **_judged(info, value.value, interval, targets.get(value.year), previous),
            sample_n=value.n, ci_low=value.ci_low, ci_high=value.ci_high,
        )
        rows.append(row)
        previous = row
    return tuple(rows)


def followups(engine: Engine, settings: Settings, infos: list[MeasureInfo],
              strategy: StrategyInfo, measured: own.OwnValues | None = None
              ) -> list[MeasureFollowUp]:
    """The follow-up of each measure for the strategy's municipality, in the given order, with
    the store read once for all of them. `measured`: the own measurement's values, when the
    caller has them already (they serve every measure)."""
    home = strategy.municipality_id
    rules = samples.load_rules(settings.data_dir / "sample_sizes.toml")
    reads = _Reads.of(engine, infos, home, rules, settings.kolada_dir)
    series_of = own.own_series_by_measure(settings)
    if measured is None and any(series_of.get(info.id) for info in infos):
        measured = own.own_values(engine, settings)
    found = []
    for info in infos:
        targets = reads.targets[info.id]
        if info.is_survey:
            found.append(MeasureFollowUp(
                info, home, strategy.municipality,
                survey_rows(engine, info, settings.anonymity_threshold, targets),
                anonymity_threshold=settings.anonymity_threshold))
            continue
        series = series_of.get(info.id)
        found.append(MeasureFollowUp(
            info, home, strategy.municipality, kolada_rows(info, home, rules, reads),
            reads.provenance[info.id], own_series=series,
            own_rows=own_rows(info, measured.series(series) if series else [], targets)))
    return found


def measure_followup(engine: Engine, settings: Settings, info: MeasureInfo,
                     strategy: StrategyInfo, measured: own.OwnValues | None = None
                     ) -> MeasureFollowUp:
    """The follow-up of one measure (see `followups`)."""
    return followups(engine, settings, [info], strategy, measured)[0]


def strategy(engine: Engine, settings: Settings) -> StrategyInfo:
    return store.strategy_info(engine, settings.municipality)


def goal_followups(engine: Engine, settings: Settings, goal: int | None = None
                   ) -> list[MeasureFollowUp]:
    """Every measure of a goal (or of all goals), in strategy order."""
    return followups(engine, settings, store.measures(engine, goal), strategy(engine, settings))
