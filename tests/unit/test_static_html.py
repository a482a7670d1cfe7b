"""Static runs of a layout: one component each, the same elements, callbacks' ids untouched."""

from dash import dcc, html

from dashboard.web.components import native
from dashboard.web.static_html import compact


def test_a_static_run_becomes_one_component_with_the_same_elements():
    heading = html.H1("Mål 1", id="rubrik")
    layout = html.Div([
        heading,
        html.P(["Värde ", html.Strong("83,0 %"), "."], className="lead",
               **{"aria-live": "polite"}),
        "och text",
        dcc.Graph(id="diagram", figure={"data": []}),
        html.A("Mer <om> måttet", href="/mal/1#a", n_clicks=0),
    ], className="page")
    out = compact(layout, frozenset({"diagram"}))

    assert isinstance(out, html.Div) and out.className == "page"
    run, graph, last = out.children
    assert run.tree == [
        ["h1", {"id": "rubrik"}, "Mål 1"],
        ["p", {"className": "lead", "aria-live": "polite"}, "Värde ",
         ["strong", {}, "83,0 %"], "."],
        "och text"]
    assert graph is layout.children[3]
    assert last.tree == [["a", {"href": "/mal/1#a"}, "Mer <om> måttet"]]  # text stays text
    assert layout.children[0] is heading and len(layout.children) == 5  # the input unchanged


def test_what_callbacks_use_stays_a_dash_component():
    layout = html.Section([
        html.Div(html.Span("visas"), id="units"),
        html.Div([html.P("läses")], id="read"),
        html.Div([html.P("fast")]),
    ])
    out = compact(layout, frozenset({"units", "read", "read.children"}))
    units, read, fixed = out.children
    assert units.id == "units" and isinstance(units.children, native.Static)
    assert units.children.tree == [["span", {}, "visas"]]
    assert read is layout.children[1]  # a callback reads its children: left as it is
    assert isinstance(fixed, native.Static)


def test_a_wholly_static_page_is_one_component_and_non_html_is_never_compacted():
    assert compact(html.Div([html.H1("Sidan")]), frozenset()).tree == [
        ["div", {}, ["h1", {}, "Sidan"]]]
    store = dcc.Store(id="s", data={"a": 1})
    assert compact(store, frozenset()) is store
    assert compact("text", frozenset()) == "text"


def test_the_page_routers_ids_are_live_from_the_start():
    import dash.dash

    from dashboard.web import static_html

    router = {getattr(dash.dash, name) for name in dir(dash.dash) if name.startswith("_ID_")}
    # Read from dash.page_container (dashboard/web/router.py): the same as Dash's own constants.
    assert router == static_html.ROUTER_IDS
    assert router <= static_html.callback_ids()
    page = html.Div([html.H1("Tillgänglighet")], id="_pages_content")
    assert compact(page, static_html.callback_ids()).id == "_pages_content"


def test_the_ids_callbacks_use_are_remembered_from_dashs_list():
    from dashboard.web import static_html

    static_html.remember_callbacks([{
        "output": "..test-a.children...test-b.value..",
        "inputs": [{"id": "test-c", "property": "value"}],
        "state": [{"id": "test-d", "property": "children"}]}])
    assert {"test-a", "test-b", "test-c", "test-d", "test-d.children"} \
        <= static_html.callback_ids()
    assert "test-c.children" not in static_html.callback_ids()
