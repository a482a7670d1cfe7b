"""Importera data: upload a Kolada file, a staff-survey export or test contacts, see what would
change, confirm.

Both callbacks are glue between the upload and `dashboard.web.uploads` (which calls the same
import pipelines as the command line); both check themselves that an administrator asks.
"""

from __future__ import annotations

import json

import dash
import pandas as pd
from dash import Input, Output, State, dcc, html, no_update

from dashboard.present import formatting as fmt
from dashboard.store import runtime
from dashboard.web import auth, orders, uploads
from dashboard.web.callbacks import callback
from dashboard.web.components import native, progress
from dashboard.web.components.admin import field, message, refusal, select
from dashboard.web.components.common import table_view
from etl import digits, numbers
from etl.errors import MalbildError
from etl.progress import Progress, silent

ACCESS = auth.ADMIN

dash.register_page(__name__, path="/admin/import", name="Importera data",
                   title="Importera data – Målbild", order=31)

KIND = "admin-import-kind"
YEAR = "admin-import-year"
UPLOAD = "admin-import-file"
PREVIEW = "admin-import-preview"
CONFIRM = "admin-import-confirm"
CANCEL = "admin-import-cancel"
RESULT = "admin-import-result"
TICKET = "admin-import-ticket"
ORDER = "admin-import-order"
PROGRESS = "admin-import-progress"
GENDERS = {"T": "totalt", "K": "kvinnor", "M": "män"}
# Why a survey or contacts file is refused whole for one bad row (the CLI says the same).
WHOLE_FILE = {
    "enkat": "En medarbetarenkät läses in hel eller inte alls: utan en felaktig rad skulle "
             "antalet svarande och medelvärdena ändras, och anonymitetsgränsen prövas på dem. "
             "Rätta raden i filen och välj den igen.",
    "kontakter": "Testkontakterna läses in hela eller inte alls: utan en felaktig rad skulle "
                 "årets andelar räknas på färre kontakter än som skickades. Rätta raden i "
                 "filen och välj den igen.",
}


def _table(rows: list[dict], columns: dict[str, str], caption: str) -> html.Details:
    frame = pd.DataFrame(rows, columns=list(columns)).rename(columns=columns)
    return table_view(frame.astype(object).where(frame.notna(), "–"), caption, open_=True)


def _counts(counts: dict[str, int]) -> html.Dl:
    items = []
    for term, number in counts.items():
        items += [html.Dt(term.capitalize()), html.Dd(fmt.count(number))]
    return html.Dl(items, className="facts counts")


def _coded(code: str, name: str) -> str:
    """"1277 Åstorp", "N00640 Webbinformation …": the code as in the file, the name beside it."""
    return f"{code} {name}".strip()


def _with_names(row: dict) -> dict:
    return {**row, "kpi_id": _coded(row["kpi_id"], row.get("kpi_title", "")),
            "municipality_id": _coded(row["municipality_id"], row.get("municipality_name", "")),
            "gender": GENDERS.get(row["gender"], row["gender"])}


def _value(v, decimals: int | None = None) -> str:
    """A value as in the file: with its own decimals (at least one), or with `decimals`."""
    if v is None or pd.isna(v):
        return "–"
    if decimals is None:
        decimals = min(max(numbers.written_decimals(v), 1), 4)
    return fmt.number(float(v), decimals)


