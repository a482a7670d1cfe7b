"""Exploring any KPI against chosen peers: the view model of the /utforska page.

The whole view is a function of the URL's query string (`ExploreState`), so a copied address
reopens exactly the same view.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import Engine

from dashboard.present import figures, words
from dashboard.present import formatting as fmt
from dashboard.present.addresses import bounded_query, list_param
from dashboard.store import queries
from dashboard.store.cache import cached
from etl import digits
from etl.followup import build, rules
from etl.followup.records import kpi_source_line
from etl.settings import Settings

ALL_MUNICIPALITIES = "G2328"
OWN_LIST = "egen"
MAX_PEER_LINES = 12
MAX_OWN = 30  # municipalities in the own list: each is listed with a link carrying the others
OWN_LEFT_OUT = (f"Den egna listan kan ha högst {MAX_OWN} kommuner; de övriga i adressen togs "
                "inte med.")
DIRECTION_WORDS = {
    "higher": "Högre värde är bättre.",
    "lower": "Lägre värde är bättre.",
    "none": "Ingen bedömning av bättre eller sämre (till exempel kostnader och antal).",
}


@dataclass(frozen=True)
class ExploreState:
    """What the user chose; parsed from and written to the query string."""

    kpi: str | None = None
    group: str = ALL_MUNICIPALITIES
    own: tuple[str, ...] = ()
    first_year: int | None = None
    last_year: int | None = None
    spread_year: int | None = None
    show_peers: bool = False
    show_gender: bool = False
    own_left_out: bool = False  # the address had more than MAX_OWN (not written back)

    @classmethod
    def from_query(cls, query: dict) -> ExploreState:
        query = bounded_query(query)  # the downloads come here without the page

        def year(name: str) -> int | None:
            return digits.whole_number(query.get(name), max_digits=4)

        own, left_out = list_param(query.get("kommuner"), MAX_OWN)
        return cls(
            kpi=query.get("kpi") or None,
            group=query.get("jmf") or ALL_MUNICIPALITIES,
            own=tuple(own),
            own_left_out=left_out,
            first_year=year("fran"),
            last_year=year("till"),
            spread_year=year("ar"),
            show_peers=str(query.get("visa", "")) == "kommuner",
            show_gender=str(query.get("kon", "")) == "1",
        )

    def to_query(self) -> dict:
        return {"kpi": self.kpi, "jmf": self.group, "kommuner": list(self.own),
                "fran": self.first_year, "till": self.last_year, "ar": self.spread_year,
                "visa": "kommuner" if self.show_peers else None,
                "kon": "1" if self.show_gender else None}


@dataclass
class ExploreView:
    state: ExploreState
    kpi: dict
    home_id: str
    home_name: str
    names: dict[str, str]
    all_years: list[int]
    years: list[int]
    peers: list[str]
    peer_label: str
    trend: pd.DataFrame
    peer_lines: pd.DataFrame
    spread: pd.DataFrame
    gender: pd.DataFrame | None
    source: str
    # n, the newest mean and the one before over those who measured both years, and the years
    paired: tuple[int, float, float, int, int] | None = None
    rank_range: tuple[int, int] | None = None  # the newest value's plausible places

    @property
    def latest_is_example(self) -> bool:
        measured = self.trend.loc[self.trend["value"].notna()]
        return bool(measured["is_example"].iloc[-1]) if len(measured) else False

    @property
    def unit(self) -> str:
        return self.kpi["unit"]

    @property
    def decimals(self) -> int:
        return 0 if self.unit == "kr" else 1

    def value_text(self, value: float | None) -> str:
        return fmt.with_unit(value, self.unit, self.decimals)

    @property
    def compares_with_all(self) -> bool:
        return self.state.group == ALL_MUNICIPALITIES

    def chart_text(self, title: str, subtitle: str, data_through: int | None
                   ) -> figures.ChartText:
        return figures.ChartText(title, subtitle, f"{self.source}, KPI {self.kpi['id']}",
                                 data_through)

    def trend_text(self) -> figures.ChartText:
        subtitle = (f"{self.home_name} mot mätkommunernas medelvärde" if self.compares_with_all
                    else f"{self.home_name} mot {self.peer_label} och alla mätkommuner")
        last = self.trend.loc[self.trend["all_mean"].notna(), "year"]
        return self.chart_text(self.kpi["title"], subtitle,
                               int(last.max()) if len(last) else None)

    def spread_text(self) -> figures.ChartText:
        return self.chart_text(f"Spridning {self.state.spread_year}",
                               f"Alla kommuner som mätte {self.kpi['id']}; {self.home_name} "
                               "markerad", self.state.spread_year)

    def gender_text(self) -> figures.ChartText:
        last = self.gender["year"].max() if self.gender is not None and len(self.gender) else None
        return self.chart_text("Kvinnor och män", f"{self.home_name}, {self.kpi['id']}",
                               int(last) if last is not None else None)

    # --- one-sentence summaries (also the charts' text alternatives) -------------------------

    def trend_summary(self) -> str:
        measured = self.trend.loc[self.trend["value"].notna()]
        if measured.empty:
            return (f"{self.home_name} har inget värde för {self.kpi['id']} under de valda åren.")
        row = measured.iloc[-1]
        example = " (exempeldata)" if row["is_example"] else ""
        text = (f"{self.home_name} {self.value_text(row['value'])} {int(row['year'])}{example}, "
                f"mätkommunernas medelvärde {self.value_text(row['all_mean'])} "
                f"(n = {int(row['all_n'])})")
        if not pd.isna(row["rank"]):
            text += f", plats {int(row['rank'])} av {int(row['all_n'])}"
        if not self.compares_with_all and not pd.isna(row["peer_mean"]):
            text += (f"; {self.peer_label} {self.value_text(row['peer_mean'])} "
                     f"(n = {int(row['peer_n'])})")
        if self.paired is not None:
            n, now, before, year, earlier = self.paired
            text += (f". Bland de {n} kommuner som mätte både {earlier} och {year}: "
                     f"{self.value_text(before)} → {self.value_text(now)}")
        return text + "."

    def spread_summary(self) -> str:
        if self.spread.empty:
            return f"Inga värden för {self.state.spread_year}."
        values = self.spread["value"]
        home = self.spread.loc[self.spread["municipality_id"] == self.home_id]
        text = (f"{self.state.spread_year} mätte {len(values)} kommuner; lägst "
                f"{self.value_text(values.min())}, median {self.value_text(values.median())}, "
                f"högst {self.value_text(values.max())}")
        if len(home):
            row = home.iloc[0]
            text += (f". {self.home_name} {self.value_text(row['value'])}, plats "
                     f"{int(row['rank'])} av {len(values)}")
            if self.kpi["direction"] == "none":
                text += " räknat från högsta värdet"
        return text + "."

    def gender_summary(self) -> str:
        if self.gender is None or self.gender.empty:
            return "Nyckeltalet redovisas inte per kön för kommunen."
        row = self.gender.iloc[-1]
        return (f"{self.home_name} {int(row['year'])}: kvinnor {self.value_text(row['K'])}, "
                f"män {self.value_text(row['M'])}, totalt {self.value_text(row['T'])}.")

    def peer_status(self) -> words.PeerStatus:
        measured = self.trend.loc[self.trend["value"].notna()]
        if measured.empty:
            return words.peer(None, 0, None, self.kpi["direction"])
        row = measured.iloc[-1]
        return words.peer(int(row["rank"]), int(row["all_n"]), int(row["quartile"]),
                          self.kpi["direction"], self.rank_range)


MIN_SERIES_YEARS = 5


def _default_kpi(engine: Engine, catalogue: pd.DataFrame, home: str) -> str:
    """A KPI in use with a real time series for the municipality (example data not counted):
    the strategy's first with at least MIN_SERIES_YEARS years; else, since the KKiK successors
    are young, the catalogue's KPI with the longest series among those judged better or worse
    (so the view has a status), then any."""
    current = catalogue.loc[~catalogue["retired"].astype(bool)]
    strategy_ids = [link.kpi_id for info in queries.measures(engine)
                    for link in reversed(info.lineage) if link.kpi_id in set(current["id"])]
    years = queries.real_years_per_kpi(engine, home, list(current["id"]))
    for kpi_id in strategy_ids:
        if years.get(kpi_id, 0) >= MIN_SERIES_YEARS:
            return kpi_id
    judged = set(current.loc[current["direction"] != "none", "id"])
    ranked = sorted(current["id"], key=lambda k: (k in judged, years.get(k, 0)), reverse=True)
    if ranked and years.get(ranked[0], 0) >= MIN_SERIES_YEARS:
        return ranked[0]
    return strategy_ids[0] if strategy_ids else str(catalogue["id"].iloc[0])


def own_list_label(own: list[str], names: dict[str, str]) -> str:
    """The own list by name while it is short ("Bjuv", "Bjuv och Höganäs"), else by count."""
    named = [names.get(m, m) for m in own]
    if len(named) == 1:
        return named[0]
    if 2 <= len(named) <= 3:
        return ", ".join(named[:-1]) + " och " + named[-1]
    return f"egen lista ({len(named)} kommuner)"


def resolve_state(engine: Engine, state: ExploreState, home: str
                  ) -> tuple[ExploreState, pd.DataFrame]:
    """Fill in defaults and drop what the database does not know (a stale or edited URL)."""
    catalogue = queries.kpi_catalogue(engine)
    if state.kpi not in set(catalogue["id"]):
        state = replace(state, kpi=_default_kpi(engine, catalogue, home))
    groups = queries.municipality_groups(engine)
    known = set(queries.kommuner(engine)["id"])
    own = tuple(m for m in state.own if m in known)
    group = state.group
    if group != OWN_LIST and group not in set(groups["id"]):
        group = ALL_MUNICIPALITIES
    if group == OWN_LIST and not own:
        group = ALL_MUNICIPALITIES
    return replace(state, group=group, own=own), catalogue


@cached("explore", lambda settings, query: (settings.municipality, str(settings.kolada_dir),
                                           ExploreState.from_query(query)))
def build_view(engine: Engine, settings: Settings, query: dict) -> ExploreView:
    strategy = queries.strategy_info(engine, settings.municipality)
    home = strategy.municipality_id
    state, catalogue = resolve_state(engine, ExploreState.from_query(query), home)
    kpi = catalogue.loc[catalogue["id"] == state.kpi].iloc[0].to_dict()
    names = dict(queries.kommuner(engine)[["id", "title"]].itertuples(index=False))
    values = queries.municipal_values(engine, [state.kpi])
    years = sorted(set(values["year"]))
    first = state.first_year if state.first_year in years else (years[0] if years else None)
    last = state.last_year if state.last_year in years else (years[-1] if years else None)
    if first is not None and last is not None and first > last:
        first, last = last, first
    in_range = [y for y in years if first is not None and first <= y <= last]
    spread_year = state.spread_year if state.spread_year in in_range else (
        in_range[-1] if in_range else None)
    state = replace(state, first_year=first, last_year=last, spread_year=spread_year)
    values = values.loc[values["year"].isin(in_range)]

    if state.group == OWN_LIST:
        peers, peer_label = list(state.own), own_list_label(list(state.own), names)
    else:
        peers = queries.group_members(engine, state.group)
        groups = queries.municipality_groups(engine).set_index("id")
        peer_label = str(groups.loc[state.group, "title"])
    trend = _trend(engine, state.kpi, values, home, peers, kpi["direction"], in_range)
    peer_lines = values.loc[values["municipality_id"].isin(peers)
                            & (values["municipality_id"] != home)]
    if not state.show_peers or len(peers) > MAX_PEER_LINES:
        peer_lines = peer_lines.iloc[0:0]
    spread = values.loc[values["year"] == spread_year,
                        ["municipality_id", "value", "is_example"]].copy()
    spread["rank"] = rules.ranks(spread["value"], kpi["direction"])
    spread["name"] = spread["municipality_id"].map(names)
    spread["is_home"] = spread["municipality_id"] == home
    spread["is_peer"] = (spread["municipality_id"].isin(peers) & ~spread["is_home"]
                         & (state.group != ALL_MUNICIPALITIES))
    spread = spread.sort_values(["rank", "name"]).reset_index(drop=True)
    gender = None
    if kpi["is_divided_by_gender"]:
        by_gender = pd.concat([queries.municipal_values(engine, [state.kpi], g, home)
                               .assign(gender=g) for g in ("K", "M")])
        by_gender = by_gender.loc[by_gender["year"].isin(in_range)]
        home_total = values.loc[values["municipality_id"] == home, ["year", "value"]]
        gender = (by_gender.pivot_table(index="year", columns="gender", values="value")
                  .reset_index().merge(home_total.rename(columns={"value": "T"}), on="year",
                                       how="left"))
        invented = set(by_gender.loc[by_gender["is_example"].astype(bool), "year"]) | set(
            values.loc[(values["municipality_id"] == home)
                       & values["is_example"].astype(bool), "year"])
        gender["is_example"] = gender["year"].isin(invented)
        if not {"K", "M"} <= set(gender.columns) or gender.empty:
            gender = None
    return ExploreView(state, kpi, home, names.get(home, home), names, years, in_range, peers,
                       peer_label, trend, peer_lines, spread, gender,
                       kpi_source_line(
                           queries.value_provenance(engine, [state.kpi], settings.kolada_dir),
                           queries.has_example_values(engine, [state.kpi])),
                       paired=_paired(engine, state.kpi, values, in_range),
                       rank_range=_rank_range(engine, settings, kpi, home, trend))


def _rank_range(engine: Engine, settings: Settings, kpi: dict, home: str,
                trend: pd.DataFrame) -> tuple[int, int] | None:
    measured = trend.loc[trend["value"].notna()]
    if measured.empty:
        return None
    row = measured.iloc[-1]
    return build.kpi_rank_range(engine, settings, kpi["id"], kpi["title"], home,
                                int(row["year"]), float(row["value"]), kpi["direction"])


def _paired(engine: Engine, kpi_id: str, values: pd.DataFrame, years: list[int]
            ) -> tuple[int, float, float, int, int] | None:
    """The mean of the newest two measured years over the municipalities in both."""
    measured = sorted(set(values.loc[values["value"].notna(), "year"]) & set(years))
    if len(measured) < 2:
        return None
    earlier, year = measured[-2], measured[-1]
    found = queries.paired_means(engine, [(kpi_id, year, earlier)]).get(
        (kpi_id, year, earlier))
    return (*found, year, earlier) if found else None


def _trend(engine: Engine, kpi_id: str, values: pd.DataFrame, home: str, peers: list[str],
           direction: str, years: list[int]) -> pd.DataFrame:
    everyone = queries.kpi_year_stats(engine, [kpi_id], home, direction).set_index("year")
    of_peers = (values.loc[values["municipality_id"].isin(peers)].groupby("year")["value"]
                .agg(peer_mean="mean", peer_n="count"))
    frame = pd.DataFrame({"year": years}).set_index("year")
    frame = frame.join(everyone[["value", "is_example", "comparison_mean", "comparison_n",
                                 "peer_rank", "quartile"]]).join(of_peers)
    frame = frame.rename(columns={"comparison_mean": "all_mean", "comparison_n": "all_n",
                                  "peer_rank": "rank"}).reset_index()
    frame["peer_n"] = frame["peer_n"].fillna(0).astype(int)
    frame["all_n"] = frame["all_n"].fillna(0).astype(int)
    frame["is_example"] = frame["is_example"].astype("boolean").fillna(False).astype(bool)
    return frame[["year", "value", "is_example", "all_mean", "all_n", "rank", "quartile",
                  "peer_mean", "peer_n"]]
