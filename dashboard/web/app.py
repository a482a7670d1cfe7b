"""The Dash app factory. Pages live in `dashboard/web/pages`, one module each."""

from __future__ import annotations

import importlib
import json

import dash
from dash import Dash, html

from dashboard.store import cache, queries, runtime
from dashboard.tasks import background, warming
from dashboard.web import (
    admin_routes,
    auth,
    callbacks,
    delivery,
    export_routes,
    first_visit,
    headers,
    ids,
    operations,
    page_cache,
    static_html,
    urlstate,
)
from dashboard.web.components import progress
from dashboard.web.components.admin import access_denied
from dashboard.web.components.common import READING_GUIDE
from etl.settings import PROJECT_ROOT, Settings, get_settings

PAGE_MODULES = (
    "dashboard.web.pages.overview",
    "dashboard.web.pages.goal",
    "dashboard.web.pages.explore",
    "dashboard.web.pages.reports",
    "dashboard.web.pages.news",
    "dashboard.web.pages.subscription",
    "dashboard.web.pages.accessibility",
    "dashboard.web.pages.reading_guide",
    "dashboard.web.pages.login",
    "dashboard.web.pages.admin",
    "dashboard.web.pages.admin_import",
    "dashboard.web.pages.admin_targets",
    "dashboard.web.pages.admin_analysis",
    "dashboard.web.pages.admin_users",
    "dashboard.web.pages.admin_audit",
    "dashboard.web.pages.not_found_404",
)

INDEX_STRING = """<!DOCTYPE html>
<html lang="sv">
    <head>
        {%metas%}
        <title>{%title%}</title>
        <link rel="icon" href="data:,">
        {%css%}
    </head>
    <body>
        {%app_entry%}
        {%config%}
        {%scripts%}
        {%renderer%}
    </body>
</html>"""


# The shell is drawn once for many pages: assets/nav.js gives these links the follow-up year
# (?ar=) of the page shown, as the pages' own links have it from the server.
YEAR_CARRIED = {"data-carry-year": "ar"}


def nav_links(goal_rows, *, admin: bool = False) -> list:
    """The main menu, built from the page registry and the goals in the database."""
    links = [("/", "Översikt")]
    links += [(f"/mal/{g.number}", f"Mål {g.number}") for g in goal_rows.itertuples()]
    links += [(page["relative_path"], page["name"]) for page in dash.page_registry.values()
              if page.get("in_nav")]
    if admin:
        links.append(("/admin", "Administration"))
    return [html.Li(html.A(text, href=href, className="nav-link", **YEAR_CARRIED))
            for href, text in links]


def account_box() -> html.Div:
    """Who is logged in, with a way out; or a way in."""
    who = auth.identity()
    if who.user is None:
        return html.Div(html.A("Logga in", href=auth.LOGIN_PATH, className="nav-link"),
                        className="account")
    text = html.Span([who.user.username, html.Span(f" ({who.user.role_label})",
                                                   className="account-role")],
                     className="account-name")
    if who.source == "sso":  # the municipality's sign-on decides when it ends
        return html.Div(text, className="account")
    return html.Div([
        text,
        html.Form(html.Button("Logga ut", type="submit", className="nav-button"),
                  method="POST", action=auth.LOGOUT_PATH, className="logout"),
    ], className="account")


def shell() -> html.Div:
    """Skip link, header with the menu, the one `main` landmark, and the footer."""
    engine = runtime.engine()
    settings = runtime.settings()
    try:
        strategy = queries.strategy_info(engine, settings.municipality)
        goal_rows = queries.goals(engine)
        place = strategy.place
    except Exception:  # an empty database still gets a page that says what to do
        strategy, goal_rows, place = None, None, ""
    if not auth.allowed(auth.READ):  # without public reading, nothing before logging in
        goal_rows = None
    menu = nav_links(goal_rows, admin=auth.admin_user() is not None) \
        if goal_rows is not None else [html.Li(html.A("Översikt", href="/", className="nav-link"))]
    return html.Div([
        html.A("Hoppa till innehållet", href=f"#{ids.MAIN}", className="skip-link"),
        html.Header([
            html.Div([
                html.A([html.Span("Målbild", className="brand-name"),
                        html.Span(place, className="brand-place")],
                       href="/", className="brand", **YEAR_CARRIED),
                html.Nav(html.Ul(menu), **{"aria-label": "Huvudmeny"}),
                account_box(),
            ], className="header-inner"),
        ], className="site-header"),
        html.Main(first_visit.page_container(), id=ids.MAIN, tabIndex="-1"),
        html.Footer([
            html.P([
                "Källor: Kolada (RKA) och kommunens medarbetarenkät. ",
                "Värden märkta ", html.Strong("Exempeldata"),
                " är påhittade för demonstration. ",
            ]),
            html.P([strategy.name if strategy else "Ingen strategi inläst", " · ",
                    html.A("Så läser du Målbild", href=READING_GUIDE, **YEAR_CARRIED), " · ",
                    html.A("Tillgänglighetsredogörelse", href="/tillganglighet",
                           **YEAR_CARRIED)]),
        ], className="site-footer"),
    ], className="page")


