"""Analystexter: the yearly text about a measure, a goal or the whole year (Samlad bedömning),
with its state (utkast → granskad → fastställd) and the numbers it is about. Scope and year
live in the URL (`?matt=&ar=`; `matt` is a measure's id, "mal-N" or "samlad")."""

from __future__ import annotations

import dash
from dash import Input, Output, State, html

from dashboard.present import addresses, words
from dashboard.store import queries, runtime
from dashboard.store.analysis import current_text
from dashboard.tasks import jobs
from dashboard.web import auth, urlstate
from dashboard.web.callbacks import callback
from dashboard.web.components import native
from dashboard.web.components.admin import (
    ANALYSIS_STATES,
    analysis_note,
    field,
    message,
    refusal,
    select,
    text_title,
)
from dashboard.web.components.common import scrolling_table, status_badge
from etl import analysis, clock
from etl.errors import MalbildError
from etl.followup import verdict as verdicts
from etl.followup.records import MeasureFollowUp

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
NUMBER_COLUMNS = ("Mått", "Värde", "95 %-intervall", "Medel, jämförda kommuner", "Mål",
                  "Sedan förra mätningen", "Mot målet")


def scope_options(engine) -> list[dict]:
    """The year's Samlad bedömning, each goal, each measure."""
    options = [{"label": "Samlad bedömning (hela året)", "value": analysis.YEAR_SCOPE}]
    options += [{"label": f"Mål {int(g.number)}: {g.title}",
                 "value": analysis.goal_scope(int(g.number))}
                for g in queries.goals(engine).itertuples()]
    options += [{"label": f"Mål {m.goal_number}, mått: {m.name}", "value": m.id}
                for m in queries.measures(engine)]
    return options


def follow_up_years(items: list[MeasureFollowUp], written: list[int]) -> list[int]:
    """Every year from the first follow-up to the last (or last year), newest first: a text
    may explain a year without a value of its own."""
    known = verdicts.follow_up_years(items) + written
    last = clock.today().year - 1
    first = min(known, default=last)
    return sorted(set(range(first, max([last, *known]) + 1)), reverse=True)


def scope_items(items: list[MeasureFollowUp], scope: str) -> list[MeasureFollowUp]:
    goal = analysis.goal_of(scope)
    if scope == analysis.YEAR_SCOPE:
        return items
    if goal is not None:
        return [item for item in items if item.info.goal_number == goal]
    return [item for item in items if item.info.id == scope]


def _number_row(standing: verdicts.MeasureStanding) -> html.Tr:
    """A measure's numbers for the follow-up year, in the words the pages use."""
    item, row, year = standing.item, standing.latest, standing.year
    if row is None:
        cells = [f"inget värde {year}", "–", "–", "–", "–", "–"]
    else:
        value = words.row_value(item, row) + (" (exempeldata)" if row.is_example else "")
        if row.year != year:
            value = f"{value}, {row.year}; inget värde {year}"
        # An older value, or one by a method no longer used, gets no live status (as on the
        # overview).
        status = words.target_of(row) if standing.current is not None \
            else words.NO_CURRENT_STATUS
        interval = words.interval_text(item, row).removeprefix("95\u00a0%-intervall ")
        cells = [value, interval,
                 words.value_text(item.info, row.comparison_mean)
                 if row.comparison_mean is not None else "–",
                 words.value_text(item.info, row.target) if row.target is not None else "–",
                 words.change_cell(row), status_badge(status)]
    return html.Tr([html.Th(item.info.name, scope="row"), *[html.Td(c) for c in cells]])


def numbers(items: list[MeasureFollowUp], scope: str, year: int) -> html.Section:
    """What the text is about: the goals' verdicts and the measures' numbers for `year`."""
    chosen = scope_items(items, scope)
    lines = []
    if not analysis.is_measure(scope):
        for goal in sorted({item.info.goal_number for item in chosen}):
            verdict = verdicts.goal_verdict(
                goal, [i for i in chosen if i.info.goal_number == goal], year)
            lines.append(html.Li([f"Mål {goal}: ", status_badge(words.verdict(verdict)),
                                  f" ({words.verdict_counts(verdict)})."]))
    table = html.Table([
        html.Caption(f"Siffrorna {year} som texten handlar om"),
        html.Thead(html.Tr([html.Th(c, scope="col") for c in NUMBER_COLUMNS])),
        html.Tbody([_number_row(verdicts.standing(item, year)) for item in chosen]),
    ], className="data-table analysis-numbers")
    return html.Section([
        html.H2(f"Siffrorna {year}", id="siffrorna"),
        html.Ul(lines, className="answer-first") if lines else None,
        scrolling_table(table, f"Siffrorna {year} som texten handlar om"),
    ], **{"aria-labelledby": "siffrorna"})


