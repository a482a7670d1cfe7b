"""Mål: set or change a measure's target for a year with its decision reference; every earlier
decision stays in the history. The measure lives in the URL (`?matt=`)."""

from __future__ import annotations

from datetime import date

import dash
import pandas as pd
from dash import Input, Output, State, html

from dashboard.present import formatting as fmt
from dashboard.store import queries, runtime
from dashboard.tasks import jobs
from dashboard.web import auth, urlstate
from dashboard.web.callbacks import callback
from dashboard.web.components.admin import message, refusal, select, text_input
from dashboard.web.components.common import table_view
from etl import clock, digits, targets
from etl.decision import DecisionRef, clean_paragraph
from etl.errors import InputError, MalbildError

ACCESS = auth.ADMIN

dash.register_page(__name__, path="/admin/mal", name="Mål", title="Mål – Målbild", order=32)

MEASURE = "admin-target-measure"
YEAR = "admin-target-year"
VALUE = "admin-target-value"
BODY = "admin-target-body"
DECIDED = "admin-target-date"
PARAGRAPH = "admin-target-paragraph"
DIARIENUMMER = "admin-target-dnr"
SAVE = "admin-target-save"
FEEDBACK = "admin-target-feedback"
TABLES = "admin-target-tables"

urlstate.sync_to_url({"matt": (MEASURE, "value")})


def _value_text(value, info) -> str:
    return "inget mål" if value is None or pd.isna(value) else fmt.with_unit(
        value, info.unit, info.decimals)


def target_tables(measure_id: str) -> list:
    """The targets that hold, and every decision recorded, newest first."""
    engine = runtime.engine()
    info = queries.measure(engine, measure_id)
    rows = targets.history(engine, measure_id)
    current = [r for r in rows if r["current"]]

    def frame(items: list[dict], with_state: bool) -> pd.DataFrame:
        data = {
            "År": [str(r["year"]) for r in items],
            "Mål": [_value_text(r["value"], info) + (" (exempel)" if r["is_example"] else "")
                    for r in items],
            "Beslut": [r["decision"] or "–" for r in items],
        }
        if with_state:
            data["Gäller"] = ["ja" if r["current"] else "nej, ersatt" for r in items]
        data["Registrerat"] = [f"{fmt.iso_date(r['recorded_at'])} av "
                               f"{r['recorded_by_name'] or '–'}" for r in items]
        return pd.DataFrame(data)

    return [
        html.H2(f"Gällande mål: {info.name}", id="gallande"),
        table_view(frame(sorted(current, key=lambda r: r["year"]), False),
                   f"Gällande mål per år, {info.name}", open_=True)
        if current else html.P("Måttet har inga mål ännu."),
        html.H2("Historik", id="historik"),
        html.P("Alla beslut som registrerats, även de som ersatts av senare beslut.",
               className="hint"),
        table_view(frame(rows, True), f"Alla registrerade mål, {info.name}"),
    ]


def parse_value(text: str | None, unit: str | None) -> float | None:
    """"85,5" → 85.5, "55 %" → 55.0 for a measure in per cent; empty → None (no target)."""
    try:
        return targets.parse_value(text, unit)
    except ValueError:
        raise InputError(f"målvärdet «{text}» är inget tal.",
                         hint="Skriv t.ex. 85, 55 % eller 3,9; lämna tomt för inget mål."
                         ) from None


def parse_date(text: str | None) -> date | None:
    if not (text or "").strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"beslutsdatumet «{text}» är inget datum.",
                         hint="Skriv datumet som ÅÅÅÅ-MM-DD, t.ex. 2025-12-09.") from None


def layout(matt: str | None = None, **_query) -> html.Div:
    engine = runtime.engine()
    infos = queries.measures(engine)
    chosen = next((m for m in infos if m.id == matt), infos[0])
    next_year = clock.today().year + 1
    return html.Div([
        urlstate.rendered({"matt": chosen.id}),
        html.P(html.A("← Administration", href="/admin"), className="breadcrumb"),
        html.H1("Mål"),
        html.P("Ett mål gäller ett mått och ett år och sätts genom ett beslut. Ett nytt beslut "
               "för samma år ersätter det gamla, som finns kvar i historiken och i loggen.",
               className="lead"),
        select(MEASURE, "Mått", [{"label": f"Mål {m.goal_number}: {m.name}", "value": m.id}
                                 for m in infos], chosen.id),
        html.Section([
            html.H2(f"Sätt mål: {chosen.name}", id="satt-mal"),
            html.Div([
                text_input(YEAR, "År", str(next_year), input_type="number", min=1990, max=2100,
                           step=1),
                text_input(VALUE, f"Målvärde ({chosen.unit})", "",
                           hint=f"Skalan är {fmt.number(chosen.scale_min, 0)}–"
                                f"{fmt.number(chosen.scale_max, 0)}. Decimalkomma går bra"
                                + (", «55 %» också" if chosen.unit == targets.PER_CENT else "")
                                + "; lämna tomt för att ta bort årets mål."),
                text_input(BODY, "Beslutande organ", "KS",
                           hint="T.ex. KS (kommunstyrelsen) eller KF."),
                text_input(DECIDED, "Beslutsdatum", "", hint="ÅÅÅÅ-MM-DD, t.ex. 2025-12-09"),
                text_input(PARAGRAPH, "Paragraf (§)", "", hint="T.ex. 201"),
                text_input(DIARIENUMMER, "Diarienummer", "", hint="T.ex. KS 2025/123"),
            ], className="control-grid admin-grid"),
            html.Button("Spara mål", id=SAVE, className="button", type="button"),
            html.Div(id=FEEDBACK, role="status", **{"aria-live": "polite"}),
        ], className="admin-form", **{"aria-labelledby": "satt-mal"}),
        html.Div(target_tables(chosen.id), id=TABLES),
    ])


@callback(Output(FEEDBACK, "children"), Output(TABLES, "children"),
          Input(SAVE, "n_clicks"),
          State(MEASURE, "value"), State(YEAR, "value"), State(VALUE, "value"),
          State(BODY, "value"), State(DECIDED, "value"), State(PARAGRAPH, "value"),
          State(DIARIENUMMER, "value"), prevent_initial_call=True)
def _save_target(clicks, measure_id, year, value, body, decided, paragraph, diarienummer):
    user = auth.admin_user()
    if user is None:
        return refusal(), dash.no_update
    if not clicks:
        return dash.no_update, dash.no_update
    try:
        year_number = digits.whole_number(str(year), max_digits=4)
        if year_number is None:
            raise InputError(f"året «{year}» är inget årtal.", hint="Skriv t.ex. 2026.")
        reference = DecisionRef((body or "").strip(), parse_date(decided),
                                clean_paragraph(paragraph), (diarienummer or "").strip())
        target = parse_value(value, queries.measure(runtime.engine(), measure_id).unit)
        changed = targets.set_target(runtime.engine(), measure_id, year_number, target,
                                     reference, actor=user.username)
    except MalbildError as exc:
        return message(["Målet sparades inte: ", exc.explain()], "error"), dash.no_update
    if not changed:
        return message(f"Målet för {year_number} är redan detta; inget ändrades."), \
            dash.no_update
    jobs.data_changed(runtime.engine(), runtime.settings())
    info = queries.measure(runtime.engine(), measure_id)
    what = _value_text(target, info)
    return (message(f"Sparat: {year_number} {what} ({reference.text}).", "ok"),
            target_tables(measure_id))