def preview_view(shown: uploads.Preview) -> list:
    """The preview: counts, samples of new and changed values, rejected rows with reasons."""
    blocks = [html.H2("Förhandsgranskning", id="forhandsgranskning"),
              html.P(["Fil: ", html.Strong(shown.filename), f" ({uploads.KINDS[shown.kind]})"]),
              _counts(shown.counts)]
    if shown.summary:
        blocks.append(html.P(shown.summary))
    if shown.replaces and shown.kind == "kontakter":
        blocks.append(message(f"Importen ersätter testkontakter som lästes in från "
                              f"{shown.replaces}. De gamla kontakterna finns kvar i loggen.",
                              "info"))
    elif shown.replaces:
        blocks.append(message(f"Importen ersätter medarbetarenkäten {shown.year} som lästes in "
                              f"från {shown.replaces}. Det gamla resultatet finns kvar i loggen.",
                              "info"))
    if shown.kind == "kontakter":
        blocks += [html.H3("Testkontakter per år"), _table(
            shown.years,
            {"year": "År", "status": "Ändring", "contacts": "Kontakter",
             "channels": "Per kanal", "replaced": "Ersätter"},
            "Testkontakter per år och kanal")]
    elif shown.kind == "kolada":
        if shown.rejected_total:
            more = (f" (de första {len(shown.rejected)} visas)"
                    if shown.rejected_total > len(shown.rejected) else "")
            blocks += [
                html.H3(f"Avvisade rader: {fmt.count(shown.rejected_total)}{more}"),
                html.P("Raderna nedan läses inte in. Välj «Importera de giltiga raderna» för "
                       "att spara resten, eller «Avbryt», rätta raderna i filen och välj den "
                       "igen. Ingenting sparas förrän du väljer.", className="hint"),
                _table([{**r, "row": str(r["row"]), "sheet": r["sheet"] or "–"}
                        for r in shown.rejected],
                       {"file": "Fil", "sheet": "Blad", "row": "Rad", "column": "Kolumn",
                        "value": "Värde", "reason": "Skäl"},
                       "Avvisade rader"),
            ]
        if shown.added:
            blocks += [html.H3("Nya värden (urval)"), _table(
                [{**_with_names(r), "value": _value(r["value"])} for r in shown.added],
                {"kpi_id": "Nyckeltal", "municipality_id": "Kommun", "year": "År",
                 "gender": "Kön", "value": "Värde"}, "Nya värden")]
        if shown.updated:
            blocks += [html.H3("Ändrade värden (urval)"), _table(
                [{**_with_names(r), "value_old": _value(r["value_old"]),
                  "value": _value(r["value"])} for r in shown.updated],
                {"kpi_id": "Nyckeltal", "municipality_id": "Kommun", "year": "År",
                 "gender": "Kön", "value_old": "Tidigare", "value": "Nytt"}, "Ändrade värden")]
    else:
        blocks += [html.H3(f"Enheter {shown.year}"), _table(
            [{**u, "respondents": "–" if u["respondents"] is None else str(u["respondents"]),
              "mean": _value(u["mean"], 2), "old_mean": _value(u["old_mean"], 2)}
             for u in shown.units],
            {"status": "Ändring", "level": "Nivå", "forvaltning": "Förvaltning",
             "enhet": "Enhet", "respondents": "Svarande (n)", "mean": "Medelvärde",
             "old_mean": "Tidigare medelvärde"},
            f"Medarbetarenkät {shown.year} per enhet")]
    return blocks


def layout(**_query) -> html.Div:
    settings = runtime.settings()
    limit = uploads.megabytes(settings.upload_max_bytes)
    return html.Div([
        html.P(html.A("← Administration", href="/admin"), className="breadcrumb"),
        html.H1("Importera data"),
        html.P(f"Välj vad filen innehåller och sedan filen (högst {limit}). Målbild kontrollerar "
               "filen och visar vad som skulle ändras innan något sparas. Samma kontroller "
               "görs som för «malbild etl file», «malbild etl survey» och «malbild etl contacts».",
               className="lead"),
        html.P("Kolada-värden: CSV med kolumnerna kpi, municipality, period, gender och value, "
               "eller det man laddar ner från Koladas webb (Excel eller CSV, år som kolumner). "
               "Medarbetarenkät: exporten från enkätverktyget, en rad per svarande eller per "
               "enhet. Testkontakter (egen mätning): en rad per kontakt med kanal (e-post, "
               "telefon eller brev), skickad, besvarad, handläggare (ja/nej) och bemötande "
               "(1–4); ett år som redan finns ersätts av filens kontakter.", className="hint"),
        html.Div([
            select(KIND, "Vad innehåller filen?",
                   [{"label": text, "value": key} for key, text in uploads.KINDS.items()],
                   "enkat"),
            # Only a survey file may need its year: style.css shows the field only while the
            # survey is chosen (no round trip to the server for it).
            html.Div(field(YEAR, "Enkätår (om det inte står i filen)",
                           native.Input(id=YEAR, type="number", min=1990, max=2100, step=1,
                                        className="form-control", debounce=True),
                           "Lämna tomt om året står i filens rubrik eller namn."),
                     className="survey-only"),
        ], className="control-grid admin-grid import-controls"),
        # A label around the upload gives its native file input a name (WCAG 4.1.2).
        html.Label([
            html.Span("Fil att importera", className="upload-label"),
            dcc.Upload(id=UPLOAD, children=html.Span(
                "Välj fil – eller dra den hit", className="upload-text"),
                disable_click=True, multiple=False, className="upload"),
        ], className="upload-field"),
        dcc.Loading(html.Div(id=PREVIEW, role="status", **{"aria-live": "polite"}),
                    type="default"),
        dcc.Store(id=TICKET),
        dcc.Store(id=ORDER),
        html.Div([
            html.Button("Importera", id=CONFIRM, className="button", type="button",
                        disabled=True),
            html.Button("Avbryt", id=CANCEL, className="button button-secondary", type="button",
                        disabled=True),
        ], className="button-row"),
        progress.progress_box(PROGRESS, "Importen pågår"),
        html.Div(id=RESULT, role="status", **{"aria-live": "polite"}),
    ])


@callback(Output(PREVIEW, "children"), Output(TICKET, "data"), Output(CONFIRM, "disabled"),
          Output(CONFIRM, "children"), Output(CANCEL, "disabled"),
          Output(RESULT, "children"),
          Input(UPLOAD, "contents"), Input(KIND, "value"), Input(YEAR, "value"),
          State(UPLOAD, "filename"), prevent_initial_call=True)
