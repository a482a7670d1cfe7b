"""Administration: where the administrator keeps the follow-up current between the yearly
reports (imports, targets, analysis texts, users) and sees who changed what."""

from __future__ import annotations

import dash
from dash import html

from dashboard.present import formatting as fmt
from dashboard.store import queries, runtime
from dashboard.web import auth
from etl import audit

ACCESS = auth.ADMIN

dash.register_page(__name__, path="/admin", name="Administration",
                   title="Administration – Målbild", order=30)

SECTIONS = [
    ("/admin/import", "Importera data",
     "Ladda upp en fil från Kolada eller en export av medarbetarenkäten, granska vad som "
     "ändras och importera."),
    ("/admin/mal", "Mål",
     "Sätt eller ändra ett måtts mål för ett år med beslutsreferens (organ, datum, §, "
     "diarienummer). Tidigare beslut finns kvar."),
    ("/admin/analys", "Analystexter",
     "Skriv årets analys per mått och för den från utkast via granskad till fastställd."),
    ("/admin/anvandare", "Användare", "Lägg till användare, ändra roll och stäng av konton."),
    ("/rapporter", "Fastställ årsrapporten",
     "Spara årets rapport som PDF och Word precis som den gick till kommunstyrelsen; se vad "
     "som reviderats sedan."),
    ("/admin/logg", "Ändringslogg",
     "Vem som ändrade vad och när, med värdet före och efter. Kan laddas ner."),
]


def layout(**_query) -> html.Div:
    engine = runtime.engine()
    last = queries.last_import(engine)
    recent = audit.events(engine, limit=5)
    return html.Div([
        html.H1("Administration"),
        html.P(f"Inloggad som {auth.current_user().username}. "
               + (f"Senaste import: {fmt.iso_date(last['started_at'])} "
                  f"({last['kind']}, {last['added']} nya och {last['updated']} ändrade "
                  "värden)." if last else "Ingen import ännu."), className="lead"),
        html.Ul([html.Li([html.A(title, href=href), html.P(text, className="hint")])
                 for href, title, text in SECTIONS], className="admin-sections"),
        html.H2("Senaste ändringar"),
        html.Ul([html.Li(f"{fmt.iso_date(e['at'])} {e['at']:%H:%M} · {e['actor']} · "
                         f"{audit.ACTIONS.get(e['action'], e['action'])} · {e['object_id']}")
                 for e in recent]) if recent else html.P("Inga ändringar ännu."),
    ])
