"""Building blocks of forms and the administration pages: labelled native controls, messages,
refusals, and analysis texts laid out from light Markdown (as text, never as HTML)."""

from __future__ import annotations

from collections.abc import Sequence

from dash import html

from dashboard.present import richtext
from dashboard.web.auth import ADMIN, login_link
from dashboard.web.components import native
from etl import analysis
from etl.users import User

ANALYSIS_STATES = {
    "fastställd": "Fastställd",
    "granskad": "Granskad, ej fastställd",
    "utkast": "Utkast, visas bara för administratörer",
}


def access_denied(level: str, user: User | None, path: str = "/") -> html.Div:
    """What a page shows instead of itself to someone who may not see it."""
    if user is None:
        return html.Div([
            html.H1("Inloggning krävs"),
            html.P("Logga in för att se den här sidan." if level != ADMIN else
                   "Sidan är till för administratörer. Logga in för att fortsätta."),
            html.A("Logga in", href=login_link(path), className="button-link"),
        ])
    return html.Div([
        html.H1("Behörighet saknas"),
        html.P(f"Du är inloggad som {user.username} ({user.role_label}). Sidan är till för "
               "administratörer; be en administratör om behörighet om du behöver den."),
        html.A("Till översikten", href="/"),
    ])


def login_needed(what: str, path: str) -> html.Div:
    """A section that is only for logged-in users, when nobody is logged in."""
    return html.Div([
        html.P(f"{what} visas för inloggade användare."),
        html.A("Logga in", href=login_link(path)),
    ], className="notice login-needed")


def refusal() -> html.Div:
    """The answer of a write callback to someone who is not an administrator (nothing saved)."""
    return message("Du har inte behörighet att ändra det här. Logga in som administratör; "
                   "ingenting har sparats.", "error")


def message(text: str | Sequence, kind: str = "info") -> html.Div:
    """A message after an action: "ok", "info" or "error" (errors are announced at once)."""
    icon = {"ok": "✓", "error": "✕"}.get(kind, "ℹ")
    return html.Div([html.Span(icon, className="message-icon", **{"aria-hidden": "true"}),
                     html.Div(text)], className=f"message message-{kind}",
                    role="alert" if kind == "error" else None)


def field(component_id: str, label: str, control, hint: str | None = None) -> html.Div:
    """A label, a native control and an optional hint the control is described by."""
    children = [html.Label(label, htmlFor=component_id), control]
    if hint:
        children.append(html.P(hint, className="hint", id=f"{component_id}-hint"))
    return html.Div(children, className="control")


def text_input(component_id: str, label: str, value: str = "", *, hint: str | None = None,
               input_type: str = "text", **kwargs) -> html.Div:
    return field(component_id, label, native.Input(
        id=component_id, type=input_type, value=value, className="form-control", **kwargs), hint)


def select(component_id: str, label: str, options: list[dict], value, *,
           hint: str | None = None) -> html.Div:
    return field(component_id, label, native.Select(
        id=component_id, options=options, value=value, className="form-select"), hint)


# --- Analysis texts -----------------------------------------------------------------------------


def _runs(runs: tuple[richtext.Run, ...]) -> list:
    out = []
    for run in runs:
        node = run.text  # a string child: React writes it as text, whatever it contains
        if run.italic:
            node = html.Em(node)
        if run.bold:
            node = html.Strong(node)
        out.append(node)
    return out


def rich_text(body: str | None) -> list:
    """Paragraphs and lists of an analysis text as components."""
    out = []
    for block in richtext.parse(body):
        if block.kind == "p":
            out.append(html.P(_runs(block.items[0])))
        else:
            tag = html.Ul if block.kind == "ul" else html.Ol
            out.append(tag([html.Li(_runs(item)) for item in block.items]))
    return out


REVISED_SINCE_ADOPTED = "Siffrorna har ändrats sedan texten fastställdes."


def analysis_note(year: int, body: str, state: str, updated_at=None, updated_by: str = "",
                  heading: type = html.H3, *, title: str | None = None,
                  revised: bool = False) -> html.Section:
    """One year's analysis with its state in words; `revised` marks a fastställd text whose
    numbers have changed since (etl.changes.adopted_texts_out_of_date)."""
    from dashboard.present import formatting as fmt

    when = f", senast ändrad {fmt.iso_date(updated_at)}" if updated_at else ""
    who = f" av {updated_by}" if updated_by else ""
    return html.Section([
        heading(title or f"Analys {year}"),
        html.P([html.Span(ANALYSIS_STATES.get(state, state), className=f"state state-{state}"),
                when + who], className="analysis-meta"),
        html.P([html.Span("⚠ ", **{"aria-hidden": "true"}), REVISED_SINCE_ADOPTED],
               className="notice analysis-revised") if revised else None,
        html.Div(rich_text(body), className="analysis-body"),
    ], className="analysis")


def text_title(scope: str, year: int) -> str:
    """"Samlad bedömning 2022", "Bedömning av mål 1 2022", "Analys 2022" (a measure's)."""
    goal = analysis.goal_of(scope)
    if scope == analysis.YEAR_SCOPE:
        return f"Samlad bedömning {year}"
    return f"Bedömning av mål {goal} {year}" if goal is not None else f"Analys {year}"


def adopted_text_section(text: dict | None, scope: str, year: int, *, drafts: bool,
                         revised: bool) -> html.Section | None:
    """A goal's text or the Samlad bedömning as a page shows it: fastställd only, or in any
    state for an administrator (`drafts`), with its state in words."""
    if not text or not text["body"] or (not drafts and text["state"] != "fastställd"):
        return None
    return analysis_note(year, text["body"], text["state"], text["updated_at"],
                         text["updated_by"], html.H2, title=text_title(scope, year),
                         revised=revised and text["state"] == "fastställd")
