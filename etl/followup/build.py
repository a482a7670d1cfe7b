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
from etl.numbers import round_half_up
from etl.settings import Settings


def _number(value: object) -> float | None:
    return None if is_missing(value) else float(value)


def _integer(value: object) -> int | None:
    return None if is_missing(value) else int(value)


@dataclass(frozen=True)
class _Sample:
    """What a value rests on: n as reported (`n`), whether it is an upper bound, the n at
    which claims must hold, and the 95 % intervals at each. `kind` is "share" (Wilson,
    Newcombe, Jeffreys), "mean" (t) or "" (no interval)."""

    n: int | None = None
    note: str = ""
    interval: Interval | None = None
    claim_n: int | None = None
    claim_interval: Interval | None = None
    n_is_bound: bool = False
    kind: str = ""

    @classmethod
    def exact(cls, n: int | None, interval: Interval | None, kind: str) -> _Sample:
        return cls(n, "", interval, n, interval, False, kind if interval else "")

    def columns(self) -> dict:
        interval = self.interval
        return {"sample_n": self.n, "sample_note": self.note,
                "ci_low": interval.low if interval else None,
                "ci_high": interval.high if interval else None,
                "n_is_bound": self.n_is_bound, "claim_n": self.claim_n}


def _change(info: MeasureInfo, value: float | None, sample: _Sample,
            previous: YearRow | None) -> dict:
    """The change since `previous` (same method) as shown, its interval at the reported n
    and its word at the claims' n: Newcombe for shares, Welch's t for survey means."""
    if value is None:
        return {}
    if previous is None:
        return {"change_word": rules_.ChangeWord.INGEN_TIDIGARE}
    decimals = info.decimals
    change = round_half_up(round_half_up(value, decimals)
                           - round_half_up(previous.value, decimals), decimals)
    shown = claimed = None
    if sample.kind == "share" and previous.sample_n and previous.interval is not None:
        shown = intervals.newcombe(value, sample.n, previous.value, previous.sample_n)
        claimed = intervals.newcombe(value, sample.claim_n, previous.value,
                                     previous.claim_n or previous.sample_n)
    elif sample.kind == "mean" and previous.interval is not None and previous.sample_n:
        shown = claimed = intervals.mean_difference(
            value, sample.interval, sample.n, previous.value, previous.interval,
            previous.sample_n)
    return {"previous_year": previous.year, "previous_value": previous.value,
            "change": change,
            "change_ci_low": shown.low if shown else None,
            "change_ci_high": shown.high if shown else None,
            "change_word": rules_.change_word(change, claimed, has_previous=True)}


def _judged(info: MeasureInfo, value: float | None, sample: _Sample, target,
            previous: YearRow | None) -> dict:
    """A row's sample, change and target columns and its statuses against the target: the
    one place where a value (Kolada's, the survey's or the own measurement's) is judged.
    `previous` is the last value by the same method, for the change and "på väg". Every
    claim is checked at the claims' n (`sample.claim_interval`)."""
    target_value = _number(target.target) if target is not None else None
    change = _change(info, value, sample, previous)
    status = target_status(
        value, target_value, info.direction,
        previous=previous.value if previous else None, decimals=info.decimals,
        improvement_is_real=rules_.is_sure_improvement(change.get("change_word"),
                                                       info.direction))
    judged = value is not None and target_value is not None
    return {
        **sample.columns(), **change, "decimals": info.decimals,
        "target": target_value,
        "target_decision": target.target_decision if target is not None else None,
        "target_is_example": bool(target.target_is_example) if target is not None else False,
        "target_status": status,
        "target_certainty": (rules_.target_certainty(sample.claim_interval, target_value)
                             if judged else None),
        "p_target": _probability(info, value, sample, target_value) if judged else None,
    }


def _probability(info: MeasureInfo, value: float, sample: _Sample, target: float
                 ) -> float | None:
    """The probability that the target is reached, at the claims' n: Jeffreys' posterior
    for a share; for a survey mean the normal posterior from its standard error."""
    if sample.kind == "share":
        return intervals.probability_reached(value, sample.claim_n, target, info.direction)
    if sample.kind == "mean" and sample.claim_interval is not None:
        return intervals.probability_mean_reached(value, sample.claim_interval, sample.n,
                                                  target, info.direction)
    return None


@dataclass(frozen=True)
class _Others:
    """Every measuring municipality's value of a KPI and year (type K), and of the KPIs
    that hold their sample sizes, for the plausible places of a value with an interval."""

    by_key: dict[tuple[str, int], dict[str, float]]

    @classmethod
    def of(cls, engine: Engine, kpi_ids: list[str]) -> _Others:
        return cls(store.values_by_kpi_year(engine, kpi_ids) if kpi_ids else {})

    def rank_range(self, rule: samples.SampleRule, kpi_id: str, year: int, home: str,
                   direction: str) -> tuple[int, int] | None:
        """The bootstrap range of places, every municipality drawn from its claims' n."""
        values = self.by_key.get((kpi_id, year), {})
        sizes = {code: rule.claim_n(kpi_id, int(n)) for code, n in
                 self.by_key.get((rule.n_from_kpi, year), {}).items() if n and n > 0}
        return intervals.bootstrap_rank_range(home, values, sizes, direction,
                                              key=f"{kpi_id}:{year}")


