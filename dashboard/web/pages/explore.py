"""Utforska: any KPI over the years against chosen peers, the spread of all measuring
municipalities, and women/men. Every selection lives in the URL."""

from __future__ import annotations

import json

import dash
import pandas as pd
from dash import Input, Output, State, dcc, html

from dashboard.present import addresses, exploration, explore_charts
from dashboard.present import formatting as fmt
from dashboard.present.exploration import OWN_LIST
from dashboard.store import queries, runtime
from dashboard.web import urlstate
from dashboard.web.callbacks import callback, clientside_callback
from dashboard.web.components import native
from dashboard.web.components.admin import select
from dashboard.web.components.common import chart_of, status_badge

dash.register_page(__name__, path="/utforska", name="Utforska", title="Utforska – Målbild",
                   order=2, in_nav=True)

KPI = "explore-kpi"
SEARCH = "explore-search"
GROUP = "explore-group"
FIRST = "explore-first-year"
LAST = "explore-last-year"
SPREAD = "explore-spread-year"
OPTIONS = "explore-options"
ADD_INPUT = "explore-add-municipality"
ADD_BUTTON = "explore-add-button"
ADD_FEEDBACK = "explore-add-feedback"
DATALIST = "explore-municipality-list"

urlstate.sync_to_url({"kpi": (KPI, "value"), "jmf": (GROUP, "value"), "fran": (FIRST, "value"),
                      "till": (LAST, "value"), "ar": (SPREAD, "value"),
                      "visa": (OPTIONS, "value")})
urlstate.sync_to_url({"kon": ("explore-gender", "value")})


MAX_SEARCH_CHARACTERS = 100  # as many as the search field takes
MAX_SEARCH_WORDS = 10


def search_words(search: object) -> list[str]:
    """The words searched for: those of the first MAX_SEARCH_CHARACTERS, each once, at most
    MAX_SEARCH_WORDS (a callback may be sent anything)."""
    text = search[:MAX_SEARCH_CHARACTERS] if isinstance(search, str) else ""
    return list(dict.fromkeys(text.lower().split()))[:MAX_SEARCH_WORDS]


def kpi_options(catalogue: pd.DataFrame, search: object = "", keep: str | None = None) -> list:
    """KPIs grouped by operating area (a disabled heading option before each group)."""
    words = search_words(search)
    by_area: dict[str, list[dict]] = {}
    for kpi_id, title, area in zip(catalogue["id"], catalogue["title"],
                                   catalogue["operating_area"], strict=True):
        label = f"{kpi_id} {title}"
        if kpi_id == keep or all(w in label.lower() for w in words):
            by_area.setdefault(area, []).append({"label": label, "value": kpi_id})
    options = []
    for area in sorted(by_area):
        options.append({"label": f"— {area or 'Övrigt'} —", "value": f"area:{area}",
                        "disabled": True})
        options += by_area[area]
    return options


def controls(view: exploration.ExploreView, catalogue: pd.DataFrame, groups: pd.DataFrame,
             kommuner: pd.DataFrame) -> html.Section:
    state = view.state
    year_options = [{"label": str(y), "value": str(y)} for y in view.all_years]
    group_options = [{"label": f"{g.title} ({g.size})", "value": g.id}
                     for g in groups.itertuples()]
    group_options.append({"label": "Egen lista av kommuner", "value": OWN_LIST})
    own = [html.Li([view.names.get(m, m), " ",
                    dcc.Link(["Ta bort", html.Span(f" {view.names.get(m, m)}",
                                                   className="visually-hidden")],
                             href="/utforska" + addresses.query_string(
                                 {**state.to_query(),
                                  "kommuner": [x for x in state.own if x != m]}))])
           for m in state.own]
    checks = [{"label": "Visa varje jämförelsekommun (högst 12)", "value": "kommuner"}]
    gender_control = []
    if view.kpi["is_divided_by_gender"]:
        gender_control = [native.Checklist(
            id="explore-gender", options=[{"label": "Visa kvinnor och män", "value": "1"}],
            value=["1"] if state.show_gender else [], className="checks")]
    return html.Section([
        html.H2("Välj nyckeltal och jämförelse", id="val"),
        html.P("Vyn sparas i adressfältet: kopiera adressen för att dela eller spara den.",
               className="hint"),
        html.Div([
            html.Div([
                html.Label("Sök nyckeltal (id eller ord i namnet)", htmlFor=SEARCH),
                native.Input(id=SEARCH, type="search", value="", debounce=True,
                             autoComplete="off", maxLength=MAX_SEARCH_CHARACTERS,
                             className="form-control"),
            ], className="control"),
            select(KPI, "Nyckeltal", kpi_options(catalogue, keep=state.kpi), state.kpi),
            select(GROUP, "Jämför med", group_options, state.group,
                   hint="Kolada-grupper räknas som ovägt medelvärde av medlemmarna som mätte."),
            select(FIRST, "Från år", year_options, str(state.first_year)),
            select(LAST, "Till år", year_options, str(state.last_year)),
            select(SPREAD, "År för spridningen", [o for o in year_options if
                                                  state.first_year <= int(o["value"])
                                                  <= state.last_year],
                   str(state.spread_year)),
        ], className="control-grid"),
        html.Div([
            html.Label("Lägg till kommun i egen lista", htmlFor=ADD_INPUT),
            html.Div([
                native.Input(id=ADD_INPUT, type="text", list=DATALIST, autoComplete="off",
                             placeholder="Skriv namn eller kommunkod",
                             className="form-control"),
                html.Button("Lägg till", id=ADD_BUTTON, className="button", type="button"),
            ], className="inline"),
            # The 290 options are made when the field first gets focus (assets/on-demand.js).
            html.Datalist(id=DATALIST, **{"data-options": json.dumps(
                [f"{k.title} ({k.id})" for k in kommuner.itertuples()], ensure_ascii=False)}),
            html.P(exploration.OWN_LEFT_OUT if state.own_left_out else None, id=ADD_FEEDBACK,
                   className="hint", role="status"),
            html.Ul(own, className="chosen") if own else None,
        ], className="control own-list"),
        native.Checklist(id=OPTIONS, options=checks,
                         value=["kommuner"] if state.show_peers else [], className="checks"),
        *gender_control,
    ], className="explore-controls", **{"aria-labelledby": "val"})



