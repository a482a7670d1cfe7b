"""The parts of a page that never change, each drawn as one component.

Dash draws every component through wrappers of its own (an error boundary, its loading state,
a subscription to the renderer's store): worth it for what callbacks read or change, pure cost
for the headings, paragraphs, lists and links that never change, most of every page. So before
a layout leaves the server, each largest run of plain HTML components that no callback reads or
writes becomes one `native.Static`, which carries the same elements as data and is drawn by
React directly (`assets/native-controls.js`): the same elements, attributes and text in the
page, for a fraction of the work. Anything with an id a callback uses stays a Dash component,
and so does everything around it.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable

from dash.development.base_component import Component

from dashboard.web import router
from dashboard.web.components import native

HTML_NAMESPACE = "dash_html_components"
# Props of Dash's HTML components that are not attributes of the element.
NOT_ATTRIBUTES = frozenset({"children", "n_clicks", "n_clicks_timestamp", "disable_n_clicks",
                            "loading_state", "key"})
# Dash's page router, whose callback Dash declares itself (not among the pages' callbacks).
ROUTER_IDS = router.IDS
# Every id a callback uses, gathered from the callbacks the pages declare (at import, once per
# process, the same for every app of the process: a page kept in a shared cache is drawn alike).
_live: set[str] = set(ROUTER_IDS)


def remember_callbacks(callbacks: list[dict]) -> None:
    """Note the ids the callbacks (as Dash lists them) read (input, state) or write (output),
    and "<id>.children" for each whose children a callback reads (left as they are)."""
    for spec in callbacks:
        outputs = spec["output"].strip(".").split("...")
        _live.update(output.rsplit(".", 1)[0] for output in outputs)
        for dep in spec.get("inputs", []) + spec.get("state", []):
            _live.add(str(dep["id"]))
            if dep.get("property") == "children":
                _live.add(f"{dep['id']}.children")
        # A background callback's `running=` props, set by the browser while it runs.
        running = (spec.get("running") or {}).get("running", {})
        _live.update(prop.rsplit(".", 1)[0] for prop in running)


def remember_ids(ids: set[str]) -> None:
    """Ids that callbacks write although Dash does not list them (`progress=` outputs)."""
    _live.update(ids)


def callback_ids() -> frozenset[str]:
    return frozenset(_live)


def _described(node) -> tuple[str, str, dict] | None:
    """(namespace, type, props) of a component, or of one already in the form Dash sends
    (`components.common.element`); None for anything else."""
    if isinstance(node, Component):
        node = node.to_plotly_json()
    if isinstance(node, dict) and {"type", "namespace", "props"} <= node.keys():
        return node["namespace"], node["type"], node["props"]
    return None


def _element(node, live: frozenset[str]) -> list | None:
    """The component as a static element ([tag, attributes, *children]); None if it, or
    anything in it, is not plain HTML that no callback uses."""
    described = _described(node)
    if described is None or described[0] != HTML_NAMESPACE:
        return None
    _, kind, props = described
    ident = props.get("id")
    if ident is not None and (not isinstance(ident, str) or ident in live):
        return None
    attributes = {}
    for name, value in props.items():
        if name in NOT_ATTRIBUTES or value is None:
            continue
        if isinstance(value, Component | dict) and name != "style":
            return None
        attributes[name] = value
    children = []
    for child in _as_list(props.get("children")):
        if isinstance(child, str | int | float):
            children.append(child)
        elif child is not None:
            element = _element(child, live)
            if element is None:
                return None
            children.append(element)
    return [kind.lower(), attributes, *children]


def _as_list(children) -> list:
    if children is None:
        return []
    return list(children) if isinstance(children, list | tuple) else [children]


def compact(node, live: frozenset[str]):
    """The layout with its static runs as `native.Static` components (a new tree: the
    components given are not changed)."""
    if not isinstance(node, Component):
        return node
    element = _element(node, live)
    if element is not None:
        return native.Static(tree=[element])
    if f"{getattr(node, 'id', None)}.children" in live:
        return node
    children = getattr(node, "children", None)
    if children is None or not isinstance(children, Component | list | tuple):
        return node
    out, run = [], []  # a run starts with an element; text after it belongs to the run
    for child in _as_list(children):
        element = None if isinstance(child, str | int | float) else _element(child, live)
        if element is not None or (run and isinstance(child, str | int | float)):
            run.append(element if element is not None else child)
            continue
        if run:
            out.append(native.Static(tree=run))
            run = []
        out.append(compact(child, live))
    if run:
        out.append(native.Static(tree=run))
    result = copy.copy(node)
    result.children = out[0] if len(out) == 1 and not isinstance(children, list | tuple) \
        else out
    return result


def compacting(layout: Callable) -> Callable:
    """A page's layout function whose layout leaves with its static runs compacted."""

    @functools.wraps(layout)
    def draw(*args, **kwargs):
        return compact(layout(*args, **kwargs), callback_ids())

    return draw
