"""The follow-up of a measure, built once from the store: typed yearly rows with statuses.

Pages, figures, downloads, the command line and the yearly report all take these rows; none
of them computes a status, a rank or a source again.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from etl.followup import store
from etl.followup.records import MeasureFollowUp, MeasureInfo, Source, StrategyInfo, YearRow
from etl.followup.rules import is_missing, target_status
from etl.settings import Settings


def _number(value: object) -> float | None:
    return None if is_missing(value) else float(value)


def _integer(value: object) -> int | None:
    return None if is_missing(value) else int(value)


def _source(has_value: bool, is_example: bool, real: Source) -> Source | None:
    if not has_value:
        return None
    return Source.EXAMPLE if is_example else real


def kolada_rows(engine: Engine, info: MeasureInfo, home: str) -> tuple[YearRow, ...]:
    """One row per year from the first lineage year to the newest year with data."""
    stats = store.kpi_year_stats(engine, info.kpi_ids, home, info.direction)
    by_key = {(r.kpi_id, int(r.year)): r for r in stats.itertuples()}
    measured_years = [year for (kpi, year) in by_key
                      if (link := info.link_for(year)) is not None and link.kpi_id == kpi]
    first = min(link.first_year for link in info.lineage)
    last = max(measured_years, default=first)
    targets = {int(r.year): r for r in store.targets(engine, info.id).itertuples()}
    revised = store.revisions(engine, info.kpi_ids, home)
    last_revision = ({} if revised.empty else
                     revised.groupby(["kpi_id", "year"])["revised_at"].max().to_dict())
    rows = []
    previous, previous_segment = None, None
    for year in range(first, last + 1):
        link = info.link_for(year)
        segment = info.lineage.index(link) if link else -1
        kpi_id = link.kpi_id if link else None
        stat = by_key.get((kpi_id, year))
        target = targets.get(year)
        value = _number(stat.value) if stat is not None else None
        is_example = bool(stat.is_example) if stat is not None else False
        target_value = _number(target.target) if target is not None else None
        status = target_status(value, target_value, info.direction,
                               previous=previous if previous_segment == segment else None,
                               decimals=info.decimals)
        revised_at = last_revision.get((kpi_id, year))
        rows.append(YearRow(
            year=year, kpi_id=kpi_id, segment=segment, method=link.method if link else "",
            value=value, unit=info.unit, is_example=is_example,
            source=_source(value is not None, is_example, Source.KOLADA),
            comparison_mean=_number(stat.comparison_mean) if stat is not None else None,
            comparison_n=_integer(stat.comparison_n) if stat is not None else None,
            peer_rank=_integer(stat.peer_rank) if stat is not None else None,
            quartile=_integer(stat.quartile) if stat is not None else None,
            target=target_value,
            target_decision=target.target_decision if target is not None else None,
            target_is_example=bool(target.target_is_example) if target is not None else False,
            target_status=status,
            revised_at=None if is_missing(revised_at) else pd.Timestamp(revised_at)
            .to_pydatetime(),
        ))
        if value is not None:
            previous, previous_segment = value, segment
    return tuple(rows)


def survey_rows(engine: Engine, info: MeasureInfo, threshold: int) -> tuple[YearRow, ...]:
    """The kommun-level result per survey year, and every year with a target, oldest first."""
    kommun = store.survey_results(engine, info.id, threshold, level="kommun")
    results = {int(r.year): r for r in kommun.itertuples()}
    targets = {int(r.year): r for r in store.targets(engine, info.id).itertuples()}
    rows = []
    previous = None
    for year in sorted(set(results) | set(targets)):
        result, target = results.get(year), targets.get(year)
        value = _number(result.mean) if result is not None else None
        is_example = bool(result.is_example) if result is not None else False
        target_value = _number(target.target) if target is not None else None
        rows.append(YearRow(
            year=year, kpi_id=None, segment=0, method="", value=value, unit=info.unit,
            is_example=is_example, source=_source(value is not None, is_example, Source.SURVEY),
            comparison_mean=None, comparison_n=None, peer_rank=None, quartile=None,
            target=target_value,
            target_decision=target.target_decision if target is not None else None,
            target_is_example=bool(target.target_is_example) if target is not None else False,
            target_status=target_status(value, target_value, info.direction, previous=previous,
                                        decimals=info.decimals),
            respondents=_integer(result.respondents) if result is not None else None,
            share_positive=_number(result.share_positive) if result is not None else None,
            response_rate=_number(result.response_rate) if result is not None else None,
        ))
        if value is not None:
            previous = value
    return tuple(rows)


def measure_followup(engine: Engine, settings: Settings, info: MeasureInfo,
                     strategy: StrategyInfo) -> MeasureFollowUp:
    """The follow-up of one measure for the strategy's municipality."""
    if info.is_survey:
        return MeasureFollowUp(info, strategy.municipality_id, strategy.municipality,
                               survey_rows(engine, info, settings.anonymity_threshold),
                               anonymity_threshold=settings.anonymity_threshold)
    return MeasureFollowUp(info, strategy.municipality_id, strategy.municipality,
                           kolada_rows(engine, info, strategy.municipality_id),
                           store.value_provenance(engine, info.kpi_ids, settings.kolada_dir))


def strategy(engine: Engine, settings: Settings) -> StrategyInfo:
    return store.strategy_info(engine, settings.municipality)


def goal_followups(engine: Engine, settings: Settings, goal: int | None = None
                   ) -> list[MeasureFollowUp]:
    """Every measure of a goal (or of all goals), in strategy order."""
    home = strategy(engine, settings)
    return [measure_followup(engine, settings, info, home)
            for info in store.measures(engine, goal)]

