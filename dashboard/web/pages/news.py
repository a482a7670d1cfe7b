"""Nytt: the values of the strategy's measures that arrived, were revised or removed since a
date, newest first, with old → new, the fastställda reports and texts each change touches, and
a link to the measure.

The date is `?sedan=ÅÅÅÅ-MM-DD`; without it, the last visit of a logged-in person, else the day
the newest report was fastställd. Everything here is public Kolada data; analysis texts in draft
(utkast) are named to administrators only, as on the goal pages.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import dash
from dash import html

from dashboard.present import change_words
from dashboard.present import formatting as fmt
from dashboard.store import news, runtime, sync
from dashboard.web import auth
from dashboard.web.components import native
from dashboard.web.components.common import scrolling_table
from etl import changes, clock
from etl.followup import store

ACCESS = auth.READ

dash.register_page(__name__, path="/nytt", name="Nytt", title="Nytt – Målbild", order=4,
                   in_nav=True)

SINCE_FIELD = "nytt-sedan"
FALLBACK_DAYS = 90
MAX_ROWS = 500
PUBLIC_TEXT_STATES = ("granskad", changes.FROZEN_TEXT)
ALL_TEXT_STATES = ("utkast", *PUBLIC_TEXT_STATES)


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def default_since(engine, user) -> tuple[datetime, str]:
    """The start of the list and why: the person's last visit, the newest fastställd report,
    or the last 90 days."""
    visit = news.news_start(engine, user.id if user is not None else None)
    if visit.seen is not None:
        return visit.seen, "sedan ditt senaste besök"
    if visit.last_frozen is not None:
        return visit.last_frozen, "sedan den senaste rapporten fastställdes"
    start = datetime.combine(clock.today() - timedelta(days=FALLBACK_DAYS), datetime.min.time())
    return start, f"de senaste {FALLBACK_DAYS} dagarna"


def since_form(value: date) -> html.Form:
    """The date as a plain GET form, so the choice stays in the address (?sedan=)."""
    return html.Form([
        html.Label("Visa ändringar sedan", htmlFor=SINCE_FIELD),
        native.Input(type="date", id=SINCE_FIELD, name="sedan", value=value.isoformat(),
                     className="form-control"),
        html.Button("Visa", type="submit", className="button-link"),
    ], method="get", action="/nytt", className="year-form")


def change_table(found: list[changes.ValueChange], infos: dict, caption: str) -> html.Div:
    """One row per change, newest first; the measure's name links to its page for the year."""
    header = html.Tr([html.Th(text, scope="col") for text in (
        "Mått och år", "Ändring", "Tidigare → nytt", "Berör", "Ändrat")])
    rows = []
    for change in found:
        info = infos.get(change.measure_id)
        touched = change_words.touched(info, change)
        rows.append(html.Tr([
            html.Th(html.A(change_words.label(change), href=change_words.measure_link(change)),
                    scope="row"),
            html.Td(change_words.KIND_WORDS[change.kind]),
            html.Td(change_words.old_to_new(info, change), className="num"),
            html.Td(html.Ul([html.Li(html.Strong(t) if t.startswith("Fastställd") else t)
                             for t in touched], className="plain-list") if touched else "–"),
            html.Td(f"{fmt.iso_date(change.at)} {change.at:%H:%M}"),
        ], className="touches-frozen" if change.touches_frozen else None))
    return scrolling_table(html.Table([html.Caption(caption), html.Thead(header),
                                       html.Tbody(rows)], className="data-table"), caption)


def layout(sedan: str | None = None, **_query) -> html.Div:
    engine, settings = runtime.engine(), runtime.settings()
    user = auth.current_user()
    asked = _parse_date(sedan)
    notice = None
    if asked is not None:
        since, why = datetime.combine(asked, datetime.min.time()), ""
    else:
        since, why = default_since(engine, user)
        if sedan:
            notice = html.P(f"«{sedan}» är inget datum (skriv ÅÅÅÅ-MM-DD); listan visar "
                            f"ändringar {why}.", className="notice", role="status")
    strategy = store.strategy_info(engine, settings.municipality)
    states = ALL_TEXT_STATES if user is not None and user.is_admin else PUBLIC_TEXT_STATES
    found = sync.strategy_changes(engine, strategy.municipality_id, since=since,
                                  text_states=states, limit=MAX_ROWS + 1)
    infos = {info.id: info for info in store.measures(engine)}
    heading = f"Ändrat sedan {fmt.iso_date(since)}" + (f" ({why})" if why else "")
    frozen = sum(c.touches_frozen for c in found[:MAX_ROWS])
    summary = (f"{len(found[:MAX_ROWS])} ändringar av värden för strategins mått i "
               f"{strategy.municipality}" + (f"; {frozen} rör det som fastställts (i fetstil)."
                                             if frozen else "."))
    body = [html.P(summary),
            change_table(found[:MAX_ROWS], infos, f"{heading}, nyast först")] if found else [
        html.P(f"Inga värden för strategins mått i {strategy.municipality} har kommit till "
               "eller ändrats sedan dess.")]
    if len(found) > MAX_ROWS:
        body.append(html.P(f"Listan visar de {MAX_ROWS} senaste ändringarna; välj ett senare "
                           "datum för att se resten.", className="hint"))
    return html.Div([
        html.H1("Nytt"),
        html.P("Värden som Kolada eller en import har lagt till, reviderat eller tagit bort, "
               "nyast först. Fastställda rapporter och analystexter som byggde på det tidigare "
               "värdet nämns, så att det syns vad som behöver förklaras.", className="lead"),
        since_form(since.date()),
        notice,
        html.Section([html.H2(heading, id="andringar"), *body],
                     **{"aria-labelledby": "andringar"}),
    ])
