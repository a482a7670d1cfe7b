"""Mål N: one chart per measure (with table view, summary and source); goal 3 adds the survey
per förvaltning, the distribution of answers and the HME benchmark."""

from __future__ import annotations

import dash
import pandas as pd
from dash import dcc, html

from dashboard import figures, followup, ids, queries, runtime, urlstate
from dashboard import formatting as fmt
from dashboard.components.common import (
    chart,
    definition_list,
    example_tag,
    status_badge,
    table_view,
)


def _title(number: str | None = None, **_query) -> str:
    return f"Mål {number} – Målbild" if number else "Mål – Målbild"


dash.register_page(__name__, path_template="/mal/<number>", name="Mål", title=_title, order=1)
urlstate.sync_to_url({"ar": (ids.GOAL3_YEAR, "value"),
                      "forv": (ids.GOAL3_FORVALTNING, "value")})


def measure_section(item: followup.MeasureFollowUp) -> html.Section:
    info = item.info
    row = item.latest
    lineage = [
        html.Li(f"{link.kpi_id} {link.first_year}–{link.last_year or ''}: "
                f"{link.method or link.kpi_title}")
        for link in info.lineage
    ]
    header = [
        html.H2(info.name, id=info.id),
        definition_list([("Mätområde", info.question), ("Syfte", info.purpose)]),
        html.P(["Status ", f"{int(row['year'])}" if row is not None else "", ": ",
                status_badge(item.target_state(row)), " ",
                status_badge(item.peer_state(row)) if not info.is_survey else None],
               className="measure-status"),
    ]
    extra = []
    if item.missing_latest_note:
        extra.append(html.P(item.missing_latest_note, className="card-note"))
    if lineage:
        extra.append(html.Details([html.Summary("Nyckeltal och metodbyten"), html.Ul(lineage)],
                                  className="lineage"))
    table = table_view(item.display_table(), f"{info.name}, {item.municipality}",
                       numeric=[item.municipality, "Mätkommunernas medelvärde", "n", "Mål"])
    return html.Section([
        *header,
        chart(item.figure(), summary=item.summary(), table=table, extra=extra),
    ], className="measure-section", **{"aria-labelledby": info.id})


def survey_detail(item: followup.MeasureFollowUp, year_param: object = None,
                  forvaltning_param: object = None) -> html.Section:
    """Per förvaltning (or the enheter of one) for the year in the URL (`?ar=&forv=`), the
    distribution of answers, and HME beside the survey."""
    engine, settings = runtime.engine(), runtime.settings()
    years = queries.survey_years(engine, item.info.id)
    if not years:
        return html.Section([html.H2("Medarbetarenkäten per förvaltning"),
                             html.P("Ingen enkät är inläst ännu.")])
    year = urlstate.int_param(year_param, years, years[-1])
    results = queries.survey_results(engine, item.info.id, settings.anonymity_threshold,
                                     year=year)
    names = list(results.loc[results["level"] == "förvaltning", "forvaltning"])
    # Only a förvaltning shown for the year can be chosen; anything else in the URL shows all.
    forvaltning = forvaltning_param if forvaltning_param in names else None
    content = [
        html.H2("Medarbetarenkäten per förvaltning och enhet", id="per-forvaltning"),
        html.P(f"Grupper med färre än {settings.anonymity_threshold} svarande visas inte, och "
               "inte heller en grupp som annars skulle kunna räknas fram ur de andra. Deras "
               "svar räknas ändå med i förvaltningen och kommunen.", className="notice"),
        html.Div([
            html.Div([
                html.Label("Enkätår", htmlFor=ids.GOAL3_YEAR),
                dcc.Dropdown(id=ids.GOAL3_YEAR,
                             options=[{"label": str(y), "value": y} for y in years],
                             value=year, clearable=False, searchable=False,
                             className="year-select"),
            ]),
            html.Div([
                html.Label("Förvaltning", htmlFor=ids.GOAL3_FORVALTNING),
                dcc.Dropdown(id=ids.GOAL3_FORVALTNING,
                             options=[{"label": name, "value": name} for name in names],
                             value=forvaltning, clearable=True, searchable=False,
                             placeholder="Alla förvaltningar", className="unit-select"),
            ]),
        ], className="survey-controls"),
        html.Div(id=ids.GOAL3_UNITS, children=survey_units(year, forvaltning, results)),
    ]
    if item.info.benchmark_kpi_id:
        content += hme_benchmark(item)
    return html.Section(content, className="measure-section survey-detail")


def _unit_table(rows: pd.DataFrame, caption: str) -> html.Details:
    """Förvaltningar and enheter with n, mean, share 4–5 and (when known) the response rate."""
    table = pd.DataFrame({
        "Förvaltning": rows["forvaltning"],
        "Enhet": [e or "(hela förvaltningen)" for e in rows["enhet"]],
        "Medelvärde (1–5)": [fmt.number(v, 2) for v in rows["mean"]],
        "Andel 4–5": [fmt.percent(v, 0) for v in rows["share_positive"]],
        "Svarande (n)": [fmt.count(int(n)) for n in rows["respondents"]],
    })
    if rows["response_rate"].notna().any():
        table["Anställda"] = [fmt.count(None if pd.isna(e) else int(e))
                              for e in rows["employees"]]
        table["Svarsfrekvens"] = [fmt.percent(v, 0) for v in rows["response_rate"]]
    numeric = ["Medelvärde (1–5)", "Andel 4–5", "Svarande (n)", "Anställda", "Svarsfrekvens"]
    return table_view(table, caption, numeric=numeric)


