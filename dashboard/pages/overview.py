"""Översikt: the three goals, each measure as a card with this year's value and both statuses."""

from __future__ import annotations

import dash
import pandas as pd
from dash import html

from dashboard import followup, queries, runtime
from dashboard import formatting as fmt
from dashboard.components.common import definition_list, example_tag, status_badge

dash.register_page(__name__, path="/", name="Översikt", title="Översikt – Målbild", order=0)


def measure_card(item: followup.MeasureFollowUp, benchmark: pd.Series | None = None,
                 benchmark_id: str | None = None) -> html.Article:
    info, row = item.info, item.latest
    heading_id = f"kort-{info.id}"
    if row is None:
        body = [html.P("Ingen mätning ännu.", className="card-empty")]
    else:
        year = int(row["year"])
        facts = [("Kommunens mått", html.Span(item.value_text(row["value"]), className="big"))]
        if info.is_survey:
            facts.append(("Svarande", f"{fmt.count(int(row['respondents']))} (andel 4–5: "
                                      f"{fmt.percent(row['share_positive'], 0)})"))
        else:
            facts.append(("Mätkommunernas medelvärde",
                          f"{item.value_text(row['comparison_mean'])} "
                          f"(n = {fmt.count(int(row['comparison_n']))})"))
        target = row["target"]
        facts.append((f"Mål {year}", item.value_text(target) + (
            " (exempel)" if not pd.isna(target) and bool(row["target_is_example"]) else "")))
        body = [
            html.P([f"{year}", " · ", html.Span(row["kpi_id"] if "kpi_id" in row and
                                                 isinstance(row["kpi_id"], str)
                                                 else "Medarbetarenkät", className="kpi-id"),
                    " ", example_tag() if bool(row["is_example"]) else None],
                   className="card-meta"),
            definition_list(facts),
            html.Ul([
                html.Li(["Mot målet: ", status_badge(item.target_state(row))]),
                html.Li(["Mot andra kommuner: ", status_badge(item.peer_state(row))])
                if not info.is_survey else None,
            ], className="card-status"),
        ]
        if item.missing_latest_note:
            body.append(html.P(item.missing_latest_note, className="card-note"))
    if benchmark is not None:
        body.append(html.P([
            f"Jämförelse: HME ({benchmark_id}) {int(benchmark['year'])}: "
            f"{fmt.number(benchmark['value'], 1)} mot mätkommunernas medelvärde "
            f"{fmt.number(benchmark['comparison_mean'], 1)} "
            f"(n = {fmt.count(int(benchmark['comparison_n']))}), plats "
            f"{int(benchmark['peer_rank'])} av {int(benchmark['comparison_n'])}."
        ], className="card-note"))
    body.append(html.A(["Mer om måttet", html.Span(f": {info.name}", className="visually-hidden")],
                       href=f"/mal/{info.goal_number}#{info.id}", className="card-link"))
    return html.Article([html.H3(info.name, id=heading_id), *body], className="measure-card",
                        **{"aria-labelledby": heading_id})


def layout(**_query) -> html.Div:
    engine, settings = runtime.engine(), runtime.settings()
    try:
        strategy = queries.strategy_info(engine, settings.municipality)
    except LookupError as exc:
        return html.Div([html.H1("Målbild"), html.P(str(exc))])
    sections = []
    every_item = []
    for goal in queries.goals(engine).itertuples():
        cards = []
        items = followup.goal_followups(engine, settings, goal.number)
        every_item += items
        for item in items:
            benchmark = None
            if item.info.benchmark_kpi_id:
                stats = queries.kpi_home_stats(engine, item.info.benchmark_kpi_id,
                                               strategy.municipality_id, "higher")
                benchmark = queries.latest_row(stats)
            cards.append(measure_card(item, benchmark, item.info.benchmark_kpi_id))
        sections.append(html.Section([
            html.H2([html.A(f"Mål {goal.number}: {goal.title}", href=f"/mal/{goal.number}")],
                    id=f"mal-{goal.number}"),
            html.Div(cards, className="card-grid"),
        ], className="goal-section", **{"aria-labelledby": f"mal-{goal.number}"}))
    return html.Div([
        html.H1(f"Uppföljning av kommunikationsstrategin – {strategy.municipality}"),
        html.P([strategy.name, f", antagen {fmt.iso_date(strategy.adopted)} ({strategy.decision})."
                if strategy.adopted else "", " ", strategy.follow_up], className="lead"),
        html.P(["Målvärdena i demon är exempel. ", example_tag(),
                " märker påhittade värden; övriga värden kommer från Kolada."],
               className="notice"),
        *sections,
        downloads_section(report_year(every_item)),
    ])


def report_year(items: list[followup.MeasureFollowUp]) -> int | None:
    """The year the report is usually wanted for: the newest year of Kolada data."""
    years = [item.data_through for item in items
             if not item.info.is_survey and item.data_through]
    return max(years) if years else None


# The report takes some seconds to make: assets/slow-downloads.js shows it on the link and in
# the status line (announced by screen readers), then that it is ready or what went wrong.
REPORT_STATUS = "report-status"
SLOW = {"data-busy": "Rapporten skapas …", "data-status": REPORT_STATUS}


def downloads_section(year: int | None) -> html.Section:
    """The yearly report for kommunstyrelsen and all data, as real download links."""
    report = [
        html.P(f"Rapporten för {year} med sammanfattning, ett diagram per mått, analystext "
               "och bilaga om källor och metod."),
        html.Ul([
            html.Li(html.A(f"Årsrapport {year} som Word (DOCX, redigerbar)",
                           href=f"/export/rapport/{year}.docx", download=f"arsrapport-{year}.docx",
                           className="button-link", **SLOW)),
            html.Li(html.A(f"Årsrapport {year} som PDF (tillgänglig)",
                           href=f"/export/rapport/{year}.pdf", download=f"arsrapport-{year}.pdf",
                           className="button-link", **SLOW)),
        ], className="download-list"),
        html.P(id=REPORT_STATUS, role="status", className="hint download-status"),
    ] if year else [html.P("Det finns inga Kolada-värden ännu, så ingen rapport.")]
    return html.Section([
        html.H2("Årsrapport och data", id="arsrapport"),
        *report,
        html.P("Hela uppföljningen, ett blad per mål och ett med källor och definitioner:"),
        html.Ul([
            html.Li(html.A("All data som Excel (xlsx)", href="/export/data.xlsx",
                           download="malbild-uppfoljning.xlsx", className="button-link")),
            html.Li(html.A("All data som CSV för svenskt Excel", href="/export/data.csv",
                           download="malbild-uppfoljning.csv", className="button-link")),
        ], className="download-list"),
    ], className="goal-section downloads", **{"aria-labelledby": "arsrapport"})
