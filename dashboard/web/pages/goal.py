"""Mål N: one chart per measure (with table view, summary and source); goal 3 adds the survey
per förvaltning, the distribution of answers and the HME benchmark."""

from __future__ import annotations

import dash
import pandas as pd
from dash import html

from dashboard.present import addresses, charts, words
from dashboard.present import formatting as fmt
from dashboard.store import queries, runtime
from dashboard.web import auth, ids, urlstate
from dashboard.web.components import native
from dashboard.web.components.admin import adopted_text_section, analysis_note, login_needed
from dashboard.web.components.common import (
    PEER_TERM,
    chart_of,
    definition_list,
    example_tag,
    scrolling_table,
    status_badge,
    table_view,
    target_term,
    verdict_line,
    verdict_rule,
    year_choice,
)
from dashboard.web.components.report_links import report_links
from etl import analysis
from etl.followup import verdict as verdicts
from etl.followup.records import MeasureFollowUp, YearRow
from etl.followup.verdict import MeasureStanding


def _title(number: str | None = None, **_query) -> str:
    return f"Mål {number} – Målbild" if number else "Mål – Målbild"


dash.register_page(__name__, path_template="/mal/<number>", name="Mål", title=_title, order=1)
urlstate.sync_to_url({"forv": (ids.GOAL3_FORVALTNING, "value")})
# "All" is an option with a value of its own, never "" (which no option has, so a select given
# it would show its first option while meaning another).
ALL_FORVALTNINGAR = "alla"


def measure_section(item: MeasureFollowUp, standing: MeasureStanding | None = None,
                    year: int | None = None, revised: frozenset | set = frozenset()
                    ) -> html.Section:
    """A measure as it stood for the follow-up `year` (`item` cut at that year)."""
    info = item.info
    row = standing.latest if standing is not None else item.latest
    lineage = [
        html.Li(f"{link.kpi_id} {link.first_year}–{link.last_year or ''}: "
                f"{link.method or link.kpi_title}")
        for link in info.lineage
    ]
    header = [
        html.H2(info.name, id=info.id),
        definition_list([("Mätområde", info.question), ("Syfte", info.purpose)]),
        measure_status(item, row, standing, year),
    ]
    if row is not None:
        header.append(html.P([words.interval_text(item, row).capitalize(), ". ",
                              row.sample_note, " ", words.margin_unknown_note(row)],
                             className="card-note"))
    if row is not None and (standing is None or standing.current is not None) and (
            change := words.change_phrase(row)):
        probability = words.probability_phrase(row)
        header.append(html.P(f"Sedan förra mätningen: {change}"
                             + (f"; {probability}" if probability else "") + ".",
                             className="card-note"))
    if row is not None and row.kpi_title:
        header.append(html.P([f"Nyckeltalet {row.kpi_id} mäter: ", html.Q(row.kpi_title),
                              ". Strategins fråga står ovan under Mätområde."],
                             className="card-note"))
    if standing is not None and (note := words.standing_note(standing)):
        header.append(html.P(note, className="card-note"))
    if standing is not None and standing.own and row is not None:
        header.append(html.P(f"{words.own_label(row)}. {words.OWN_STATUS_NOTE}",
                             className="card-note"))
    extra = []
    if note := words.missing_latest_note(item):
        extra.append(html.P(note, className="card-note"))
    if lineage:
        extra.append(html.Details([html.Summary("Nyckeltal och metodbyten"), html.Ul(lineage)],
                                  className="lineage"))
    return html.Section([
        *header,
        chart_of(charts.measure_view(item), extra=extra,
                 export_query=addresses.query_string({addresses.YEAR: year})),
        *analyses(info.id, revised),
    ], className="measure-section", **{"aria-labelledby": info.id})


def measure_status(item: MeasureFollowUp, row: YearRow | None,
                   standing: MeasureStanding | None, year: int | None = None) -> html.P:
    """The statuses of the newest value, each linked to what it means; none that is live
    where the value is not current."""
    if row is not None and standing is not None and standing.current is None:
        return html.P([f"Status {row.year}: ", status_badge(
            words.NO_CURRENT_STATUS, term=words.NO_CURRENT_STATUS.key, year=year)],
            className="measure-status")
    versus = words.versus_of(item, row)
    return html.P([
        f"Status {row.year}: " if row is not None else "Status: ",
        status_badge(words.target_of(row), term=target_term(row), year=year), " ",
        status_badge(versus, term=versus.key, year=year) if versus else None, " ",
        status_badge(words.peer_of(item, row), term=PEER_TERM, year=year)
        if not item.info.is_survey else None,
    ], className="measure-status")