def shown_text(text: dict | None, year: int, scope: str) -> list:
    if not text or not text["body"]:
        return [html.P("Ingen text ännu för året.", className="hint")]
    return [analysis_note(year, text["body"], text["state"], text["updated_at"],
                          text["updated_by_name"], title=text_title(scope, year))]


def layout(matt: str | None = None, ar: str | None = None, **_query) -> html.Div:
    engine, settings = runtime.engine(), runtime.settings()
    options = scope_options(engine)
    labels = {o["value"]: o["label"] for o in options}
    scope = matt if matt in labels else next(
        (o["value"] for o in options if analysis.is_measure(o["value"])), options[0]["value"])
    items = queries.goal_followups(engine, settings)
    written = [t["year"] for t in analysis.texts(engine, scope)]
    years = follow_up_years(items, written)
    year = addresses.int_param(ar, years, verdicts.default_year(items) or years[0])
    text = current_text(engine, scope, year)
    separate = ("En annan administratör än den som skrev texten fastställer den."
                if settings.require_separate_approver else "")
    return html.Div([
        urlstate.rendered({"matt": scope, "ar": year}),
        html.P(html.A("← Administration", href="/admin"), className="breadcrumb"),
        html.H1("Analystexter"),
        html.P("Årets analys av ett mått visas under måttet på målsidan, målets text överst på "
               "målsidan och den samlade bedömningen på översikten; alla i årsrapporten. "
               "Utkast visas bara för administratörer; granskade analyser av mått visas för "
               "alla med sitt läge, texter om mål och året bara när de är fastställda.",
               className="lead"),
        html.Div([
            select(MEASURE, "Text om", options, scope),
            select(YEAR, "År", [{"label": str(y), "value": str(y)} for y in years], str(year),
                   hint="Varje uppföljningsår, också ett utan värde för måttet."),
        ], className="control-grid admin-grid"),
        numbers(items, scope, year),
        html.Section([
            html.H2(f"{labels[scope]} {year}", id="text-rubrik"),
            field(BODY, "Analys", native.Textarea(
                id=BODY, value=text["body"] if text else "", rows=12,
                className="form-control analysis-input"), HINT),
            select(STATE, "Läge", [{"label": label, "value": key}
                                   for key, label in analysis.STATES.items()],
                   text["state"] if text else "utkast",
                   hint="Utkast → granskad → fastställd. En fastställd text ändras inte; sätt "
                        "den till utkast eller granskad för att ändra den. " + separate),
            html.Button("Spara texten", id=SAVE, className="button", type="button"),
            html.Div(id=FEEDBACK, role="status", **{"aria-live": "polite"}),
        ], className="admin-form", **{"aria-labelledby": "text-rubrik"}),
        html.Section([
            html.H2("Så här visas texten", id="forhandsvisning"),
            html.Div(shown_text(text, year, scope), id=SHOWN, className="analysis-preview"),
        ], **{"aria-labelledby": "forhandsvisning"}),
    ])


@callback(Output(FEEDBACK, "children"), Output(SHOWN, "children"),
          Input(SAVE, "n_clicks"), State(MEASURE, "value"), State(YEAR, "value"),
          State(BODY, "value"), State(STATE, "value"), prevent_initial_call=True)
def _save_analysis(clicks, scope, year, body, state):
    user = auth.admin_user()
    if user is None:
        return refusal(), dash.no_update
    if not clicks:
        return dash.no_update, dash.no_update
    engine = runtime.engine()
    try:
        changed = analysis.save_analysis(
            engine, scope, int(year), body or "", state, actor=user.username,
            separate_approver=runtime.settings().require_separate_approver)
    except (MalbildError, ValueError, TypeError) as exc:
        text = exc.explain() if isinstance(exc, MalbildError) else "välj text och år."
        return message(["Texten sparades inte: ", text], "error"), dash.no_update
    if changed:
        jobs.data_changed(engine, runtime.settings())
    text = current_text(engine, scope, int(year))
    words_ = ANALYSIS_STATES.get(state, state).split(",")[0].lower()
    feedback = (message(f"Sparat ({words_}).", "ok") if changed
                else message("Texten och läget är oförändrade; inget sparades."))
    return feedback, shown_text(text, int(year), scope)
