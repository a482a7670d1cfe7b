"""Download addresses on the dashboard's Flask server: charts, data and the yearly report.

    /export/chart/<key>.png|svg|pdf|xlsx|csv[?ar=Y]   one chart (see dashboard.present.charts),
                                               with what was known for follow-up year Y
                                               (without ar: the pages' default year)
    /export/chart/utforska/<chart>.<format>?…  a chart of the explore page, for its query
    /export/data.xlsx|csv[?mal=N&ar=Y]         the follow-up up to year Y, a sheet per goal
    /export/rapport/<year>.docx|pdf|pptx       the yearly report for kommunstyrelsen
    /export/arkiv/<year>-<version>.docx|pdf    a fastställd report, exactly as archived

Each route glues a query or builder to a writer; failures answer in Swedish with a status code.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, Response, request

from dashboard.present import charts, exploration, explore_charts
from dashboard.present.export import downloads, images
from dashboard.store import queries, runtime
from dashboard.web import auth
from etl import digits
from etl.errors import MalbildError
from etl.followup import verdict as verdicts

DATA_FORMATS = {"xlsx": downloads.XLSX_MEDIA_TYPE, "csv": downloads.CSV_MEDIA_TYPE}


# Images and reports are drawn by one Chromium per process and take from a fraction of a second
# to several seconds: only this many at a time per worker process, so that a crowd asking for
# reports never takes every thread from the pages and /healthz. The others wait a moment, then
# are asked to try again (503).
MAX_RENDERS = 2
RENDER_WAIT_SECONDS = 2.0
_renders = threading.BoundedSemaphore(MAX_RENDERS)
BUSY = ("Servern ritar redan andra diagram och rapporter. Försök igen om en liten stund.")


class Busy(Exception):
    """Every render slot of this process is taken."""


@contextmanager
def render_slot() -> Iterator[None]:
    if not _renders.acquire(timeout=RENDER_WAIT_SECONDS):
        raise Busy
    try:
        yield
    finally:
        _renders.release()


def _rendered(make: Callable[[], bytes]) -> bytes:
    with render_slot():
        return make()


def _busy() -> Response:
    response = _problem(503, BUSY)
    response.headers["Retry-After"] = "5"
    return response


def _file(content: bytes, media_type: str, filename: str) -> Response:
    response = Response(content, content_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _problem(status: int, text: str) -> Response:
    return Response(text + "\n", status=status, content_type="text/plain; charset=utf-8")


def _split(name: str, allowed) -> tuple[str, str] | None:
    stem, _, suffix = name.rpartition(".")
    return (stem, suffix.lower()) if stem and suffix.lower() in allowed else None


def _follow_up_year(engine, settings) -> int | None:
    """The follow-up year of the address (?ar=), else the pages' default year."""
    return request.args.get("ar", type=int) or verdicts.default_year(
        queries.goal_followups(engine, settings))


def chart_download(name: str) -> Response:
    parts = _split(name, (*images.FORMATS, *DATA_FORMATS))
    if parts is None:
        return _problem(404, "Okänt format. Välj .png, .svg, .pdf, .xlsx eller .csv.")
    key, suffix = parts
    per_unit = charts.per_unit(key)
    if per_unit and not auth.allowed(auth.LOGIN):
        # The same answer whatever the name: a stranger learns nothing about which exist.
        return _problem(401, f"Logga in för att ladda ner det här: {auth.LOGIN_PATH}")
    engine, settings = runtime.engine(), runtime.settings()
    try:
        if key.startswith(explore_charts.PREFIX):  # the explore page's view, by its query
            explored = exploration.build_view(engine, settings, request.args.to_dict())
            view = explore_charts.chart_view(explored, key.removeprefix(explore_charts.PREFIX))
        else:
            view = charts.chart_view(engine, settings, key, _follow_up_year(engine, settings))
    except KeyError as exc:
        if per_unit:  # hidden, missing or without shown enheter: never say which
            return _problem(404, charts.NOT_SHOWN)
        return _problem(404, str(exc.args[0]) if exc.args else "Diagrammet finns inte.")
    filename = f"{view.file_stem}.{suffix}"
    if suffix == "xlsx":
        return _file(downloads.chart_workbook(engine, settings, view), DATA_FORMATS[suffix],
                     filename)
    if suffix == "csv":
        return _file(downloads.chart_csv(view), DATA_FORMATS[suffix], filename)
    try:
        content = _rendered(lambda: images.chart_image(view.figure, suffix))
    except Busy:
        return _busy()
    except MalbildError as exc:
        return _problem(503, exc.explain())
    return _file(content, images.MEDIA_TYPES[suffix], filename)


def data_download(suffix: str) -> Response:
    if suffix not in DATA_FORMATS:
        return _problem(404, "Okänt format. Välj .xlsx eller .csv.")
    engine, settings = runtime.engine(), runtime.settings()
    goal = digits.whole_number(request.args.get("mal"))
    try:
        content = (downloads.followup_workbook if suffix == "xlsx" else downloads.followup_csv)(
            engine, settings, goal, request.args.get("ar", type=int))
    except KeyError as exc:
        return _problem(404, str(exc.args[0]))
    name = "malbild-uppfoljning" + (f"-mal-{goal}" if goal else "")
    return _file(content, DATA_FORMATS[suffix], f"{name}.{suffix}")


def report_download(name: str) -> Response:
    from dashboard.present.export import report_files as report

    parts = _split(name, report.FORMATS)
    year = digits.whole_number(parts[0], max_digits=4) if parts else None
    if year is None:
        return _problem(404, "Ange år och format, t.ex. /export/rapport/2022.pdf, .docx "
                        "eller .pptx.")
    suffix = parts[1]
    engine, settings = runtime.engine(), runtime.settings()
    try:
        # Drafts (utkast) of the analysis texts only go into an administrator's report.
        drafts = auth.admin_user() is not None
        content = _rendered(lambda: report.report_bytes(engine, settings, year, suffix,
                                                        include_drafts=drafts))
    except Busy:
        return _busy()
    except MalbildError as exc:
        return _problem(503 if isinstance(exc, images.ExportUnavailable) else 400,
                        exc.explain())
    except LookupError as exc:
        return _problem(404, str(exc.args[0]) if exc.args else str(exc))
    return _file(content, report.FORMATS[suffix].media_type, f"arsrapport-{year}.{suffix}")


def archive_download(name: str) -> Response:
    """A fastställd report's stored bytes; readable by everyone who may read the pages."""
    from dashboard.present.export import archive as archived
    from etl import archive

    parts = _split(name, archived.MEDIA_TYPES)
    year_text, _, version_text = parts[0].partition("-") if parts else ("", "", "")
    year = digits.whole_number(year_text, max_digits=4)
    version = digits.whole_number(version_text, max_digits=6)
    if parts is None or year is None or version is None:
        return _problem(404, "Ange år, version och format, t.ex. /export/arkiv/2022-1.pdf.")
    try:
        content = archive.get(runtime.engine(), year, parts[1], version)
    except MalbildError as exc:
        return _problem(404, exc.explain())
    return _file(content, archived.MEDIA_TYPES[parts[1]],
                 archived.file_name(year, version, parts[1]))


def register(server: Flask) -> None:
    """Add the download routes to the Dash app's Flask server."""
    server.add_url_rule("/export/chart/<path:name>", "export_chart", chart_download)
    server.add_url_rule("/export/data.<suffix>", "export_data", data_download)
    server.add_url_rule("/export/rapport/<name>", "export_report", report_download)
    server.add_url_rule("/export/arkiv/<name>", "export_archive", archive_download)