def _preview(contents, kind, year, filename):
    """(preview, ticket, confirm disabled, confirm label, cancel disabled, result)."""
    if auth.admin_user() is None:
        return refusal(), None, True, "Importera", True, None
    if not contents:
        return None, None, True, "Importera", True, no_update
    engine, settings = runtime.engine(), runtime.settings()
    try:
        shown = uploads.preview(engine, settings, kind, contents, filename,
                                digits.whole_number(str(year), max_digits=4))
    except MalbildError as exc:
        why = [html.P(WHOLE_FILE[kind])] if kind in WHOLE_FILE else []
        return message(["Filen kan inte importeras: ", exc.explain(), *why], "error"), None, \
            True, "Importera", False, None
    if not shown.changes_anything:
        note = message("Filen ändrar ingenting i databasen; det finns inget att importera.")
        return [*preview_view(shown), note], None, True, "Importera", False, None
    label = ("Importera de giltiga raderna" if shown.rejected_total else "Importera")
    return preview_view(shown), shown.ticket, False, label, False, None


@callback(Output(UPLOAD, "contents"), Output(UPLOAD, "filename"),
          Output(RESULT, "children", allow_duplicate=True),
          Output(PREVIEW, "children", allow_duplicate=True),
          Output(TICKET, "data", allow_duplicate=True),
          Output(CONFIRM, "disabled", allow_duplicate=True),
          Output(CANCEL, "disabled", allow_duplicate=True),
          Input(CANCEL, "n_clicks"), prevent_initial_call=True)
def _cancel(clicks):
    """Forget the chosen file, its preview and its ticket in the same answer that says so
    (not a moment later through `_preview`); nothing is saved."""
    if auth.admin_user() is None:
        return no_update, no_update, refusal(), no_update, no_update, no_update, no_update
    if not clicks:
        return (no_update,) * 7
    return None, None, message("Importen avbröts. Ingenting har sparats."), None, None, True, True


@callback(Output(RESULT, "children", allow_duplicate=True),
          Output(CONFIRM, "disabled", allow_duplicate=True), Output(ORDER, "data"),
          Output(CANCEL, "disabled", allow_duplicate=True),
          Input(CONFIRM, "n_clicks"), State(TICKET, "data"), prevent_initial_call=True)
def _confirm(clicks, ticket):
    """The administrator is known here, in the request: the import itself (in the background)
    gets the previewed file's ticket and the name signed."""
    user = auth.admin_user()
    if user is None:
        return refusal(), True, None, True
    if not clicks or not ticket:
        return no_update, no_update, no_update, no_update
    return None, True, orders.sign(runtime.settings(), ticket=ticket, actor=user.username), True


@callback(Output(RESULT, "children", allow_duplicate=True),
          Output(TICKET, "data", allow_duplicate=True),
          Input(ORDER, "data"), State(UPLOAD, "contents"), State(UPLOAD, "filename"),
          prevent_initial_call=True, background=True,
          progress=progress.progress_outputs(PROGRESS),
          running=progress.running_outputs(PROGRESS),
          cancel=progress.cancel_inputs(PROGRESS))
def _import(set_progress, order, contents, filename):
    return run_import(order, contents, filename, progress.step(set_progress))


def run_import(order, contents, filename, told: Progress = silent):
    """The background import: on a worker (or in a process of its own), step by step. It
    trusts only the order the server signed for an administrator (no request here); cancelled
    before it saves, nothing is saved, and the saving itself is one transaction."""
    if not order:
        return no_update, no_update
    engine, settings = runtime.engine(), runtime.settings()
    try:
        wanted = orders.read(settings, order)
        summary = uploads.confirm(engine, settings, wanted["ticket"], contents, filename,
                                  actor=wanted["actor"], progress=told)
    except MalbildError as exc:
        return message(["Ingenting importerades: ", exc.explain()], "error"), None
    goal_link = {"enkat": html.A("Se mål 3", href="/mal/3"),
                 "kontakter": html.A("Se mål 1", href="/mal/1")}.get(
        uploads.read_ticket(settings, wanted["ticket"]).get("kind"),
        html.A("Se översikten", href="/"))
    return message([summary, " ", goal_link, "."], "ok"), None


def upload_too_large(error):
    """A body over the limit never reaches the callback (413): for the preview callback, say
    so where the preview would have been; anything else keeps the plain 413."""
    from flask import Response, request
    from plotly.utils import PlotlyJSONEncoder

    if request.path != "/_dash-update-component":
        return error
    start = request.environ["wsgi.input"].read(300)  # the body's start names the callback
    if f"{PREVIEW}.children".encode() not in start:
        return error
    limit = uploads.megabytes(runtime.settings().upload_max_bytes)
    answer = {"multi": True, "response": {
        PREVIEW: {"children": message(
            f"Filen är för stor: största tillåtna storlek är {limit}. Ingenting har lästs in.",
            "error")},
        TICKET: {"data": None}, CONFIRM: {"disabled": True, "children": "Importera"},
        CANCEL: {"disabled": True},
        RESULT: {"children": None}}}
    return Response(json.dumps(answer, cls=PlotlyJSONEncoder), mimetype="application/json")
