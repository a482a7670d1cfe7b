"""Logga in: a plain HTML form posted to the server (`dashboard.web.auth`), so the password never
passes through a callback, password managers recognise it, and it works without scripts."""

from __future__ import annotations

import dash
from dash import html

from dashboard.store import runtime
from dashboard.web import auth
from dashboard.web.components import native
from dashboard.web.components.admin import message
from etl import users

ACCESS = auth.OPEN

dash.register_page(__name__, path=auth.LOGIN_PATH, name="Logga in",
                   title="Logga in – Målbild", order=20)

ERRORS = {
    "fel": "Fel användarnamn eller lösenord, eller så är kontot avstängt.",
    "spärrad": (f"För många misslyckade försök härifrån. Inloggningen är spärrad i "
                f"{int(users.FIRST_LOCKOUT.total_seconds() // 60)} minuter, längre om "
                "försöken fortsätter; försök igen senare eller be en administratör om hjälp."),
}


def layout(fel: str | None = None, nasta: str | None = None, **_query) -> html.Div:
    target = auth.safe_next(nasta)
    who = auth.identity()
    settings = runtime.settings()
    content = [html.H1("Logga in")]
    if who.user is not None:
        content += [
            html.P(f"Du är inloggad som {who.user.username} ({who.user.role_label})."),
            html.A("Fortsätt", href=target, className="button-link"),
        ]
        return html.Div(content, className="narrow")
    if fel in ERRORS:
        content.append(message(ERRORS[fel], "error"))
    content += [
        html.P("Administratörer loggar in för att importera data, sätta mål och skriva "
               "analyser. " + ("Uppföljningen kan läsas utan inloggning; medarbetarenkäten "
                               "per förvaltning och enhet visas för inloggade."
                               if settings.public_read else
                               "Uppföljningen visas för inloggade användare.")),
        html.Form([
            html.Label("Användarnamn", htmlFor="login-user"),
            native.Input(id="login-user", name="anvandare", type="text",
                         autoComplete="username", required=True, className="form-control",
                         autoFocus=True),
            html.Label("Lösenord", htmlFor="login-password"),
            native.Input(id="login-password", name="losenord", type="password",
                         autoComplete="current-password", required=True,
                         className="form-control"),
            native.Input(id="login-next", name="nasta", type="hidden", value=target),
            html.Button("Logga in", type="submit", className="button", id="login-submit"),
        ], method="POST", action=auth.LOGIN_PATH, className="login-form"),
    ]
    if settings.trust_proxy_user_header:
        content.append(html.P("Kommer du via kommunens inloggning (e-tjänstekort eller "
                              "Windows-inloggning) känns du igen automatiskt.", className="hint"))
    return html.Div(content, className="narrow")
