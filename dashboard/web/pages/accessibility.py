"""Tillgänglighetsredogörelse, as the law on accessible digital public services requires
(lagen om tillgänglighet till digital offentlig service, DOS-lagen), after Digg's template."""

from __future__ import annotations

from datetime import date

import dash
from dash import html

from dashboard.present import formatting as fmt
from dashboard.store import queries, runtime
from dashboard.web import auth

ACCESS = auth.OPEN  # the statement is public whatever else is
REVIEWED = date(2026, 11, 27)

dash.register_page(__name__, path="/tillganglighet", name="Tillgänglighet",
                   title="Tillgänglighetsredogörelse – Målbild", order=9)


def layout(**_query) -> html.Div:
    settings = runtime.settings()
    try:
        owner = f"{queries.strategy_info(runtime.engine(), settings.municipality).municipality}s " \
                "kommun"
    except LookupError:
        owner = "Kommunen"
    contact = (html.A(settings.contact_email, href=f"mailto:{settings.contact_email}")
               if settings.contact_email else "kommunens kommunikationsenhet via växeln")
    return html.Div([
        html.H1("Tillgänglighetsredogörelse för Målbild"),
        html.P(f"{owner} står bakom Målbild, som följer upp kommunikationsstrategins mål. Vi "
               "vill att så många som möjligt ska kunna använda tjänsten. Här beskriver vi hur "
               "Målbild uppfyller lagen om tillgänglighet till digital offentlig service, vilka "
               "brister vi känner till och hur du kan rapportera brister till oss."),
        html.H2("Hur tillgänglig är tjänsten?"),
        html.P("Tjänsten är delvis förenlig med WCAG 2.1 nivå AA. Bristerna beskrivs nedan."),
        html.Ul([
            html.Li("Alla sidor går att använda med enbart tangentbord, har en länk för att "
                    "hoppa till innehållet och fungerar med förstoring upp till 200 procent."),
            html.Li("Varje diagram har en sammanfattning i en mening och en tabell med samma "
                    "siffror (”Visa som tabell”)."),
            html.Li("Status visas alltid med ord och symbol, aldrig bara med färg. Diagrammens "
                    "färger fungerar vid färgblindhet, och serierna skiljer sig också i linje "
                    "och markörform."),
            html.Li("Valen på sidan Utforska sparas i adressen, så att en vy kan delas och öppnas "
                    "igen."),
        ]),
        html.H2("Innehåll som inte är tillgängligt"),
        html.Ul([
            html.Li("Diagrammen är bilder för skärmläsare. Detaljer som visas när man för "
                    "muspekaren över ett diagram går inte att nå med tangentbord; samma "
                    "uppgifter finns i tabellen under varje diagram."),
            html.Li("Exporterade filer (bilder, Excel och rapporter) har inte granskats manuellt "
                    "med skärmläsare."),
        ]),
        html.H2("Vad kan du göra om du inte kan använda delar av tjänsten?"),
        html.P(["Om du behöver innehållet i ett annat format kan du kontakta ", contact, "."]),
        html.H2("Rapportera brister"),
        html.P(["Vi strävar hela tiden efter att förbättra tjänstens tillgänglighet. Om du "
                "upptäcker problem som inte beskrivs här, eller om du anser att vi inte uppfyller "
                "lagens krav, kontakta ", contact, " så att vi får veta att problemet finns."]),
        html.H2("Tillsyn"),
        html.P(["Myndigheten för digital förvaltning (Digg) har ansvaret för tillsyn för lagen om "
                "tillgänglighet till digital offentlig service. Om du inte är nöjd med hur vi "
                "hanterar dina synpunkter kan du ",
                html.A("anmäla det till Digg", href="https://www.digg.se/tdosanmalan"), "."]),
        html.H2("Hur vi testat tjänsten"),
        html.P("Varje ändring testas automatiskt i webbläsaren Chromium: alla sidor granskas med "
               "verktyget axe (WCAG 2.1 A och AA och god praxis), sidan Utforska används med "
               "enbart tangentbord, och färgernas kontrast kontrolleras. Redogörelsen "
               f"uppdaterades senast {fmt.iso_date(REVIEWED)}."),
    ])
