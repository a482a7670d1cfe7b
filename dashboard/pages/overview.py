"""Översikt: one follow-up year (`?ar=`), each goal with its verdict and each measure as a card
with the year's value, its margin of error and the statuses in words."""

from __future__ import annotations

import dash
import pandas as pd
from dash import html

from dashboard import formatting as fmt
from dashboard import queries, runtime, urlstate, words
from dashboard.components.common import (
    definition_list,
    example_tag,
    status_badge,
    verdict_line,
)
from dashboard.components.report_links import report_links
from etl.followup import verdict as verdicts
from etl.followup.verdict import MeasureStanding

dash.register_page(__name__, path="/", name="Översikt", title="Översikt – Målbild", order=0)


def measure_card(standing: MeasureStanding, benchmark: pd.Series | None = None,
                 benchmark_id: str | None = None) -> html.Article:
    """One measure in the follow-up year: the current value with its interval, the mean of
    the measuring municipalities, the target and the statuses in words; or, without a current
    value, the latest measurement and why it gets no status."""
    item, row = standing.item, standing.current
    info = item.info
    heading_id = f"kort-{info.id}"
    latest = standing.latest
    if row is None:
        body = [html.P(words.standing_note(standing), className="card-empty")]
        if latest is not None:
            body.append(definition_list([(f"Värde {latest.year}", words.row_value(item, latest)
                                          + (" (exempeldata)" if latest.is_example else ""))]))
        body.append(html.Ul([html.Li(["Mot målet: ", status_badge(words.NO_CURRENT_STATUS)])],
            className="card-status"))
    else:
        facts = [("Kommunens mått", html.Span(words.row_value(item, row), className="big")),
                 *words.interval_facts(item, row)]
        if info.is_survey:
            facts.append(("Andel 4–5", fmt.percent(row.share_positive, 0)))
        elif not standing.own:
            facts.append(("Mätkommunernas medelvärde",
                          f"{words.row_value(item, row, row.comparison_mean)} "
                          f"(n = {fmt.count(row.comparison_n)})"))
        facts.append((f"Mål {row.year}", words.value_text(info, row.target, row.unit) + (
            " (exempel)" if row.target is not None and row.target_is_example else "")))
        versus = words.versus_of(item, row)
        origin = (words.own_label(row) if standing.own else row.kpi_id or "Medarbetarenkät")
        body = [
            html.P([f"{row.year}", " · ", html.Span(origin, className="kpi-id"),
                    " ", example_tag() if row.is_example else None],
                   className="card-meta"),
            definition_list(facts),
            html.Ul([
                html.Li(["Mot målet: ", status_badge(words.target_of(row))]),
                html.Li(["Mot medelvärdet: ", status_badge(versus)]) if versus else None,
                html.Li(["Plats: ", status_badge(words.peer_of(item, row))])
                if not (info.is_survey or standing.own) else None,
            ], className="card-status"),
        ]
        if note := words.standing_note(standing):
            body.append(html.P(note, className="card-note"))
        if standing.own:
            body.append(html.P([words.OWN_STATUS_NOTE, " ",
                                words.kolada_beside(item, year=row.year)],
                               className="card-note"))
        if row.kpi_title and not info.is_survey:
            body.append(html.P(f"Nyckeltalet {row.kpi_id} mäter: {row.kpi_title}.",
                               className="card-note"))
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


def year_form(year: int, years: list[int]) -> html.Form:
    """The follow-up year as a plain GET form, so the choice stays in the address (?ar=)."""
    return html.Form([
        html.Label("Uppföljningsår", htmlFor="uppfoljningsar"),
        html.Select([html.Option(str(y), value=str(y), selected=y == year)
                     for y in reversed(years)], id="uppfoljningsar", name="ar",
                    className="form-select year-select"),
        html.Button("Visa", type="submit", className="button-link"),
    ], method="get", action="/", className="year-form")


def layout(ar: str | None = None, **_query) -> html.Div:
    engine, settings = runtime.engine(), runtime.settings()
    try:
        strategy = queries.strategy_info(engine, settings.municipality)
    except LookupError as exc:
        return html.Div([html.H1("Målbild"), html.P(str(exc))])
    every_item = queries.goal_followups(engine, settings)
    years = verdicts.follow_up_years(every_item)
    default = verdicts.default_year(every_item)
    year = urlstate.int_param(ar, years, default) if years else None
    sections = []
    for goal in queries.goals(engine).itertuples():
        items = [item for item in every_item if item.info.goal_number == goal.number]
        heading = f"Mål {goal.number}: {goal.title}"
        if year is None:
            sections.append(html.Section([html.H2(heading), html.P("Ingen mätning ännu.")],
                                         className="goal-section"))
            continue
        verdict = verdicts.goal_verdict(int(goal.number), items, year)
        cards = []
        for standing in verdict.standings:
            benchmark = None
            if standing.item.info.benchmark_kpi_id:
                stats = queries.kpi_home_stats(engine, standing.item.info.benchmark_kpi_id,
                                               strategy.municipality_id, "higher")
                stats = stats.loc[stats["year"] <= year]
                benchmark = queries.latest_row(stats)
            cards.append(measure_card(standing, benchmark, standing.item.info.benchmark_kpi_id))
        sections.append(html.Section([
            html.H2([html.A(heading, href=f"/mal/{goal.number}")], id=f"mal-{goal.number}"),
            verdict_line(verdict),
            html.Div(cards, className="card-grid"),
        ], className="goal-section", **{"aria-labelledby": f"mal-{goal.number}"}))
    return html.Div([
        html.H1(f"Uppföljning av kommunikationsstrategin – {strategy.municipality}"
                + (f" {year}" if year else "")),
        html.P([strategy.name, f", antagen {fmt.iso_date(strategy.adopted)} ({strategy.decision})."
                if strategy.adopted else "", " ", strategy.follow_up], className="lead"),
        year_form(year, years) if year else None,
        html.P(["Målvärdena i demon är exempel. ", example_tag(),
                " märker påhittade värden; övriga värden kommer från Kolada."],
               className="notice"),
        *sections,
        downloads_section(year),
    ])


def downloads_section(year: int | None) -> html.Section:
    """The yearly report for kommunstyrelsen (the fastställd version first) and all data, as
    real download links."""
    report = report_links(year) if year else [
        html.P("Det finns inga värden ännu, så ingen rapport.")]
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
