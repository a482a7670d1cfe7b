"""Mål N: one chart per measure (with table view, summary and source); goal 3 adds the survey
per förvaltning, the distribution of answers and the HME benchmark."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

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
urlstate.sync_to_url({"ar": (ids.GOAL3_YEAR, "value")})


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


def survey_detail(item: followup.MeasureFollowUp, year_param: object = None) -> html.Section:
    """Per förvaltning for the year in the URL (`?ar=`), the distribution of answers, and HME."""
    engine, settings = runtime.engine(), runtime.settings()
    years = queries.survey_years(engine, item.info.id)
    if not years:
        return html.Section([html.H2("Medarbetarenkäten per förvaltning"),
                             html.P("Ingen enkät är inläst ännu.")])
    year = urlstate.int_param(year_param, years, years[-1])
    content = [
        html.H2("Medarbetarenkäten per förvaltning", id="per-forvaltning"),
        html.P(f"Grupper med färre än {settings.anonymity_threshold} svarande visas inte, och "
               "inte heller en grupp som annars skulle kunna räknas fram ur de andra.",
               className="notice"),
        html.Label("Enkätår", htmlFor=ids.GOAL3_YEAR),
        dbc.Select(id=ids.GOAL3_YEAR, options=[{"label": str(y), "value": str(y)} for y in years],
                   value=str(year), class_name="form-select year-select"),
        html.Div(id=ids.GOAL3_UNITS, children=survey_units(year)),
        urlstate.rendered({"ar": year}),
    ]
    benchmark_id = item.info.benchmark_kpi_id
    if benchmark_id:
        strategy = queries.strategy_info(engine, settings.municipality)
        kpi = queries.kpi_info(engine, benchmark_id)
        stats = queries.kpi_home_stats(engine, benchmark_id, strategy.municipality_id,
                                       kpi["direction"])
        source = queries.kpi_runs_caption(engine, [benchmark_id], settings.kolada_dir)
        data_through = int(stats["year"].max()) if len(stats) else None
        text = figures.ChartText("Hållbart medarbetarengagemang (HME)",
                                 f"{strategy.municipality} mot mätkommunernas medelvärde",
                                 f"{source}, KPI {benchmark_id}", data_through)
        measured = stats.loc[stats["value"].notna()]
        latest = measured.iloc[-1] if len(measured) else None
        summary = (f"HME totalindex {strategy.municipality} {fmt.number(latest['value'], 1)} "
                   f"{int(latest['year'])}, mätkommunernas medelvärde "
                   f"{fmt.number(latest['comparison_mean'], 1)} "
                   f"(n = {int(latest['comparison_n'])}), plats {int(latest['peer_rank'])} av "
                   f"{int(latest['comparison_n'])}." if latest is not None else
                   "Kommunen har inget HME-värde.")
        table = pd.DataFrame({
            "År": stats["year"],
            strategy.municipality: [fmt.number(v, 1) for v in stats["value"]],
            "Mätkommunernas medelvärde": [fmt.number(v, 1) for v in stats["comparison_mean"]],
            "n": stats["comparison_n"],
            "Plats": [f"{int(r)} av {n}" if not pd.isna(r) else "–"
                      for r, n in zip(stats["peer_rank"], stats["comparison_n"], strict=True)],
        })
        content += [
            html.H2("Jämförelse: HME", id="hme"),
            html.P(f"{kpi['title']}. Mäts vartannat år, liksom medarbetarenkäten.",
                   className="lead-small"),
            chart(figures.kpi_figure(stats, strategy.municipality, kpi["unit"], 1, text),
                  summary=summary, table=table_view(table, "HME totalindex")),
        ]
    return html.Section(content, className="measure-section survey-detail")


def survey_units(year: int) -> list:
    """The förvaltningar and the distribution of answers for one survey year."""
    engine, settings = runtime.engine(), runtime.settings()
    info = next(m for m in queries.measures(engine) if m.is_survey)
    results = queries.survey_results(engine, info.id, settings.anonymity_threshold, year=year)
    kommun = results.loc[results["level"] == "kommun"]
    forvaltningar = results.loc[results["level"] == "förvaltning"].assign(
        name=lambda f: f["forvaltning"])
    enheter = results.loc[results["level"] == "enhet"]
    kommun_mean = float(kommun["mean"].iloc[0]) if len(kommun) else None
    example = bool(results["is_example"].any())
    source = "Medarbetarenkät" + (" · Exempeldata" if example else "")
    text = figures.ChartText(f"Intern kommunikation per förvaltning {year}",
                             "Medelvärde 1–5 och antal svarande (n)", source, year)
    summary = (f"Medelvärde per förvaltning {year}: " + "; ".join(
        f"{r.forvaltning} {fmt.number(r.mean, 2)} (n = {r.respondents})"
        for r in forvaltningar.sort_values("mean", ascending=False).itertuples()) + ".")
    unit_table = pd.DataFrame({
        "Förvaltning": list(forvaltningar["forvaltning"]) + list(enheter["forvaltning"]),
        "Enhet": ["(hela förvaltningen)"] * len(forvaltningar) + list(enheter["enhet"]),
        "Medelvärde": [fmt.number(v, 2) for v in
                       list(forvaltningar["mean"]) + list(enheter["mean"])],
        "Andel 4–5": [fmt.percent(v, 0) for v in
                      list(forvaltningar["share_positive"]) + list(enheter["share_positive"])],
        "Svarande (n)": list(forvaltningar["respondents"]) + list(enheter["respondents"]),
    }).sort_values(["Förvaltning", "Enhet"])
    blocks = [
        html.P([example_tag(), " Svaren är påhittade."]) if example else None,
        chart(figures.survey_units_figure(forvaltningar, kommun_mean, 2, text),
              summary=summary, table=table_view(unit_table, f"Per förvaltning och enhet {year}")),
    ]
    if len(kommun):
        row = kommun.iloc[0]
        dist_text = figures.ChartText(f"Fördelning av svaren {year}",
                                      "Den interna kommunikationen uppfattas som god (1–5)",
                                      source, year)
        counts = [int(row[f"answers_{i}"] or 0) for i in range(1, 6)]
        total = sum(counts) or 1
        dist_table = pd.DataFrame({"Svar": [str(i) for i in range(1, 6)], "Antal": counts,
                                   "Andel": [fmt.percent(100 * c / total, 1) for c in counts]})
        dist_summary = ("Fördelning av svaren: " + ", ".join(
            f"{i}: {fmt.percent(100 * c / total, 0)}" for i, c in enumerate(counts, 1))
            + f" (n = {total}).")
        blocks.append(chart(figures.distribution_figure(row, dist_text), summary=dist_summary,
                            table=table_view(dist_table, f"Fördelning av svaren {year}")))
    return blocks


def layout(number: str | None = None, ar: str | None = None, **_query) -> html.Div:
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
        sections.append(survey_detail(next(i for i in items if i.info.is_survey), ar))
    return html.Div([
        html.P(html.A("← Översikt", href="/"), className="breadcrumb"),
        html.H1(f"Mål {goal.number}: {goal.title}"),
        *sections,
    ])