def analyses(measure_id: str, revised: frozenset | set = frozenset()) -> list:
    """The newest analysis of the measure, and earlier years' behind a disclosure. Drafts
    (utkast) are shown to administrators only; a fastställd one whose numbers changed since,
    (measure, year) in `revised`, is marked."""
    drafts = auth.admin_user() is not None
    texts = [t for t in queries.measure_analyses(runtime.engine(), measure_id)
             if drafts or t["state"] != "utkast"]
    if not texts:
        return []
    notes = [analysis_note(t["year"], t["body"], t["state"], t["updated_at"], t["updated_by"],
                           heading=html.H3 if i == 0 else html.H4,
                           revised=t["state"] == "fastställd"
                           and (measure_id, t["year"]) in revised)
             for i, t in enumerate(texts)]
    if len(notes) == 1:
        return notes
    return [notes[0], html.Details([html.Summary("Tidigare års analyser"), *notes[1:]],
                                   className="lineage earlier-analyses")]


def survey_detail(item: MeasureFollowUp, year: int, forvaltning_param: object = None
                  ) -> html.Section:
    """Per förvaltning (or the enheter of one, `?forv=`) for the newest survey up to the
    follow-up `year`, the distribution of answers, and HME beside the survey."""
    engine, settings = runtime.engine(), runtime.settings()
    page = addresses.with_year(f"/mal/{item.info.goal_number}", year)
    years = [y for y in queries.survey_years(engine, item.info.id) if y <= year]
    if not auth.allowed(auth.LOGIN):  # per unit only for those logged in, even when public
        # A förvaltning's name from the address is never repeated in an answer (it may be one
        # that is not shown); back to this year after logging in.
        why = [html.P(
            "Adressen väljer en förvaltning, men förvaltningar och enheter visas bara för "
            "inloggade. Logga in för att se dem; utan inloggning visas kommunens resultat ovan.",
            className="notice", id="survey-login-reason")] \
            if forvaltning_param not in (None, "", ALL_FORVALTNINGAR) else []
        return html.Section([
            html.H2("Medarbetarenkäten per förvaltning och enhet", id="per-forvaltning"),
            *why,
            login_needed("Medarbetarenkäten per förvaltning och enhet",
                         page + "#per-forvaltning"),
            *benchmark(item, year),
        ], className="measure-section survey-detail")
    if not years:
        return html.Section([html.H2("Medarbetarenkäten per förvaltning"),
                             html.P(f"Ingen enkät till och med {year}.")])
    survey_year = years[-1]
    names = charts.survey_forvaltningar(engine, settings, item.info, survey_year)
    # Only a förvaltning shown for the year can be chosen; anything else in the URL shows all.
    forvaltning = forvaltning_param if forvaltning_param in names else None
    content = [
        html.H2("Medarbetarenkäten per förvaltning och enhet", id="per-forvaltning"),
        html.P(f"Enkäten {survey_year}, den senaste till och med uppföljningsåret {year}."
               if survey_year != year else f"Enkäten {survey_year}.", className="lead-small"),
        html.P(f"Grupper med färre än {settings.anonymity_threshold} svarande visas inte, och "
               "inte heller en grupp som annars skulle kunna räknas fram ur de andra. Deras "
               "svar räknas ändå med i förvaltningen och kommunen.", className="notice"),
        html.Div([
            html.Div([
                html.Label("Förvaltning", htmlFor=ids.GOAL3_FORVALTNING),
                native.Select(
                    id=ids.GOAL3_FORVALTNING, value=forvaltning or ALL_FORVALTNINGAR,
                    options=[{"label": "Alla förvaltningar", "value": ALL_FORVALTNINGAR}]
                    + [{"label": name, "value": name} for name in names],
                    className="form-select unit-select"),
            ]),
        ], className="survey-controls"),
        html.Div(id=ids.GOAL3_UNITS,
                 children=survey_units(item.info, survey_year, forvaltning, year)),
        urlstate.rendered({"forv": forvaltning or ALL_FORVALTNINGAR}),
        *benchmark(item, year),
    ]
    return html.Section(content, className="measure-section survey-detail")


def benchmark(item: MeasureFollowUp, year: int) -> list:
    """The measure's benchmark KPI (HME) against the measuring municipalities, beside the
    survey year by year, up to the follow-up `year`."""
    engine, settings = runtime.engine(), runtime.settings()
    if not item.info.benchmark_kpi_id:
        return []
    kpi = queries.kpi_info(engine, item.info.benchmark_kpi_id)
    stats = charts.benchmark_stats(engine, settings, item.info)
    return [
        html.H2("Jämförelse: HME", id="hme"),
        html.P(f"{kpi['title']}. Mäts vartannat år, liksom medarbetarenkäten, och jämförs "
               "med medelvärdet av de kommuner som mätte samma år.", className="lead-small"),
        side_by_side(item, stats.loc[stats["year"] <= year], item.municipality),
        chart_of(charts.benchmark_view(engine, settings, item.info, year),
                 export_query=addresses.query_string({addresses.YEAR: year})),
    ]