def _callback_specs(app: Dash) -> list[dict]:
    """The app's callbacks as `/_dash-dependencies` lists them (Dash's public answer)."""
    return json.loads(app.dependencies().get_data(as_text=True))


_the_app: Dash | None = None  # Dash supports one app per process (plotly/dash#2399)


def point_at(app: Dash, settings: Settings) -> None:
    """Point the app at `settings`: its database (and engine), caches, session key, upload
    limit and page warming. The app factory does it once; a test process that serves many
    databases from its one app does it per database."""
    runtime.configure(settings)
    cache.configure(settings.redis_url, settings.cache, settings.page_cache,
                    cache.PageLimits.of(settings))
    auth.configure(app.server, settings)
    warming.register(app, settings)


def app_for(settings: Settings) -> Dash:
    """The process's one app, made on the first call and pointed at `settings` on each."""
    if _the_app is None:
        return create_app(settings)
    point_at(_the_app, settings)
    return _the_app


def create_app(settings: Settings | None = None) -> Dash:
    """Build the process's Dash app for `settings` (from the environment if not given).
    Dash supports one app per process: a second is refused (`app_for` points the one app
    elsewhere)."""
    global _the_app
    if _the_app is not None:
        raise RuntimeError("Målbild har redan en Dash-app i den här processen "
                           "(Dash stöder en app per process); använd app_for(settings).")
    settings = settings or get_settings()
    runtime.configure(settings)
    cache.configure(settings.redis_url, settings.cache, settings.page_cache,
                    cache.PageLimits.of(settings))
    assets = PROJECT_ROOT / "assets"
    app_scripts = delivery.AppScripts(assets)
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(assets),
        # The partial plotly.js among the assets replaces Dash's full bundle
        # (dashboard/web/delivery).
        # The app's own scripts come as one file (before the components' scripts).
        assets_ignore=delivery.assets_ignore(assets, app_scripts),
        external_scripts=[app_scripts.url],
        title="Målbild",
        update_title=None,
        suppress_callback_exceptions=True,
        index_string=INDEX_STRING,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        # Reports and imports run as background callbacks: on the Celery workers with a
        # broker, else in a process of their own on this machine (dashboard/tasks).
        background_callback_manager=background.manager(settings),
    )
    for name in PAGE_MODULES:
        module = importlib.import_module(name)
        # Dash fills in `layout` only for pages it imports itself (from a pages folder); each
        # page declares who may see it (`ACCESS`), checked whenever the layout is drawn.
        dash.page_registry[name]["layout"] = static_html.compacting(operations.database_safe(
            auth.guarded(urlstate.bounded(module.layout), getattr(module, "ACCESS", auth.READ),
                         access_denied)))
    callbacks.attach(app)
    static_html.remember_callbacks(_callback_specs(app))
    static_html.remember_ids(progress.progress_ids())
    app.layout = static_html.compacting(shell)
    # First: its compression must run after every other hook.
    delivery.register(app.server, app_scripts)
    auth.register(app.server, settings)
    export_routes.register(app.server)
    admin_routes.register(app.server)
    operations.register(app.server)
    operations.refuse_unknown_callbacks(app)
    page_cache.cache_page_answers(app.server, runtime.engine, auth.cache_identity)
    headers.register(app)
    from dashboard.web.pages import admin_import

    app.server.register_error_handler(413, admin_import.upload_too_large)
    warming.register(app, settings)
    _the_app = app
    return app
