"""Download of the audit log for administrators: `/admin/logg.csv` and `/admin/logg.xlsx`.

The route checks the role itself (not only the page that links to it); texts written by users
are neutralised against formulas as in every other download.
"""

from __future__ import annotations

from flask import Flask, Response

from dashboard.present.export import data, downloads
from dashboard.store import runtime
from dashboard.web import auth

AUDIT_CSV = "/admin/logg.csv"
AUDIT_XLSX = "/admin/logg.xlsx"


def _download(suffix: str) -> Response:
    if auth.admin_user() is None:
        status = 401 if auth.current_user() is None else 403
        return Response("Loggen är bara för administratörer.\n", status=status,
                        content_type="text/plain; charset=utf-8")
    table = data.audit_table(runtime.engine())
    if suffix == "csv":
        content, media = downloads.csv_bytes(table), downloads.CSV_MEDIA_TYPE
    else:
        content, media = downloads.workbook_bytes([table]), downloads.XLSX_MEDIA_TYPE
    response = Response(content, content_type=media)
    response.headers["Content-Disposition"] = f'attachment; filename="malbild-logg.{suffix}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def register(server: Flask) -> None:
    server.add_url_rule(AUDIT_CSV, "admin_audit_csv", lambda: _download("csv"))
    server.add_url_rule(AUDIT_XLSX, "admin_audit_xlsx", lambda: _download("xlsx"))
