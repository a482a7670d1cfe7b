"""Översikt: one follow-up year (`?ar=`), each goal with its verdict and each measure as a card
with the year's value, its margin of error and the statuses in words."""

from __future__ import annotations

import dash
import pandas as pd
from dash import html

from dashboard.present import addresses, words
from dashboard.present import formatting as fmt
from dashboard.store import queries, runtime
from dashboard.web import auth
from dashboard.web.components.admin import adopted_text_section
from dashboard.web.components.common import (
    PEER_TERM,
    VERDICT_TERM,
    definition_list,
    example_tag,
    status_badge,
    target_term,
    verdict_line,
    verdict_rule,
    year_choice,
)
from dashboard.web.components.report_links import report_links
from etl import analysis
from etl.followup import verdict as verdicts
from etl.followup.verdict import GoalVerdict, MeasureStanding

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
        body.append(html.Ul([html.Li(["Mot målet: ", status_badge(
            words.NO_CURRENT_STATUS, term=words.NO_CURRENT_STATUS.key, year=standing.year)])],
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
                html.Li(["Mot målet: ", status_badge(words.target_of(row), term=target_term(row),
                                                     year=standing.year)]),
                html.Li(["Mot medelvärdet: ", status_badge(versus, term=versus.key,
                                                           year=standing.year)])
                if versus else None,
                html.Li(["Plats: ", status_badge(words.peer_of(item, row), term=PEER_TERM,
                                                 year=standing.year)])
                if not (info.is_survey or standing.own) else None,
                html.Li(["Sedan förra mätningen: ", words.change_phrase(row)])
                if row.change_word is not None else None,
            ], className="card-status"),
        ]
        if probability := words.probability_phrase(row):
            body.append(html.P(probability[0].upper() + probability[1:] + ".",
                               className="card-note"))
        if words.margin_unknown_note(row):
            body.append(html.P(words.margin_unknown_note(row), className="card-note"))
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
            f"(n = {fmt.count(int(benchmark['comparison_n']))}), "
            + words.place_without_margin(int(benchmark['peer_rank']),
                                         int(benchmark['comparison_n'])) + "."
        ], className="card-note"))
    body.append(html.A(["Mer om måttet", html.Span(f": {info.name}", className="visually-hidden")],
                       href=addresses.with_year(f"/mal/{info.goal_number}#{info.id}",
                                               standing.year), className="card-link"))
    return html.Article([html.H3(info.name, id=heading_id), *body], className="measure-card",
                        **{"aria-labelledby": heading_id})


def change_since_last_time(goal: GoalVerdict) -> list[str]:
    """What changed since the last measurement, per measure with a current value, for the
    answer line: "Gott bemötande vid telefonkontakt 80,0 %, ingen säkerställd förändring sedan
    2021" (the words the model's change allows, no stronger)."""
    changes = []
    for standing in goal.standings:
        row = standing.current
        if row is not None and (brief := words.change_brief(row)):
            changes.append(f"{standing.item.info.name} {words.row_value(standing.item, row)}, "
                           f"{brief}")
    return changes


def answer_line(goal: GoalVerdict) -> html.Li:
    """"Mål 1: ✗ Ej uppnått – 0 av 3 mått når målet, 2 inom felmarginalen": the answer first."""
    parts = [f"{goal.measures_reached} av {len(goal.standings)} mått når målet"]
    if within := goal.measures_within_margin:
        parts.append(f"{within} inom felmarginalen")
    if goal.measures_without_current_value:
        parts.append(f"{goal.measures_without_current_value} utan aktuellt värde")
    if without_target := (len(goal.standings) - goal.measures_assessed
                          - goal.measures_without_current_value):
        parts.append(f"{without_target} utan mål för året")
    text = " – " + ", ".join(parts)
    if changes := change_since_last_time(goal):
        text += "; " + "; ".join(changes)
    return html.Li([
        html.A(f"Mål {goal.goal}", href=addresses.with_year(f"/mal/{goal.goal}", goal.year),
               className="answer-goal"), ": ",
        status_badge(words.verdict(goal), term=VERDICT_TERM, year=goal.year),
        html.Span(text, className="answer-counts"),
    ])