def _distribution(row: pd.Series, name: str, year: int, source: str) -> html.Div | html.P:
    if any(pd.isna(row[f"answers_{i}"]) for i in range(1, 6)):
        return html.P(f"Fördelningen av svaren finns inte för {name} {year}: filen innehöll "
                      "bara medelvärden.", className="card-note")
    counts = [int(row[f"answers_{i}"]) for i in range(1, 6)]
    total = sum(counts) or 1
    text = figures.ChartText(f"Fördelning av svaren {year}, {name}",
                             "Den interna kommunikationen uppfattas som god (1–5)", source, year)
    table = pd.DataFrame({"Svar": [str(i) for i in range(1, 6)],
                          "Antal": [fmt.count(c) for c in counts],
                          "Andel": [fmt.percent(100 * c / total, 1) for c in counts]})
    summary = (f"Fördelning av svaren, {name} {year}: " + ", ".join(
        f"{i}: {fmt.percent(100 * c / total, 0)}" for i, c in enumerate(counts, 1))
        + f" (n = {fmt.count(total)}).")
    return chart(figures.distribution_figure(row, text), summary=summary,
                 table=table_view(table, f"Fördelning av svaren, {name} {year}",
                                  numeric=["Antal", "Andel"]))


def survey_units(year: int, forvaltning: str | None = None,
                 results: pd.DataFrame | None = None) -> list:
    """The förvaltningar (or one förvaltning's enheter) and the distribution for one year."""
    engine, settings = runtime.engine(), runtime.settings()
    if results is None:
        info = next(m for m in queries.measures(engine) if m.is_survey)
        results = queries.survey_results(engine, info.id, settings.anonymity_threshold,
                                         year=year)
    kommun = results.loc[results["level"] == "kommun"]
    example = bool(results["is_example"].any())
    source = "Medarbetarenkät" + (" · Exempeldata" if example else "")
    blocks: list = [html.P([example_tag(), " Svaren är påhittade."]) if example else None]
    if forvaltning is None:
        parent = kommun
        units = results.loc[results["level"] == "förvaltning"].assign(
            name=lambda f: f["forvaltning"])
        parent_name, parent_label = "kommunen", "Kommunen"
        title = f"Intern kommunikation per förvaltning {year}"
        listed = results.loc[results["level"].isin(["förvaltning", "enhet"])]
        caption = f"Per förvaltning och enhet {year}"
    else:
        parent = results.loc[(results["level"] == "förvaltning")
                             & (results["forvaltning"] == forvaltning)]
        units = results.loc[(results["level"] == "enhet")
                            & (results["forvaltning"] == forvaltning)].assign(
            name=lambda f: f["enhet"])
        parent_name = parent_label = forvaltning
        title = f"Intern kommunikation per enhet {year}: {forvaltning}"
        listed = pd.concat([parent, units])
        caption = f"{forvaltning}: enheter {year}"
    listed = listed.sort_values(["forvaltning", "level", "enhet"], ascending=[True, False, True])
    parent_mean = float(parent["mean"].iloc[0]) if len(parent) else None
    text = figures.ChartText(title, "Medelvärde 1–5 och antal svarande (n)", source, year)
    if units.empty:
        blocks.append(html.P(f"Inga enheter i {parent_name} kan visas {year}: de har för få "
                             "svarande var för sig.", className="card-note"))
        blocks.append(_unit_table(listed, caption))
    else:
        summary = (f"Medelvärde per {'förvaltning' if forvaltning is None else 'enhet'} {year}: "
                   + "; ".join(f"{r.name} {fmt.number(r.mean, 2)} (n = {fmt.count(r.respondents)})"
                               for r in units.sort_values("mean", ascending=False).itertuples())
                   + (f". {parent_label} {fmt.number(parent_mean, 2)}." if parent_mean else "."))
        blocks.append(chart(figures.survey_units_figure(units, parent_mean, 2, text,
                                                        reference=parent_label),
                            summary=summary, table=_unit_table(listed, caption)))
    if len(parent):
        blocks.append(_distribution(parent.iloc[0], parent_name, year, source))
    return blocks


