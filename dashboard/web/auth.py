"""Who is asking, and what they may see and change.

Two roles: *viewer* (läsare) and *admin* (administratör). A person is known by a local account
(logged in with a password, kept in a signed session cookie) or, where the municipality has
single sign-on, by a user name that a reverse proxy puts in a header — trusted only when the
request comes from one of `MALBILD_TRUSTED_PROXIES`. The role is read from the database on
every request, so a changed role, a disabled account or a new password take effect at once,
in every worker.

What each page needs is declared by the page module (`ACCESS`): `OPEN` (the login page, the
accessibility statement), `READ` (the follow-up: public when `MALBILD_PUBLIC_READ` is on, else
for logged-in users), `LOGIN` (the staff survey per unit) or `ADMIN`. The checks here guard
addresses; every callback that writes checks the role again itself (`admin_user`).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_request_context,
    redirect,
    request,
    session,
)
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import Engine

from dashboard.store import accounts, runtime
from dashboard.web import router
from etl import users
from etl.settings import PROJECT_ROOT, Settings

log = logging.getLogger(__name__)

OPEN, READ, LOGIN, ADMIN = "open", "read", "login", "admin"
LOGIN_PATH = "/logga-in"
LOGOUT_PATH = "/logga-ut"
MAX_NEXT_CHARACTERS = 2_000  # a page to go back to after logging in; longer is no link of ours
SESSION_LIFETIME = users.SESSION_LIFETIME
SESSION_COOKIE = "malbild_session"
SECRET_KEY_FILE = PROJECT_ROOT / "var" / "secret_key"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Bodies larger than this are refused before they are read: an upload travels as base64 in a
# callback (a third larger than the file), and the file-size check itself gives the clear
# message for files up to half again the limit.
BODY_FACTOR = 2
SMALL_BODY_LIMIT = 2 * 1024 * 1024  # anything but an administrator's upload callback


@dataclass(frozen=True)
class Identity:
    user: users.User | None
    source: str = ""  # "lokal" (password and session) or "sso" (the proxy's header)

    @property
    def username(self) -> str:
        return self.user.username if self.user else ""


# --- Who is asking ------------------------------------------------------------------------------


def _in_networks(address: str, networks: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for network in networks:
        try:
            if ip in ipaddress.ip_network(network.strip(), strict=False):
                return True
        except ValueError:
            log.warning("MALBILD_TRUSTED_PROXIES: «%s» är ingen adress", network)
    return False


def from_trusted_proxy(settings: Settings | None = None) -> bool:
    settings = settings or runtime.settings()
    return _in_networks(request.remote_addr or "", settings.trusted_proxies)


def client_address() -> str:
    """The client's address: the peer's, or behind a trusted proxy the address that proxy
    appended to X-Forwarded-For (werkzeug's ProxyFix semantics: read from the right, past
    the trusted proxies; what the client itself wrote further left is never believed)."""
    peer = request.remote_addr or ""
    if not from_trusted_proxy():
        return peer
    networks = runtime.settings().trusted_proxies
    hops = [h.strip() for h in ",".join(request.headers.getlist("X-Forwarded-For")).split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _in_networks(hop, networks):
            return hop
    return peer


def is_https() -> bool:
    if request.is_secure:
        return True
    return (request.headers.get("X-Forwarded-Proto", "").lower() == "https"
            and from_trusted_proxy())


def _proxy_identity(engine: Engine, settings: Settings) -> Identity | None:
    header = settings.trust_proxy_user_header
    if not header:
        return None
    name = request.headers.get(header, "").strip()
    if not name:
        return None
    if not from_trusted_proxy(settings):
        log.warning("Rubriken %s kom från %s, som inte är en betrodd proxy; den används inte",
                    header, request.remote_addr)
        return None
    username = users.normalise_username(name)[:100]
    known = accounts.user_named(engine, username)
    if known is not None:
        return Identity(None if known.disabled else known, "sso")
    # Signed in by the municipality but without an account here: may read, never change.
    return Identity(users.User(None, username, "viewer"), "sso")


def _session_identity(engine: Engine) -> Identity | None:
    user_id = session.get("uid")
    if not isinstance(user_id, int):
        return None
    user = accounts.session_user(engine, session.get("sid"), user_id)
    if user is None or user.disabled or session.get("pw") != user.fingerprint:
        session.clear()
        return None
    return Identity(user, "lokal")


def identity() -> Identity:
    """The person behind this request (an empty Identity outside a request or logged out)."""
    if not has_request_context():
        return Identity(None)
    if "malbild_identity" not in g:
        engine, settings = runtime.engine(), runtime.settings()
        g.malbild_identity = (_proxy_identity(engine, settings) or _session_identity(engine)
                              or Identity(None))
    return g.malbild_identity


def current_user() -> users.User | None:
    return identity().user


def cache_identity() -> dict | None:
    """Who asks, as the page cache's key holds it (dashboard/store/cache.py): None for anonymous
    visitors, who share answers; for a logged-in person where the login comes from, the user id,
    the name and the role, so that a page drawn for them (which may name them, or show what only
    their role may see) is kept for them alone and never outlives a change of role."""
    who = identity()
    if who.user is None:
        return None
    return {"source": who.source, "user_id": who.user.id, "username": who.user.username,
            "role": "admin" if who.user.is_admin else "viewer"}


def admin_user() -> users.User | None:
    """The administrator making this request, or None. Every write callback asks this itself."""
    user = current_user()
    return user if user is not None and user.is_admin else None


def allowed(level: str) -> bool:
    user = current_user()
    if level == OPEN:
        return True
    if level == READ:
        return runtime.settings().public_read or user is not None
    if level == LOGIN:
        return user is not None
    return user is not None and user.is_admin


# --- Pages --------------------------------------------------------------------------------------


def page_level(path: str) -> str:
    """The access level of the page at `path` (READ for unknown paths: they show the 404)."""
    import dash

    for module, page in dash.page_registry.items():
        template = (page.get("path_template") or page["path"]).strip("/")
        parts, wanted = template.split("/"), path.strip("/").split("/")
        if len(parts) == len(wanted) and all(
                p.startswith("<") or p == w for p, w in zip(parts, wanted, strict=True)):
            return getattr(sys.modules.get(module), "ACCESS", READ)
    return READ


def login_link(path: str = "/") -> str:
    return f"{LOGIN_PATH}?nasta={quote(safe_next(path), safe='/')}"


def safe_next(target: str | None) -> str:
    """Only a path on this site (never "//elsewhere" or "https://…") of a sensible length to
    go back to."""
    target = (target if isinstance(target, str) else "/").strip() or "/"
    if len(target) > MAX_NEXT_CHARACTERS:
        return "/"
    parts = urlsplit(target)
    if (not target.startswith("/") or target.startswith("//") or "\\" in target
            or parts.scheme or parts.netloc
            or not target.isprintable()):  # a line break would split the header
        return "/"
    return target


def guarded(layout, level: str, refusal):
    """A page layout that shows what it should only to those allowed to see it; to others it
    shows `refusal(level, user, path)` (drawn by the components, which build on this module)."""
    if level == OPEN:
        return layout

    def guarded_layout(**kwargs):
        if allowed(level):
            return layout(**kwargs)
        return refusal(level, current_user(), _requested_path())

    guarded_layout.__name__ = getattr(layout, "__name__", "layout")
    return guarded_layout


# The address of the page drawn into the index HTML (dashboard/web/first_visit.py), in flask.g.
FIRST_PAGE = "malbild_first_page"


def _requested_path() -> str:
    from dash import callback_context

    try:
        pathname = callback_context.inputs.get(f"{router.LOCATION}.pathname")
        search = callback_context.inputs.get(f"{router.LOCATION}.search") or ""
    except Exception:  # outside a callback: the page drawn into the index, if any
        pathname, search = (g.get(FIRST_PAGE) if has_request_context() else None) or ("/", "")
    return (pathname or "/") + search


# --- The Flask side: cookie, guards, login and logout -------------------------------------------


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or (
            has_request_context() and is_https())


def secret_key(settings: Settings) -> str:
    """MALBILD_SECRET_KEY, else a key kept in var/secret_key (shared by the workers of one
    machine), else one for this process only."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(SECRET_KEY_FILE)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            # Written aside and linked into place, so that workers starting together never
            # read a half-written key: the first link wins, the others read it.
            draft = path.with_name(f".{path.name}.{os.getpid()}")
            draft.write_text(secrets.token_urlsafe(48), encoding="ascii")
            draft.chmod(0o600)
            try:
                os.link(draft, path)
            except FileExistsError:
                pass
            finally:
                draft.unlink(missing_ok=True)
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
    except OSError as exc:
        log.warning("Kan inte spara sessionsnyckeln i %s (%s). Sätt MALBILD_SECRET_KEY; "
                    "inloggningar gäller nu bara i den här processen.", path, exc)
    return secrets.token_urlsafe(48)