def _sample(rules: tuple[samples.SampleRule, ...], link: LineageLink | None,
            sizes: dict[tuple[str, int], float], year: int, value: float | None) -> _Sample:
    """The sample size, what is said about it and the value's intervals, by the KPI's rule."""
    if link is None:
        return _Sample()
    rule = samples.rule_for(rules, link.kpi_id, link.kpi_title)
    if rule is None:
        return _Sample()
    n = sizes.get((rule.n_from_kpi, year)) if rule.n_from_kpi else None
    n = int(n) if n is not None else None
    if not (rule.statistic == "share" and n and value is not None):
        return _Sample(n, rule.note, n_is_bound=n is not None and rule.n_is_bound)
    claim_n = rule.claim_n(link.kpi_id, n)
    return _Sample(n, rule.note, intervals.wilson(value, n), claim_n,
                   intervals.wilson(value, claim_n), rule.n_is_bound, "share")


def kpi_rank_range(engine: Engine, settings: Settings, kpi_id: str, title: str, home: str,
                   year: int, value: float, direction: str) -> tuple[int, int] | None:
    """The plausible places of any KPI's value where its sample is known (the explore view)."""
    rules = samples.load_rules(settings.data_dir / "sample_sizes.toml")
    rule = samples.rule_for(rules, kpi_id, title)
    if rule is None or not rule.n_from_kpi or rule.statistic != "share":
        return None
    others = _Others.of(engine, [kpi_id, rule.n_from_kpi])
    return others.rank_range(rule, kpi_id, year, home, direction)


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
        # Only values with an interval have a range of places; only their KPIs' values (and
        # every municipality's sample sizes) are read.
        ranked = sorted({link.kpi_id for info in kolada for link in info.lineage
                         if samples.gives_interval(rules, link.kpi_id, link.kpi_title)})
        ranked += size_kpis if ranked else []
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
        sample = _sample(rules, link, sizes, year, value)
        same_method = rows[compared[year]] if year in compared else None
        ranked = None
        if sample.interval is not None and kpi_id is not None:
            ranked = others.rank_range(samples.rule_for(rules, kpi_id, link.kpi_title),
                                       kpi_id, year, home, info.direction)
        rank_low, rank_high = ranked or (None, None)
        paired_year = same_method.year if same_method else None
        pair = pairs.get((kpi_id, year, paired_year)) if paired_year and kpi_id else None
        revised_at = last_revision.get((kpi_id, year))
        row = YearRow(
            year=year, kpi_id=kpi_id, segment=segment, method=link.method if link else "",
            value=value, unit=(link.kpi_unit or info.unit) if link else info.unit,
            is_example=is_example,
            source=Source.of(value is not None, is_example, Source.KOLADA),
            comparison_mean=mean,
            comparison_n=stat.comparison_n if stat is not None else None,
            peer_rank=stat.peer_rank if stat is not None else None,
            quartile=stat.quartile if stat is not None else None,
            **_judged(info, value, sample, target, same_method),
            revised_at=revised_at,
            versus_mean=(rules_.versus_mean(sample.claim_interval, mean)
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
        sample = _Sample.exact(n, interval, "mean")
        share = _number(result.share_positive) if result is not None else None
        share_interval = intervals.wilson(share, n) if share is not None and n else None
        row = YearRow(
            year=year, kpi_id=None, segment=0, method="", value=value, unit=info.unit,
            is_example=is_example, source=Source.of(value is not None, is_example, Source.SURVEY),
            comparison_mean=None, comparison_n=None, peer_rank=None, quartile=None,
            **_judged(info, value, sample, target, previous),
            respondents=n, share_positive=share,
            response_rate=_number(result.response_rate) if result is not None else None,
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
            **_judged(info, value.value, _Sample.exact(value.n, interval, "share"),
                      targets.get(value.year), previous),
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
    # The staff survey and the test contacts in the database are the strategy's own
    # municipality's; shown for another one (an example strategy) they would pass as its own.
    ours = not strategy.example_of
    rules = samples.load_rules(settings.data_dir / "sample_sizes.toml")
    reads = _Reads.of(engine, infos, home, rules, settings.kolada_dir)
    series_of = own.own_series_by_measure(settings) if ours else {}
    if measured is None and any(series_of.get(info.id) for info in infos):
        measured = own.own_values(engine, settings)
    found = []
    for info in infos:
        targets = reads.targets[info.id]
        if info.is_survey:
            found.append(MeasureFollowUp(
                info, home, strategy.municipality,
                survey_rows(engine, info, settings.anonymity_threshold, targets) if ours
                else (),
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
