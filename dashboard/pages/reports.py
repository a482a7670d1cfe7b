"""Rapporter: the fastställda yearly reports, every version, to download exactly as they were
archived, and the values Kolada or an import has revised since. Administrators fastställer a
year's report here (it is logged); everyone who may read the pages may download."""

from __future__ import annotations

from datetime import date

import dash
from dash import Input, Output, State, callback, html

from dashboard import auth, runtime, urlstate
from dashboard.components.admin import message, refusal, select
from dashboard.components.common import table_view
from dashboard.export import archive as archived
from etl import archive, digits
from etl.errors import MalbildError

ACCESS = auth.READ

dash.register_page(__name__, path="/rapporter", name="Rapporter",
                   title="Rapporter – Målbild", order=3, in_nav=True)

YEAR = "reports-year"
FREEZE = "reports-freeze"
FEEDBACK = "reports-feedback"
LISTING = "reports-listing"


def _downloads(report: archive.ArchivedReport) -> html.Li:
    links = [html.A(f"{fmt.upper()} ({round(report.sizes[fmt] / 1024)} KiB)",
                    href=f"/export/arkiv/{report.year}-{report.version}.{fmt}",
                    download=archived.file_name(report.year, report.version, fmt),
                    className="button-link")
             for fmt in archive.FORMATS if fmt in report.sizes]
    return html.Li([html.Span(f"{report.year}, version {report.version} "
                              f"(fastställd {report.created_at:%Y-%m-%d %H:%M} av "
                              f"{report.created_by}): "), *links])


def listing() -> list:
    """Every archived version with its downloads; per year, what has been revised since."""
    engine = runtime.engine()
    reports = archive.versions(engine)
    if not reports:
        return [html.P("Ingen rapport är fastställd ännu.")]
    out = [html.Ul([_downloads(r) for r in reports], className="download-list"),
           table_view(archived.versions_table(reports), "Fastställda rapporter, nyast först")]
    for year in dict.fromkeys(r.year for r in reports):
        newest = next(r for r in reports if r.year == year)
        revised = archived.revision_table(engine, year)
        heading_id = f"reviderat-{year}"
        out.append(html.Section([
            html.H3(f"Reviderat sedan rapporten {year} fastställdes (version {newest.version})",
                    id=heading_id),
            table_view(revised, f"Värden i rapporten {year} som ändrats efter "
                                f"{newest.created_at:%Y-%m-%d %H:%M}", open_=True)
            if len(revised) else html.P("Inga värden i rapporten har ändrats sedan dess."),
        ], **{"aria-labelledby": heading_id}))
    return out


def layout(ar: str | None = None, **_query) -> html.Div:
    admin = auth.admin_user() is not None
    this_year = date.today().year
    years = list(range(this_year, this_year - 12, -1))
    chosen = urlstate.int_param(ar, years, this_year - 1)  # the follow-up year of the menu
    freeze = html.Section([
        html.H2("Fastställ årets rapport", id="faststall"),
        html.P("Rapporten skapas som PDF och Word från dagens värden (utan utkast till "
               "analystexter) och sparas som en ny version med datum och ditt namn. Den "
               "ändras aldrig efteråt; fastställer du igen blir det en ny version.",
               className="hint"),
        select(YEAR, "År", [{"label": str(y), "value": str(y)} for y in years], str(chosen)),
        html.Button("Fastställ rapporten", id=FREEZE, className="button", type="button"),
        html.Div(id=FEEDBACK, role="status", **{"aria-live": "polite"}),
    ], className="admin-form", **{"aria-labelledby": "faststall"}) if admin else None
    return html.Div([
        html.H1("Rapporter"),
        html.P("Fastställda årsrapporter till kommunstyrelsen, precis som de fastställdes. "
               "Värden som Kolada eller en import har reviderat efteråt visas under varje år; "
               "rapporten själv ändras inte.", className="lead"),
        freeze,
        html.Section([html.H2("Fastställda rapporter", id="arkiv"),
                      html.Div(listing(), id=LISTING)],
                     **{"aria-labelledby": "arkiv"}),
    ])


@callback(Output(FEEDBACK, "children"), Output(LISTING, "children"),
          Input(FREEZE, "n_clicks"), State(YEAR, "value"), prevent_initial_call=True)
def _freeze(clicks, year):
    user = auth.admin_user()
    if user is None:
        return refusal(), dash.no_update
    year = digits.whole_number(str(year), max_digits=4)
    if not clicks or year is None:
        return dash.no_update, dash.no_update
    try:
        frozen = archived.freeze_report(runtime.engine(), runtime.settings(), year,
                                        user.username)
    except MalbildError as exc:
        return message(["Rapporten fastställdes inte: ", exc.explain()], "error"), \
            dash.no_update
    return (message(f"Rapporten för {frozen.year} är fastställd som version "
                    f"{frozen.version}.", "ok"), listing())