def _same_origin() -> bool:
    """A state-changing request must come from a page of this site (no cross-site forms)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if not origin:
        return True  # not a browser form or script (command-line clients, tests)
    hosts = {request.host}
    forwarded = request.headers.get("X-Forwarded-Host")
    if forwarded and from_trusted_proxy():
        hosts.add(forwarded.split(",")[0].strip())
    return urlsplit(origin).netloc in hosts


def _forbidden(text: str, status: int = 403) -> Response:
    return Response(text + "\n", status=status, content_type="text/plain; charset=utf-8")


def _body_limit() -> None:
    """Only an administrator's callbacks (the uploads) may send large bodies; everyone else
    gets the small limit, checked before the body is read."""
    if request.path == "/_dash-update-component" and admin_user() is not None:
        request.max_content_length = current_app.config["MALBILD_UPLOAD_BODY_LIMIT"]


def _guard():
    """Runs before every request: cross-site writes, page addresses, downloads, callbacks."""
    _body_limit()
    if request.method in UNSAFE_METHODS and not _same_origin():
        return _forbidden("Begäran kom från en annan webbplats och avvisas.")
    endpoint = request.url_rule.endpoint if request.url_rule else ""
    if endpoint in ("/", "/<path:path>"):  # a page address: Dash's index
        level = page_level(request.path)
        if allowed(level):
            return None
        if current_user() is None:
            return redirect(login_link(request.full_path.rstrip("?")), code=302)
        g.malbild_status = 403
        return None
    if endpoint == "/_dash-update-component" and not allowed(READ):
        body = request.get_json(silent=True) or {}
        if router.page_request(body) is None:  # the router draws guarded layouts itself
            return _forbidden("Logga in för att se det här.", 401)
    if endpoint.startswith("export_"):
        needs = LOGIN if "/forvaltningar/" in request.path else READ
        if not allowed(needs):
            return _forbidden(f"Logga in för att ladda ner det här: {LOGIN_PATH}", 401)
    return None


def _after(response: Response) -> Response:
    """A page a logged-in viewer may not see is still drawn (saying so), with status 403; no
    page may be framed by another site (clickjacking of the admin pages)."""
    status = g.get("malbild_status")
    if status and response.status_code == 200:
        response.status_code = status
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _login() -> Response:
    form = request.form
    target = safe_next(form.get("nasta"))
    username = users.normalise_username(form.get("anvandare", ""))
    result = users.authenticate(runtime.engine(), username, form.get("losenord", ""),
                                client_address())
    if not result.ok:
        reason = "spärrad" if result.locked_until else "fel"
        return redirect(f"{LOGIN_PATH}?fel={reason}&nasta={quote(target, safe='/')}", code=303)
    users.end_session(runtime.engine(), session.get("sid"))  # never keep a session id given
    session.clear()
    session.permanent = True
    session["uid"] = result.user.id
    session["pw"] = result.user.fingerprint
    session["sid"] = users.start_session(runtime.engine(), result.user.id)
    return redirect(target, code=303)


def _logout() -> Response:
    """End the session on the server too, so a copy of the cookie is worth nothing."""
    users.end_session(runtime.engine(), session.get("sid"))
    session.clear()
    return redirect("/", code=303)


def configure(server: Flask, settings: Settings) -> None:
    """What of the sessions and uploads comes from the settings: the signing key and the
    largest upload body."""
    server.secret_key = secret_key(settings)
    server.config["MALBILD_UPLOAD_BODY_LIMIT"] = (BODY_FACTOR * settings.upload_max_bytes
                                                  + 1024 * 1024)


def register(server: Flask, settings: Settings) -> None:
    """Sessions, the guards and the login and logout addresses on the Dash app's server."""
    configure(server, settings)
    server.session_interface = _SessionInterface()
    server.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        MAX_CONTENT_LENGTH=SMALL_BODY_LIMIT,
    )
    server.before_request(_guard)
    server.after_request(_after)
    server.add_url_rule(LOGIN_PATH, "malbild_login", _login, methods=["POST"])
    server.add_url_rule(LOGOUT_PATH, "malbild_logout", _logout, methods=["POST"])