@callback(Output(KPI, "options"), Input(SEARCH, "value"), State(KPI, "value"),
          prevent_initial_call=True)
def _filter_kpis(search: object, current: object) -> list:
    return kpi_options(queries.kpi_catalogue(runtime.engine()), search,
                       keep=current if isinstance(current, str) else None)


# Adding a municipality to the own list is done in the browser (the list of names is on the
# page): no request to the server, and none when the page is first drawn.
clientside_callback(
    """
    function(clicks, submits, text, search) {
        const skip = window.dash_clientside.no_update;
        if (!clicks && !submits) { return [skip, skip]; }
        const typed = (text || "").trim();
        const list = document.getElementById("DATALIST");
        const values = list.dataset.options ? JSON.parse(list.dataset.options)
            : [...list.options].map(option => option.value);
        const kommuner = values.map(value => /^(.*) \\((\\d{4})\\)$/.exec(value))
            .filter(Boolean).map(found => ({name: found[1], id: found[2]}));
        const code = (/\\b(\\d{4})\\b/.exec(typed) || [])[1];
        const name = typed.replace(/\\s*\\(.*\\)\\s*$/, "").toLowerCase();
        const match = kommuner.find(k => k.id === code)
            || kommuner.find(k => k.name.toLowerCase() === name);
        if (!match) { return [skip, "Hittar ingen kommun som heter «" + typed + "»."]; }
        const params = new URLSearchParams(search || "");
        const own = (params.get("kommuner") || "").split(",").filter(Boolean);
        if (!own.includes(match.id) && own.length >= MAX_OWN) {
            return [skip, "Den egna listan kan ha högst MAX_OWN kommuner; ta bort en först."];
        }
        if (!own.includes(match.id)) { own.push(match.id); }
        params.set("kommuner", own.join(","));
        params.set("jmf", "OWN_LIST");
        return ["?" + params.toString().replace(/%2C/g, ","), ""];
    }
    """.replace("DATALIST", DATALIST).replace("OWN_LIST", OWN_LIST)
    .replace("MAX_OWN", str(exploration.MAX_OWN)),
    Output(urlstate.PAGE_LOCATION, "search", allow_duplicate=True),
    Output(ADD_FEEDBACK, "children"),
    Input(ADD_BUTTON, "n_clicks"), Input(ADD_INPUT, "n_submit"),
    State(ADD_INPUT, "value"), State(urlstate.PAGE_LOCATION, "search"),
    prevent_initial_call=True)


def layout(**query) -> html.Div:
    engine, settings = runtime.engine(), runtime.settings()
    view = exploration.build_view(engine, settings, query)
    catalogue = queries.kpi_catalogue(engine)
    groups = queries.municipality_groups(engine)
    kommuner = queries.kommuner(engine)
    kpi = view.kpi
    # The downloads name the view by the same query string as the address.
    query = addresses.query_string(view.state.to_query())
    sections = [
        html.H2(f"{kpi['id']} {kpi['title']}", id="nyckeltal"),
        html.P([kpi["operating_area"], " · ", exploration.DIRECTION_WORDS[kpi["direction"]],
                " · Status senaste året: ", status_badge(view.peer_status()),
                " (exempeldata)" if view.latest_is_example else None],
               className="kpi-meta"),
        html.Details([html.Summary("Om nyckeltalet"), html.P(kpi["description"] or "–")],
                     className="lineage"),
        html.H3("Utveckling över tid"),
        chart_of(explore_charts.trend_view(view), export_query=query),
        html.H3("Spridning mellan kommunerna"),
        chart_of(explore_charts.spread_view(view), export_query=query),
    ]
    if view.gender is not None and view.state.show_gender:
        sections += [html.H3("Kvinnor och män"),
                     chart_of(explore_charts.gender_view(view), export_query=query)]
    return html.Div([
        urlstate.rendered(view.state.to_query()),
        html.H1("Utforska nyckeltal"),
        html.P(f"Jämför {view.home_name} med andra kommuner i alla nyckeltal i databasen. "
               f"Antal kommuner som mätte anges som n.", className="lead"),
        controls(view, catalogue, groups, kommuner),
        html.Section(sections, className="explore-results",
                     **{"aria-labelledby": "nyckeltal"}),
        html.P(f"Senast inläst: {fmt.iso_date(queries.last_import(engine)['started_at'])}"
               if queries.last_import(engine) else "", className="hint"),
    ], id="explore-view", **{"data-state": addresses.query_string(view.state.to_query())})
