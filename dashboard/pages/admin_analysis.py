"""Analystexter: the yearly analysis of a measure, with its state (utkast → granskad →
fastställd). Measure and year live in the URL (`?matt=&ar=`)."""

from __future__ import annotations

from datetime import date

import dash
from dash import Input, Output, State, callback, html

from dashboard import auth, queries, runtime, urlstate
from dashboard.components import native
from dashboard.components.admin import (
    ANALYSIS_STATES,
    analysis_note,
    field,
    message,
    refusal,
    select,
)
from etl import analysis
from etl.errors import MalbildError

ACCESS = auth.ADMIN

dash.register_page(__name__, path="/admin/analys", name="Analystexter",
                   title="Analystexter – Målbild", order=33)

MEASURE = "admin-analysis-measure"
YEAR = "admin-analysis-year"
BODY = "admin-analysis-body"
STATE = "admin-analysis-state"
SAVE = "admin-analysis-save"
FEEDBACK = "admin-analysis-feedback"
SHOWN = "admin-analysis-shown"

urlstate.sync_to_url({"matt": (MEASURE, "value"), "ar": (YEAR, "value")})

HINT = ("Vanlig text. Tom rad ger nytt stycke; rader som börjar med «- » blir en punktlista "
        "och «1. » en numrerad lista; **fet** och *kursiv*. Annat, också HTML, visas som det "
        "är skrivet.")


def _years(engine, info) -> list[int]:
    item = queries.measure_followup(engine, runtime.settings(), info.id)
    measured = [row.year for row in item.rows if row.has_value]
    written = [t["year"] for t in analysis.texts(engine, info.id)]
    this_year = date.today().year
    return sorted(set(measured) | set(written) | {this_year - 1, this_year}, reverse=True)


def shown_text(text: dict | None, year: int) -> list:
    if not text or not text["body"]:
        return [html.P("Ingen text ännu för året.", className="hint")]
    return [analysis_note(year, text["body"], text["state"], text["updated_at"],
                          text["updated_by_name"])]


def layout(matt: str | None = None, ar: str | None = None, **_query) -> html.Div:
    engine = runtime.engine()
    infos = queries.measures(engine)
    chosen = next((m for m in infos if m.id == matt), infos[0])
    years = _years(engine, chosen)
    item = queries.measure_followup(engine, runtime.settings(), chosen.id)
    default = item.latest.year if item.latest is not None else years[0]
    year = urlstate.int_param(ar, years, int(default))
    with engine.connect() as connection:
        text = analysis.current(connection, chosen.id, year)
    return html.Div([
        urlstate.rendered({"matt": chosen.id, "ar": year}),
        html.P(html.A("← Administration", href="/admin"), className="breadcrumb"),
        html.H1("Analystexter"),
        html.P("Årets analys av ett mått visas under måttet på målsidan och i årsrapporten. "
               "Utkast visas bara för administratörer; granskade och fastställda texter visas "
               "för alla med sitt läge.", className="lead"),
        html.Div([
            select(MEASURE, "Mått", [{"label": f"Mål {m.goal_number}: {m.name}", "value": m.id}
                                     for m in infos], chosen.id),
            select(YEAR, "År", [{"label": str(y), "value": str(y)} for y in years], str(year)),
        ], className="control-grid admin-grid"),
        html.Section([
            html.H2(f"{chosen.name} {year}", id="text-rubrik"),
            field(BODY, "Analys", native.Textarea(
                id=BODY, value=text["body"] if text else "", rows=12,
                className="form-control analysis-input"), HINT),
            select(STATE, "Läge", [{"label": label, "value": key}
                                   for key, label in analysis.STATES.items()],
                   text["state"] if text else "utkast",
                   hint="Utkast → granskad → fastställd. En fastställd text ändras inte; sätt "
                        "den till utkast eller granskad för att ändra den."),
            html.Button("Spara texten", id=SAVE, className="button", type="button"),
            html.Div(id=FEEDBACK, role="status", **{"aria-live": "polite"}),
        ], className="admin-form", **{"aria-labelledby": "text-rubrik"}),
        html.Section([
            html.H2("Så här visas texten", id="forhandsvisning"),
            html.Div(shown_text(text, year), id=SHOWN, className="analysis-preview"),
        ], **{"aria-labelledby": "forhandsvisning"}),
    ])


@callback(Output(FEEDBACK, "children"), Output(SHOWN, "children"),
          Input(SAVE, "n_clicks"), State(MEASURE, "value"), State(YEAR, "value"),
          State(BODY, "value"), State(STATE, "value"), prevent_initial_call=True)
def _save_analysis(clicks, measure_id, year, body, state):
    user = auth.admin_user()
    if user is None:
        return refusal(), dash.no_update
    if not clicks:
        return dash.no_update, dash.no_update
    engine = runtime.engine()
    try:
        changed = analysis.save_analysis(engine, measure_id, int(year), body or "", state,
                                         actor=user.username)
    except (MalbildError, ValueError, TypeError) as exc:
        text = exc.explain() if isinstance(exc, MalbildError) else "välj mått och år."
        return message(["Texten sparades inte: ", text], "error"), dash.no_update
    with engine.connect() as connection:
        text = analysis.current(connection, measure_id, int(year))
    words = ANALYSIS_STATES.get(state, state).split(",")[0].lower()
    feedback = (message(f"Sparat ({words}).", "ok") if changed
                else message("Texten och läget är oförändrade; inget sparades."))
    return feedback, shown_text(text, int(year))
