"""Rapporter: the fastställda yearly reports, every version, to download exactly as they were
archived, and the values Kolada or an import has revised since. Administrators fastställer a
year's report here (it is logged); everyone who may read the pages may download."""

from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html

from dashboard.present import addresses
from dashboard.present.export import archive as archived
from dashboard.present.export import report
from dashboard.present.export.report_files import FORMATS
from dashboard.store import queries, runtime
from dashboard.tasks import jobs
from dashboard.web import auth, orders
from dashboard.web.callbacks import callback
from dashboard.web.components import progress
from dashboard.web.components.admin import message, refusal, select, text_input
from dashboard.web.components.common import table_view
from dashboard.web.components.report_links import frozen_block
from etl import archive, digits
from etl.errors import MalbildError
from etl.followup import verdict as verdicts

ACCESS = auth.READ

dash.register_page(__name__, path="/rapporter", name="Rapporter",
                   title="Rapporter – Målbild", order=3, in_nav=True)

YEAR = "reports-year"
CASE = "reports-case"
REGISTRATION = "reports-registration"
OFFICER = "reports-officer"
PREVIEW = "reports-preview"
PREVIEW_AREA = "reports-preview-area"
FREEZE = "reports-freeze"
FEEDBACK = "reports-feedback"
LISTING = "reports-listing"
MAKE_YEAR = "reports-make-year"
MAKE_FORMAT = "reports-make-format"
MAKE = "reports-make"
MAKE_ORDER = "reports-make-order"
MAKE_RESULT = "reports-make-result"
MAKE_FILE = "reports-make-file"
MAKE_PROGRESS = "reports-make-progress"


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
        heading_id = f"rapport-{year}"
        out.append(html.Section([html.H3(f"Rapporten {year}", id=heading_id),
                                 *frozen_block(newest, html.H4)],
                                **{"aria-labelledby": heading_id}))
    return out


def _year_options(asked: str | None) -> tuple[list[dict], str | None]:
    """The follow-up years (years with data), the latest first; the default is the year in
    the address (?ar=), else the follow-up year the pages show, never a target year ahead."""
    items = queries.goal_followups(runtime.engine(), runtime.settings())
    years = sorted(verdicts.follow_up_years(items), reverse=True)
    default = addresses.int_param(asked, years, verdicts.default_year(items))
    return [{"label": str(y), "value": str(y)} for y in years], (
        str(default) if default else None)


def make_section(options: list[dict], default: str | None, admin: bool) -> html.Section:
    """Today's report for a year, made in the background with progress, then downloaded."""
    drafts = ("Som administratör får du med analystexter som ännu är utkast." if admin else
              "Analystexter som ännu är utkast kommer inte med.")
    return html.Section([
        html.H2("Skapa årets rapport", id="skapa"),
        html.P("Rapporten skapas från dagens värden med ett diagram per mått; det tar en "
               f"stund. Sidan går att använda under tiden. {drafts}", className="hint"),
        html.Div([
            select(MAKE_YEAR, "År", options, default),
            select(MAKE_FORMAT, "Format", [{"label": f.label, "value": f.suffix}
                                           for f in FORMATS.values()], next(iter(FORMATS))),
        ], className="control-grid admin-grid"),
        html.Button("Skapa rapporten", id=MAKE, className="button", type="button"),
        progress.progress_box(MAKE_PROGRESS, "Rapporten skapas"),
        html.Div(id=MAKE_RESULT, role="status", **{"aria-live": "polite"}),
        dcc.Store(id=MAKE_ORDER),
        dcc.Download(id=MAKE_FILE),
    ], className="admin-form", **{"aria-labelledby": "skapa"})


def layout(ar: str | None = None, **_query) -> html.Div:
    admin = auth.admin_user() is not None
    options, default = _year_options(ar)
    freeze = None
    if admin:
        freeze = html.Section([
            html.H2("Fastställ årets rapport", id="faststall"),
            html.P("Rapporten skapas som PDF och Word från dagens värden (bara fastställda "
                   "analystexter) och sparas som en ny version med datum och ditt namn på "
                   "försättsbladet och i dokumentens egenskaper. Den ändras aldrig efteråt; "
                   "fastställer du igen blir det en ny version. Förhandsgranska först.",
                   className="hint"),
            select(YEAR, "Uppföljningsår", options, default),
            text_input(CASE, "Ärende", "", hint="Ärendets rubrik, på försättsbladet."),
            text_input(REGISTRATION, "Diarienummer", ""),
            text_input(OFFICER, "Handläggare", ""),
            html.Button("Förhandsgranska", id=PREVIEW, className="button", type="button"),
            html.Div(id=PREVIEW_AREA, role="region", **{"aria-live": "polite",
                                                          "aria-label": "Förhandsgranskning"}),
            html.Button("Bekräfta och fastställ", id=FREEZE, className="button", type="button",
                        hidden=True),
            html.Div(id=FEEDBACK, role="status", **{"aria-live": "polite"}),
        ], className="admin-form", **{"aria-labelledby": "faststall"})
    return html.Div([
        html.H1("Rapporter"),
        html.P("Fastställda årsrapporter till kommunstyrelsen, precis som de fastställdes. "
               "Värden som Kolada eller en import har reviderat efteråt visas under varje år; "
               "rapporten själv ändras inte.", className="lead"),
        make_section(options, default, admin),
        freeze,
        html.Section([html.H2("Fastställda rapporter", id="arkiv"),
                      html.Div(listing(), id=LISTING)],
                     **{"aria-labelledby": "arkiv"}),
    ])