def layout(ar: str | None = None, **_query) -> html.Div:
    engine, settings = runtime.engine(), runtime.settings()
    try:
        strategy = queries.strategy_info(engine, settings.municipality)
    except LookupError as exc:
        return html.Div([html.H1("Målbild"), html.P(str(exc))])
    every_item = queries.goal_followups(engine, settings)
    years = verdicts.follow_up_years(every_item)
    default = verdicts.default_year(every_item)
    year = addresses.int_param(ar, years, default) if years else None
    sections, answers = [], []
    for goal in queries.goals(engine).itertuples():
        items = [item for item in every_item if item.info.goal_number == goal.number]
        heading = f"Mål {goal.number}: {goal.title}"
        if year is None:
            sections.append(html.Section([html.H2(heading), html.P("Ingen mätning ännu.")],
                                         className="goal-section"))
            continue
        verdict = verdicts.goal_verdict(int(goal.number), items, year)
        answers.append(answer_line(verdict))
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
            html.H2([html.A(heading, href=addresses.with_year(f"/mal/{goal.number}", year))],
                    id=f"mal-{goal.number}"),
            verdict_line(verdict),
            html.Div(cards, className="card-grid"),
        ], className="goal-section", **{"aria-labelledby": f"mal-{goal.number}"}))
    return html.Div([
        html.H1(f"Uppföljning av kommunikationsstrategin – {strategy.municipality}"
                + (f" {year}" if year else "")),
        html.Ul(answers, className="answer-first",
                **{"aria-label": f"Bedömning {year} i korthet"}) if answers else None,
        html.P([strategy.name, f", antagen {fmt.iso_date(strategy.adopted)} ({strategy.decision})."
                if strategy.adopted else ".", " ", strategy.follow_up], className="lead"),
        year_choice(year, years, "/") if year else None,
        html.P(["Målvärdena i demon är exempel. ", example_tag(),
                " märker påhittade värden; övriga värden kommer från Kolada."],
               className="notice"),
        verdict_rule(year) if year else None,
        year_assessment(engine, strategy.municipality_id, year) if year else None,
        *sections,
        downloads_section(year),
    ])


def year_assessment(engine, municipality_id: str, year: int) -> html.Section | None:
    """The year's Samlad bedömning: fastställd, or any state for an administrator."""
    scope = analysis.YEAR_SCOPE
    return adopted_text_section(
        queries.assessment_text(engine, scope, year), scope, year,
        drafts=auth.admin_user() is not None,
        revised=(scope, year) in queries.texts_out_of_date(engine, municipality_id))


def downloads_section(year: int | None) -> html.Section:
    """The yearly report for kommunstyrelsen (the fastställd version first) and all data, as
    real download links."""
    report = report_links(year) if year else [
        html.P("Det finns inga värden ännu, så ingen rapport.")]
    return html.Section([
        html.H2("Årsrapport och data", id="arsrapport"),
        *report,
        html.P((f"Uppföljningen med värden till och med {year}" if year else "Uppföljningen")
               + ", ett blad per mål och ett med källor och definitioner:"),
        html.Ul([
            html.Li(html.A("All data som Excel (xlsx)",
                           href=addresses.with_year("/export/data.xlsx", year),
                           download="malbild-uppfoljning.xlsx", className="button-link")),
            html.Li(html.A("All data som CSV för svenskt Excel",
                           href=addresses.with_year("/export/data.csv", year),
                           download="malbild-uppfoljning.csv", className="button-link")),
        ], className="download-list"),
    ], className="goal-section downloads", **{"aria-labelledby": "arsrapport"})
