"""Download addresses on the dashboard's Flask server: charts, data and the yearly report.

    /export/chart/<key>.png|svg|pdf|xlsx|csv   one chart (keys: see dashboard.charts)
    /export/chart/utforska/<chart>.<format>?…  a chart of the explore page, for its query
    /export/data.xlsx|csv[?mal=N]              the whole follow-up, a sheet per goal
    /export/rapport/<year>.docx|pdf            the yearly report for kommunstyrelsen

Each route glues a query or builder to a writer; failures answer in Swedish with a status code.
"""

from __future__ import annotations

from flask import Flask, Response, request

from dashboard import auth, charts, exploration, explore_charts, runtime
from dashboard.export import downloads, images
from etl.errors import MalbildError

DATA_FORMATS = {"xlsx": downloads.XLSX_MEDIA_TYPE, "csv": downloads.CSV_MEDIA_TYPE}
REPORT_FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _file(content: bytes, media_type: str, filename: str) -> Response:
    response = Response(content, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _problem(status: int, text: str) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain; charset=utf-8")


def _split(name: str, allowed) -> tuple[str, str] | None:
    stem, _, suffix = name.rpartition(".")
    return (stem, suffix.lower()) if stem and suffix.lower() in allowed else None


def chart_download(name: str) -> Response:
    parts = _split(name, (*images.FORMATS, *DATA_FORMATS))
    if parts is None:
        return _problem(404, "Okänt format. Välj .png, .svg, .pdf, .xlsx eller .csv.")
    key, suffix = parts
    engine, settings = runtime.engine(), runtime.settings()
    try:
        if key.startswith(explore_charts.PREFIX):  # the explore page's view, by its query
            explored = exploration.build_view(engine, settings, request.args.to_dict())
            view = explore_charts.chart_view(explored, key.removeprefix(explore_charts.PREFIX))
        else:
            view = charts.chart_view(engine, settings, key)
    except KeyError as exc:
        return _problem(404, str(exc.args[0]) if exc.args else "Diagrammet finns inte.")
    filename = f"{view.file_stem}.{suffix}"
    if suffix == "xlsx":
        return _file(downloads.chart_workbook(engine, settings, view), DATA_FORMATS[suffix],
                     filename)
    if suffix == "csv":
        return _file(downloads.chart_csv(view), DATA_FORMATS[suffix], filename)
    try:
        content = images.chart_image(view.figure, suffix)
    except MalbildError as exc:
        return _problem(503, exc.explain())
    return _file(content, images.MEDIA_TYPES[suffix], filename)


def data_download(suffix: str) -> Response:
    if suffix not in DATA_FORMATS:
        return _problem(404, "Okänt format. Välj .xlsx eller .csv.")
    engine, settings = runtime.engine(), runtime.settings()
    goal = request.args.get("mal", type=int)
    try:
        content = (downloads.followup_workbook if suffix == "xlsx" else downloads.followup_csv)(
            engine, settings, goal)
    except KeyError as exc:
        return _problem(404, str(exc.args[0]))
    name = "malbild-uppfoljning" + (f"-mal-{goal}" if goal else "")
    return _file(content, DATA_FORMATS[suffix], f"{name}.{suffix}")


def report_download(name: str) -> Response:
    from dashboard.export import report

    parts = _split(name, REPORT_FORMATS)
    if parts is None or not parts[0].isdigit():
        return _problem(404, "Ange år och format, t.ex. /export/rapport/2022.pdf eller .docx.")
    year, suffix = int(parts[0]), parts[1]
    engine, settings = runtime.engine(), runtime.settings()
    try:
        # Drafts (utkast) of the analysis texts only go into an administrator's report.
        content = report.report_bytes(engine, settings, year, suffix,
                                      include_drafts=auth.admin_user() is not None)
    except MalbildError as exc:
        return _problem(503 if isinstance(exc, images.ExportUnavailable) else 400,
                        exc.explain())
    except LookupError as exc:
        return _problem(404, str(exc.args[0]) if exc.args else str(exc))
    return _file(content, REPORT_FORMATS[suffix], f"arsrapport-{year}.{suffix}")


def register(server: Flask) -> None:
    """Add the download routes to the Dash app's Flask server."""
    server.add_url_rule("/export/chart/<path:name>", "export_chart", chart_download)
    server.add_url_rule("/export/data.<suffix>", "export_data", data_download)
    server.add_url_rule("/export/rapport/<name>", "export_report", report_download)
