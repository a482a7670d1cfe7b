"""Användare: local accounts with their role (läsare or administratör), added, changed or
disabled by an administrator. Passwords are stored only as Argon2 hashes."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, State, html

from dashboard.present import formatting as fmt
from dashboard.store import accounts, runtime
from dashboard.web import auth
from dashboard.web.callbacks import callback
from dashboard.web.components.admin import message, refusal, select, text_input
from dashboard.web.components.common import table_view
from etl import users
from etl.errors import MalbildError

ACCESS = auth.ADMIN

dash.register_page(__name__, path="/admin/anvandare", name="Användare",
                   title="Användare – Målbild", order=34)

TABLE = "admin-users-table"
PICK = "admin-user-pick"
ROLE = "admin-user-role"
ACTIVE = "admin-user-active"
PASSWORD = "admin-user-password"
EMAIL = "admin-user-email"
UPDATE = "admin-user-update"
UPDATE_FEEDBACK = "admin-user-update-feedback"
NEW_NAME = "admin-new-name"
NEW_ROLE = "admin-new-role"
NEW_PASSWORD = "admin-new-password"
NEW_EMAIL = "admin-new-email"
ADD = "admin-user-add"
ADD_FEEDBACK = "admin-user-add-feedback"

ROLE_OPTIONS = [{"label": f"{label.capitalize()} ({key})", "value": key}
                for key, label in users.ROLES.items()]
EMAIL_HINT = "Dit skickas bevakningarna; personen väljer själv vad på sidan Bevakning."
PASSWORD_HINT = (f"Minst {users.MIN_PASSWORD_LENGTH} tecken. En lösenfras med flera ord är "
                 "både säker och lätt att minnas.")


def user_table() -> html.Details:
    rows = users.all_users(runtime.engine())
    frame = pd.DataFrame({
        "Användare": [r["username"] for r in rows],
        "Roll": [users.ROLES.get(r["role"], r["role"]) for r in rows],
        "Konto": ["avstängt" if r["disabled"] else "aktivt" for r in rows],
        "Skapad": [fmt.iso_date(r["created_at"]) for r in rows],
        "Senast inloggad": [fmt.iso_date(r["last_login_at"]) for r in rows],
        "E-post (bevakningar)": [r["email"] or "–" for r in rows],
    })
    return table_view(frame, "Användare", open_=True)


def user_options() -> list[dict]:
    return [{"label": r["username"], "value": r["username"]}
            for r in users.all_users(runtime.engine())]


def user_state(username: str | None) -> tuple[str, str, str]:
    """The role, account state and e-mail a user has now (what the change form starts from)."""
    row = next((r for r in users.all_users(runtime.engine()) if r["username"] == username), None)
    if row is None:
        return "viewer", "aktivt", ""
    return row["role"], "avstängt" if row["disabled"] else "aktivt", row["email"] or ""


def layout(**_query) -> html.Div:
    options = user_options()
    first = options[0]["value"] if options else None
    role, active, email = user_state(first)
    return html.Div([
        html.P(html.A("← Administration", href="/admin"), className="breadcrumb"),
        html.H1("Användare"),
        html.P("Läsare ser uppföljningen och medarbetarenkäten per förvaltning och enhet. "
               "Administratörer kan dessutom importera data, sätta mål, skriva analyser och "
               "ändra användare. Med kommunens inloggning (SSO) känns användare igen "
               "automatiskt; de som inte finns här blir läsare.", className="lead"),
        html.Div(user_table(), id=TABLE),
        html.Section([
            html.H2("Ändra användare", id="andra"),
            html.Div([
                select(PICK, "Användare", options, first),
                select(ROLE, "Roll", ROLE_OPTIONS, role),
                select(ACTIVE, "Konto", [{"label": "Aktivt", "value": "aktivt"},
                                         {"label": "Avstängt", "value": "avstängt"}], active),
                text_input(PASSWORD, "Nytt lösenord (valfritt)", "", input_type="password",
                           autoComplete="new-password", hint=PASSWORD_HINT),
                text_input(EMAIL, "E-post (bevakningar)", email, input_type="email",
                           autoComplete="off", hint=EMAIL_HINT),
            ], className="control-grid admin-grid"),
            html.Button("Spara ändringen", id=UPDATE, className="button", type="button"),
            html.Div(id=UPDATE_FEEDBACK, role="status", **{"aria-live": "polite"}),
        ], className="admin-form", **{"aria-labelledby": "andra"}),
        html.Section([
            html.H2("Ny användare", id="ny"),
            html.Div([
                text_input(NEW_NAME, "Användarnamn", "", autoComplete="off",
                           hint="T.ex. åsa.öberg (bokstäver, siffror och . _ @ + -)"),
                select(NEW_ROLE, "Roll", ROLE_OPTIONS, "viewer"),
                text_input(NEW_PASSWORD, "Lösenord", "", input_type="password",
                           autoComplete="new-password", hint=PASSWORD_HINT),
                text_input(NEW_EMAIL, "E-post (valfritt)", "", input_type="email",
                           autoComplete="off", hint=EMAIL_HINT),
            ], className="control-grid admin-grid"),
            html.Button("Lägg till", id=ADD, className="button", type="button"),
            html.Div(id=ADD_FEEDBACK, role="status", **{"aria-live": "polite"}),
        ], className="admin-form", **{"aria-labelledby": "ny"}),
    ])


@callback(Output(ROLE, "value"), Output(ACTIVE, "value"), Output(EMAIL, "value"),
          Input(PICK, "value"), prevent_initial_call=True)
def _show_user(username):
    if auth.admin_user() is None:
        return dash.no_update, dash.no_update, dash.no_update
    return user_state(username)


@callback(Output(ADD_FEEDBACK, "children"), Output(TABLE, "children"),
          Output(PICK, "options"), Output(NEW_PASSWORD, "value"),
          Input(ADD, "n_clicks"), State(NEW_NAME, "value"), State(NEW_ROLE, "value"),
          State(NEW_PASSWORD, "value"), State(NEW_EMAIL, "value"), prevent_initial_call=True)
def _add_user(clicks, name, role, password, email):
    admin = auth.admin_user()
    if admin is None:
        return refusal(), dash.no_update, dash.no_update, ""
    if not clicks:
        return dash.no_update, dash.no_update, dash.no_update, dash.no_update
    try:
        user = accounts.add_user(runtime.engine(), name or "", role, password or "", email,
                                 actor=admin.username)
    except MalbildError as exc:
        return message(["Användaren lades inte till: ", exc.explain()], "error"), \
            dash.no_update, dash.no_update, ""
    return (message(f"{user.username} är tillagd som {user.role_label}.", "ok"), user_table(),
            user_options(), "")


@callback(Output(UPDATE_FEEDBACK, "children"), Output(TABLE, "children", allow_duplicate=True),
          Output(PASSWORD, "value"),
          Input(UPDATE, "n_clicks"), State(PICK, "value"), State(ROLE, "value"),
          State(ACTIVE, "value"), State(PASSWORD, "value"), State(EMAIL, "value"),
          prevent_initial_call=True)
def _update_user(clicks, username, role, active, password, email):
    admin = auth.admin_user()
    if admin is None:
        return refusal(), dash.no_update, ""
    if not clicks:
        return dash.no_update, dash.no_update, dash.no_update
    try:
        changed = accounts.update_user(runtime.engine(), username or "", actor=admin.username,
                                       role=role, disabled=active == "avstängt",
                                       password=password or None, email=email or None)
    except MalbildError as exc:
        return message(["Ändringen sparades inte: ", exc.explain()], "error"), \
            dash.no_update, ""
    if not changed:
        return message(f"{username} har redan den rollen och det läget; inget ändrades."), \
            dash.no_update, ""
    return message(f"{username} är ändrad.", "ok"), user_table(), ""