def survey_units(info, year: int, forvaltning: str | None = None,
                 follow_up_year: int | None = None) -> list:
    """The förvaltningar (or one förvaltning's enheter) and the distribution for one survey
    year; their downloads carry the page's follow-up year, as every link does."""
    engine, settings = runtime.engine(), runtime.settings()
    query = addresses.query_string({addresses.YEAR: follow_up_year})
    units = charts.survey_units(engine, settings, info, year, forvaltning)
    blocks: list = [html.P([example_tag(), " Svaren är påhittade."]) if units.example else None]
    if units.units.empty:
        blocks.append(html.P(f"Inga enheter i {units.parent_name} kan visas {year}: de har "
                             "för få svarande var för sig.", className="card-note"))
        table, numeric = charts.survey_unit_table(units.listed)
        blocks.append(table_view(table, units.caption, numeric=numeric))
    else:
        blocks.append(chart_of(charts.survey_units_view(engine, settings, info, year,
                                                        forvaltning), export_query=query))
    try:
        blocks.append(chart_of(charts.distribution_view(engine, settings, info, year,
                                                        forvaltning), export_query=query))
    except KeyError as missing:  # no stored row, or a file with means only
        blocks.append(html.P(missing.args[0], className="card-note"))
    return blocks


def side_by_side(item: MeasureFollowUp, hme: pd.DataFrame, municipality: str
                 ) -> html.Div:
    """The survey and HME year by year in one table; "ingen mätning" where a year has none."""
    survey = item.frame.loc[item.frame["value"].notna(), ["year", "value", "respondents"]]
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
    caption = "Medarbetarenkäten och HME år för år"
    return html.Div(scrolling_table(html.Table([
        html.Caption(caption),
        html.Thead(html.Tr([html.Th(c, scope="col") for c in table.columns])),
        html.Tbody([html.Tr([html.Th(str(row[0]), scope="row"),
                             *[html.Td(v, className="num") for v in row[1:]]])
                    for row in table.itertuples(index=False)]),
    ], className="data-table"), caption), className="side-by-side")


def later_values_note(items: list[MeasureFollowUp], year: int) -> html.P | None:
    """Says that values after the follow-up year exist but are left out of this page."""
    if not any(r.year > year and r.has_value for item in items
               for r in (*item.rows, *item.own_rows)):
        return None
    return html.P(f"Sidan visar det som var känt för uppföljningsåret {year}. Värden efter "
                  "uppföljningsåret visas inte här och ingår inte i någon status: välj ett "
                  "senare uppföljningsår för att se dem.", className="notice later-values")


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
    every = queries.goal_followups(engine, settings)
    items = [item for item in every if item.info.goal_number == goal.number]
    years = verdicts.follow_up_years(every)
    year = addresses.int_param(ar, years, verdicts.default_year(every)) if years else None
    heading = [html.P(html.A("← Översikt", href=addresses.with_year("/", year)),
                      className="breadcrumb"),
               html.H1(f"Mål {goal.number}: {goal.title}")]
    if year is None:
        return html.Div([*heading, html.P("Ingen mätning ännu.")])
    known = [item.until(year) for item in items]  # what was known for the year, nothing later
    verdict = verdicts.goal_verdict(int(goal.number), known, year)
    standings = {s.item.info.id: s for s in verdict.standings}
    strategy = queries.strategy_info(engine, settings.municipality)
    revised = queries.texts_out_of_date(engine, strategy.municipality_id)
    sections = [measure_section(item, standings.get(item.info.id), year, revised)
                for item in known]
    scope = analysis.goal_scope(int(goal.number))
    if not strategy.example_of and any(item.info.is_survey for item in known):
        sections.append(survey_detail(next(i for i in known if i.info.is_survey), year, forv))
    return html.Div([
        *heading,
        year_choice(year, years, f"/mal/{goal.number}"),
        verdict_line(verdict, measures_link=False),
        verdict_rule(year),
        adopted_text_section(queries.assessment_text(engine, scope, year), scope, year,
                             drafts=auth.admin_user() is not None,
                             revised=(scope, year) in revised),
        later_values_note(items, year),
        *sections,
        html.Section([html.H2(f"Årsrapport {year}", id="arsrapport"), *report_links(year)],
                     className="goal-section downloads", **{"aria-labelledby": "arsrapport"})
        if year else None,
    ])