def hme_benchmark(item: followup.MeasureFollowUp) -> list:
    """HME (Kolada) for the kommun against the measuring municipalities, beside the survey."""
    engine, settings = runtime.engine(), runtime.settings()
    benchmark_id = item.info.benchmark_kpi_id
    strategy = queries.strategy_info(engine, settings.municipality)
    kpi = queries.kpi_info(engine, benchmark_id)
    stats = queries.kpi_home_stats(engine, benchmark_id, strategy.municipality_id,
                                   kpi["direction"])
    source = queries.value_sources(engine, [benchmark_id], settings.kolada_dir)
    data_through = int(stats["year"].max()) if len(stats) else None
    text = figures.ChartText("Hållbart medarbetarengagemang (HME)",
                             f"{strategy.municipality} mot mätkommunernas medelvärde",
                             f"{source}, KPI {benchmark_id}", data_through)
    measured = stats.loc[stats["value"].notna()]
    latest = measured.iloc[-1] if len(measured) else None
    summary = (f"HME totalindex {strategy.municipality} {fmt.number(latest['value'], 1)} "
               f"{int(latest['year'])}, mätkommunernas medelvärde "
               f"{fmt.number(latest['comparison_mean'], 1)} "
               f"(n = {fmt.count(int(latest['comparison_n']))}), plats "
               f"{int(latest['peer_rank'])} av {int(latest['comparison_n'])}."
               if latest is not None else "Kommunen har inget HME-värde.")
    table = pd.DataFrame({
        "År": stats["year"],
        strategy.municipality: [fmt.number(v, 1) for v in stats["value"]],
        "Mätkommunernas medelvärde": [fmt.number(v, 1) for v in stats["comparison_mean"]],
        "n": [fmt.count(None if pd.isna(n) else int(n)) for n in stats["comparison_n"]],
        "Plats": [f"{int(r)} av {n}" if not pd.isna(r) else "–"
                  for r, n in zip(stats["peer_rank"], stats["comparison_n"], strict=True)],
    })
    return [
        html.H2("Jämförelse: HME", id="hme"),
        html.P(f"{kpi['title']}. Mäts vartannat år, liksom medarbetarenkäten, och jämförs med "
               "medelvärdet av de kommuner som mätte samma år.", className="lead-small"),
        side_by_side(item, stats, strategy.municipality),
        chart(figures.kpi_figure(stats, strategy.municipality, kpi["unit"], 1, text),
              summary=summary, table=table_view(table, "HME totalindex",
                                                numeric=[strategy.municipality,
                                                         "Mätkommunernas medelvärde", "n"])),
    ]


def side_by_side(item: followup.MeasureFollowUp, hme: pd.DataFrame, municipality: str
                 ) -> html.Div:
    """The survey and HME year by year in one table; "ingen mätning" where a year has none."""
    survey = item.series.loc[item.series["value"].notna(), ["year", "value", "respondents"]]
    home_years = set(hme.loc[hme["value"].notna(), "year"].astype(int))
    years = sorted(set(survey["year"].astype(int)) | home_years)
    merged = pd.DataFrame({"year": years}).merge(
        survey.astype({"year": int}), on="year", how="left").merge(
        hme[["year", "value", "comparison_mean", "comparison_n"]].astype({"year": int})
        .rename(columns={"value": "hme"}), on="year", how="left")
    missing = "ingen mätning"
    table = pd.DataFrame({
        "År": merged["year"],
        "Medarbetarenkät, medelvärde 1–5 (n)": [
            f"{fmt.number(v, 2)} (n = {fmt.count(int(n))})" if not pd.isna(v) else missing
            for v, n in zip(merged["value"], merged["respondents"], strict=True)],
        f"HME {municipality}": [fmt.number(v, 1) if not pd.isna(v) else missing
                                for v in merged["hme"]],
        "HME mätkommunernas medelvärde (n)": [
            f"{fmt.number(v, 1)} (n = {fmt.count(int(n))})" if not pd.isna(v) else "–"
            for v, n in zip(merged["comparison_mean"], merged["comparison_n"], strict=True)],
    })
    return html.Div(html.Table([
        html.Caption("Medarbetarenkäten och HME år för år"),
        html.Thead(html.Tr([html.Th(c, scope="col") for c in table.columns])),
        html.Tbody([html.Tr([html.Th(str(row[0]), scope="row"),
                             *[html.Td(v, className="num") for v in row[1:]]])
                    for row in table.itertuples(index=False)]),
    ], className="data-table"), className="table-scroll side-by-side")


def layout(number: str | None = None, ar: str | None = None, forv: str | None = None,
           **_query) -> html.Div:
    engine, settings = runtime.engine(), runtime.settings()
    goal_rows = queries.goals(engine)
    goal = next((g for g in goal_rows.itertuples() if str(g.number) == str(number)), None)
    if goal is None:
        return html.Div([
            html.H1("Målet finns inte"),
            html.P(f"Strategin har inget mål {number}. Målen är "
                   + ", ".join(str(g.number) for g in goal_rows.itertuples()) + "."),
            html.A("Till översikten", href="/"),
        ])
    items = followup.goal_followups(engine, settings, goal.number)
    sections = [measure_section(item) for item in items]
    if any(item.info.is_survey for item in items):
        sections.append(survey_detail(next(i for i in items if i.info.is_survey), ar, forv))
    return html.Div([
        html.P(html.A("← Översikt", href="/"), className="breadcrumb"),
        html.H1(f"Mål {goal.number}: {goal.title}"),
        *sections,
    ])
