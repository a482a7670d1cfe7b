"""Bevakning: each logged-in person chooses for themselves which changes they are told of by
e-mail, and at what address. One e-mail per cycle at most, only when something changed."""

from __future__ import annotations

import dash
from dash import Input, Output, State, html

from dashboard.store import accounts, runtime
from dashboard.web import auth
from dashboard.web.callbacks import callback
from dashboard.web.components import native
from dashboard.web.components.admin import message, text_input
from etl import alerts, users
from etl.errors import MalbildError

ACCESS = auth.LOGIN

dash.register_page(__name__, path="/bevakning", name="Bevakning",
                   title="Bevakning – Målbild", order=5)

EMAIL = "subscription-email"
KINDS = "subscription-kinds"
SAVE = "subscription-save"
FEEDBACK = "subscription-feedback"
KIND_OPTIONS = [{"label": text[0].upper() + text[1:], "value": key}
                for key, text in alerts.KINDS.items()]


def _stored(user: users.User) -> tuple[str, list[str]]:
    email, kinds = accounts.subscription(runtime.engine(), user.id, user.username)
    return email or "", kinds


def layout(**_query) -> html.Div:
    user = auth.current_user()
    if user is None or user.id is None:
        return html.Div([html.H1("Bevakning"), html.P(
            "Ditt konto finns inte i Målbilds användarlista; be en administratör lägga till det "
            "för att kunna bevaka ändringar.")])
    email, kinds = _stored(user)
    return html.Div([
        html.H1("Bevakning"),
        html.P("Målbild skickar högst ett e-postmeddelande per körning (varje dag under KKiK:s "
               "publiceringssäsong, annars varje vecka), och bara när något du bevakar har "
               "ändrats. Ändringar som rör en fastställd rapport eller analystext står först.",
               className="lead"),
        html.Section([
            html.H2(f"Vad {user.username} bevakar", id="bevakar"),
            text_input(EMAIL, "E-postadress", email, input_type="email", autoComplete="email",
                       hint="Meddelandena skickas hit. Töm fältet för att inte få något."),
            html.Fieldset([
                html.Legend("Berätta för mig om"),
                native.Checklist(id=KINDS, options=KIND_OPTIONS, value=kinds,
                                 className="checks"),
            ], className="control"),
            html.Button("Spara", id=SAVE, className="button", type="button"),
            html.Div(id=FEEDBACK, role="status", **{"aria-live": "polite"}),
        ], className="admin-form", **{"aria-labelledby": "bevakar"}),
        html.P(html.A("Se allt som ändrats på sidan Nytt", href="/nytt")),
    ])


@callback(Output(FEEDBACK, "children"), Input(SAVE, "n_clicks"), State(EMAIL, "value"),
          State(KINDS, "value"), prevent_initial_call=True)
def _save(clicks, email, kinds):
    user = auth.current_user()
    if user is None or user.id is None:
        return message("Logga in för att ändra din bevakning; ingenting har sparats.", "error")
    if not clicks:
        return dash.no_update
    wanted = [k for k in (kinds or []) if k in alerts.KINDS]
    try:
        now = accounts.save_subscription(runtime.engine(), user.username, email or None, wanted,
                                         actor=user.username)
    except MalbildError as exc:
        return message(["Ingenting sparades: ", exc.explain()], "error")
    if not now:
        return message("Sparat: du bevakar ingenting.", "ok")
    if not (email or "").strip():
        return message("Sparat, men utan e-postadress kan inget skickas.", "info")
    return message(f"Sparat: du får e-post om {', '.join(alerts.KINDS[k] for k in now)}.", "ok")