def preview(check: archived.FreezeCheck) -> list:
    """What the freeze will make and what it lacks, before the administrator confirms."""
    out = [html.H3(f"Förhandsgranskning: rapporten {check.year} blir fastställd version "
                   f"{check.version}"),
           *(html.P([html.Strong(f"{heading}. "), text]) for heading, text in check.results)]
    if check.without_text:
        out += [html.P(f"Saknar fastställd analystext ({len(check.without_text)}):"),
                html.Ul([html.Li(name) for name in check.without_text])]
    else:
        out.append(html.P("Alla mått har en fastställd analystext."))
    if len(check.changed):
        out.append(table_view(check.changed, "Värden som ändrats sedan förra fastställda "
                                             "versionen", open_=True))
    elif check.version > 1:
        out.append(html.P("Inga värden har ändrats sedan förra fastställda versionen."))
    out += [html.P(html.A("Öppna utkastet som PDF", href=f"/export/rapport/{check.year}.pdf",
                          download=f"arsrapport-{check.year}.pdf")),
            html.P("Stämmer det? Bekräfta för att fastställa.", className="hint")]
    return out


@callback(Output(PREVIEW_AREA, "children"), Output(FREEZE, "hidden"),
          Input(PREVIEW, "n_clicks"), State(YEAR, "value"), prevent_initial_call=True)
def _preview(clicks, year):
    if auth.admin_user() is None:
        return refusal(), True
    year = digits.whole_number(str(year), max_digits=4)
    if not clicks or year is None:
        return dash.no_update, dash.no_update
    try:
        check = archived.freeze_check(runtime.engine(), runtime.settings(), year)
    except MalbildError as exc:
        return message(["Rapporten kan inte förhandsgranskas: ", exc.explain()], "error"), True
    return preview(check), False


@callback(Output(FEEDBACK, "children"), Output(LISTING, "children"),
          Output(FREEZE, "hidden", allow_duplicate=True),
          Input(FREEZE, "n_clicks"), State(YEAR, "value"), State(CASE, "value"),
          State(REGISTRATION, "value"), State(OFFICER, "value"), prevent_initial_call=True)
def _freeze(clicks, year, case="", registration="", officer=""):
    user = auth.admin_user()
    if user is None:
        return refusal(), dash.no_update, True
    year = digits.whole_number(str(year), max_digits=4)
    if not clicks or year is None:
        return dash.no_update, dash.no_update, dash.no_update
    try:
        frozen = archived.freeze_report(
            runtime.engine(), runtime.settings(), year, user.username,
            case=report.CaseFacts(case or "", registration or "", officer or ""))
    except MalbildError as exc:
        return message(["Rapporten fastställdes inte: ", exc.explain()], "error"), \
            dash.no_update, dash.no_update
    return (message(f"Rapporten för {frozen.year} är fastställd som version "
                    f"{frozen.version}.", "ok"), listing(), True)


@callback(Output(MAKE_ORDER, "data"), Output(MAKE_RESULT, "children"),
          Input(MAKE, "n_clicks"), State(MAKE_YEAR, "value"), State(MAKE_FORMAT, "value"),
          prevent_initial_call=True)
def _order_report(clicks, year, suffix):
    """Who asks is known here, in the request; the job gets it signed (drafts for admins)."""
    year = digits.whole_number(str(year), max_digits=4)
    if not clicks or year is None or suffix not in FORMATS:
        return dash.no_update, message("Välj år och format.", "error")
    order = orders.sign(runtime.settings(), year=year, suffix=suffix,
                        drafts=auth.admin_user() is not None)
    return order, None


@callback(Output(MAKE_FILE, "data"), Output(MAKE_RESULT, "children", allow_duplicate=True),
          Input(MAKE_ORDER, "data"), prevent_initial_call=True, background=True,
          progress=progress.progress_outputs(MAKE_PROGRESS),
          running=progress.running_outputs(MAKE_PROGRESS, MAKE),
          cancel=progress.cancel_inputs(MAKE_PROGRESS))
def _make_report(set_progress, order):
    """On a worker (or in a process of its own): the report, step by step, as a download.
    Reads only what the order says, which the server signed."""
    if not order:
        return dash.no_update, dash.no_update
    settings = runtime.settings()
    try:
        wanted = orders.read(settings, order)
        content = jobs.report_file(runtime.engine(), settings, wanted["year"],
                                   wanted["suffix"], include_drafts=wanted["drafts"],
                                   progress=progress.step(set_progress))
    except MalbildError as exc:
        return dash.no_update, message(["Rapporten kunde inte skapas: ", exc.explain()],
                                       "error")
    name = f"arsrapport-{wanted['year']}.{wanted['suffix']}"
    return (dcc.send_bytes(content, name),
            message(f"Klar: {name} laddas ner ({round(len(content) / 1024)} KiB).", "ok"))
