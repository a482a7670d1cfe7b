"""Mål N: one chart per measure (with table view, summary and source); goal 3 adds the survey
per förvaltning, the distribution of answers and the HME benchmark."""

from __future__ import annotations

import contextlib

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard import auth, charts, followup, ids, queries, runtime, urlstate
from dashboard.components.admin import analysis_note, login_needed
from dashboard.components.common import (
    chart_of,
    definition_list,
    example_tag,
    status_badge,
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
    return html.Section([
        *header,
        chart_of(charts.measure_view(item), extra=extra),
        *analyses(info.id),
    ], className="measure-section", **{"aria-labelledby": info.id})


def analyses(measure_id: str) -> list:
    """The newest analysis of the measure, and earlier years' behind a disclosure. Drafts
    (utkast) are shown to administrators only."""
    drafts = auth.admin_user() is not None
    texts = [t for t in queries.measure_analyses(runtime.engine(), measure_id)
             if drafts or t["state"] != "utkast"]
    if not texts:
        return []
    notes = [analysis_note(t["year"], t["body"], t["state"], t["updated_at"], t["updated_by"],
                           heading=html.H3 if i == 0 else html.H4)
             for i, t in enumerate(texts)]
    if len(notes) == 1:
        return notes
    return [notes[0], html.Details([html.Summary("Tidigare års analyser"), *notes[1:]],
                                   className="lineage earlier-analyses")]


def survey_detail(item: followup.MeasureFollowUp, year_param: object = None) -> html.Section:
    """Per förvaltning for the year in the URL (`?ar=`), the distribution of answers, and HME."""
    engine, settings = runtime.engine(), runtime.settings()
    years = queries.survey_years(engine, item.info.id)
    if not years:
        return html.Section([html.H2("Medarbetarenkäten per förvaltning"),
                             html.P("Ingen enkät är inläst ännu.")])
    if not auth.allowed(auth.LOGIN):  # per unit only for those logged in, even when public
        return html.Section([
            html.H2("Medarbetarenkäten per förvaltning", id="per-forvaltning"),
            login_needed("Medarbetarenkäten per förvaltning och enhet",
                         f"/mal/{item.info.goal_number}#per-forvaltning"),
            *benchmark(item),
        ], className="measure-section survey-detail")
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
        *benchmark(item),
    ]
    return html.Section(content, className="measure-section survey-detail")


def benchmark(item: followup.MeasureFollowUp) -> list:
    """The measure's benchmark KPI (HME) against the measuring municipalities."""
    engine, settings = runtime.engine(), runtime.settings()
    benchmark_id = item.info.benchmark_kpi_id
    if not benchmark_id:
        return []
    kpi = queries.kpi_info(engine, benchmark_id)
    return [
        html.H2("Jämförelse: HME", id="hme"),
        html.P(f"{kpi['title']}. Mäts vartannat år, liksom medarbetarenkäten.",
               className="lead-small"),
        chart_of(charts.benchmark_view(engine, settings, item.info)),
    ]


def survey_units(year: int) -> list:
    """The förvaltningar and the distribution of answers for one survey year."""
    engine, settings = runtime.engine(), runtime.settings()
    info = next(m for m in queries.measures(engine) if m.is_survey)
    units = charts.survey_units_view(engine, settings, info, year)
    example = bool((units.data.frame["Källa"] == "Exempeldata").any())
    blocks = [
        html.P([example_tag(), " Svaren är påhittade."]) if example else None,
        chart_of(units),
    ]
    with contextlib.suppress(KeyError):  # no kommun-level row stored for the year
        blocks.append(chart_of(charts.distribution_view(engine, settings, info, year)))
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
