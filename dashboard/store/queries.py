"""The follow-up model's reads as the pages use them, cached until the next write.

Everything here comes from `etl.followup`; this module only decides what is worth caching
(the cache key includes the database's data version, so an import is seen at once).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from dashboard.store.cache import cached
from etl import analysis, changes
from etl.followup import own, refresh, store
from etl.followup.records import MeasureFollowUp, MeasureInfo, StrategyInfo
from etl.settings import Settings

analysis_texts = store.analysis_texts
group_members = store.group_members
has_example_values = store.has_example_values
kpi_info = store.kpi_info
kpi_year_stats = store.kpi_year_stats
last_import = store.last_import
municipal_values = store.municipal_values
paired_means = store.paired_means
revisions_since = store.revisions_since
survey_results = store.survey_results
targets = store.targets
value_provenance = store.value_provenance


@cached("strategy", lambda municipality_override=None: (municipality_override,))
def strategy_info(engine: Engine, municipality_override: str | None = None) -> StrategyInfo:
    return store.strategy_info(engine, municipality_override)


@cached("goals", lambda: ())
def goals(engine: Engine) -> pd.DataFrame:
    return store.goals(engine)


@cached("measures", lambda goal=None: (goal,))
def measures(engine: Engine, goal: int | None = None) -> list[MeasureInfo]:
    return store.measures(engine, goal)


def measure(engine: Engine, measure_id: str) -> MeasureInfo:
    for info in measures(engine):
        if info.id == measure_id:
            return info
    raise KeyError(measure_id)


@cached("followups", lambda settings: (
    settings.municipality, settings.anonymity_threshold, str(settings.kolada_dir),
    str(settings.data_dir), str(settings.strategy_path)))
def followups(engine: Engine, settings: Settings) -> dict[str, MeasureFollowUp]:
    """Every measure's follow-up by measure id: built when the data changed and stored
    (`etl.followup.refresh`), so a page request only reads it."""
    return refresh.followup_model(engine, settings)


def measure_followup(engine: Engine, settings: Settings, measure_id: str) -> MeasureFollowUp:
    """One measure's follow-up; KeyError for a measure the strategy does not have."""
    return followups(engine, settings)[measure_id]


@cached("own-values", lambda settings: (settings.anonymity_threshold,
                                        str(settings.strategy_path), str(settings.data_dir)))
def own_values(engine: Engine, settings: Settings) -> own.OwnValues:
    """The own measurement's values (test contacts), for every measure they feed."""
    return own.own_values(engine, settings)


def goal_followups(engine: Engine, settings: Settings, goal: int | None = None
                   ) -> list[MeasureFollowUp]:
    """Every measure of a goal (or of all goals), in strategy order."""
    every = followups(engine, settings)
    return [every[info.id] for info in measures(engine, goal)]


@cached("kpi-home", lambda *args: args)
def kpi_home_stats(engine: Engine, kpi_id: str, home: str, direction: str) -> pd.DataFrame:
    """Per year for one KPI: home value (and whether it is example data), comparison mean, n,
    rank (e.g. the HME benchmark)."""
    return store.kpi_year_stats(engine, [kpi_id], home, direction)


def latest_row(stats: pd.DataFrame, column: str = "value") -> pd.Series | None:
    """The newest year that has a value in `column`."""
    measured = stats.loc[stats[column].notna()]
    return None if measured.empty else measured.iloc[-1]


@cached("real-years", lambda home, kpi_ids: (home, tuple(kpi_ids)))
def real_years_per_kpi(engine: Engine, home: str, kpi_ids: list[str]) -> dict[str, int]:
    return store.real_years_per_kpi(engine, home, kpi_ids)


@cached("survey-years", lambda measure_id: (measure_id,))
def survey_years(engine: Engine, measure_id: str) -> list[int]:
    return store.survey_years(engine, measure_id)


@cached("kpi-catalogue", lambda: ())
def kpi_catalogue(engine: Engine) -> pd.DataFrame:
    return store.kpi_catalogue(engine)


@cached("kommuner", lambda: ())
def kommuner(engine: Engine) -> pd.DataFrame:
    return store.kommuner(engine)


@cached("groups", lambda: ())
def municipality_groups(engine: Engine) -> pd.DataFrame:
    return store.municipality_groups(engine)


@cached("measure-analyses", lambda measure_id: (measure_id,))
def measure_analyses(engine: Engine, measure_id: str) -> list[dict]:
    return store.measure_analyses(engine, measure_id)


@cached("texts-out-of-date", lambda municipality_id: (municipality_id,))
def texts_out_of_date(engine: Engine, municipality_id: str) -> set[tuple[str, int]]:
    """(scope, year) of the fastställda texts whose numbers changed after they were adopted."""
    with engine.connect() as connection:
        return changes.adopted_texts_out_of_date(connection, municipality_id)


@cached("assessment-text", lambda scope, year: (scope, year))
def assessment_text(engine: Engine, scope: str, year: int) -> dict | None:
    """The text about a goal or the year for `year`, in any state (the page decides)."""
    with engine.connect() as connection:
        return analysis.current(connection, scope, year)
