"""Dash's page router, seen only through Dash's public API.

The ids of the router's components are read from `dash.page_container` (public), never
written down here; the page for an address is found in `dash.page_registry` the way the
router finds it (its path template or its path), and the query string is parsed as the
router parses it. The first answer (dashboard/web/first_visit.py), the access guards and the page
cache all ask here.
"""

from __future__ import annotations

import fnmatch
import re
from urllib.parse import parse_qs

import dash


def _container_ids() -> dict[str, str]:
    """{"location", "content", "store", "dummy"}: the ids in `dash.page_container`."""
    found: dict[str, str] = {}
    divs = []
    for child in dash.page_container.to_plotly_json()["props"]["children"]:
        described = child.to_plotly_json()
        kind, ident = described["type"], described["props"].get("id")
        if kind == "Location":
            found["location"] = ident
        elif kind == "Store":
            found["store"] = ident
        else:
            divs.append(ident)
    found["content"], found["dummy"] = divs  # the page goes in the first, the title's echo after
    return found


_IDS = _container_ids()
LOCATION = _IDS["location"]
CONTENT = _IDS["content"]
STORE = _IDS["store"]
DUMMY = _IDS["dummy"]
IDS = frozenset(_IDS.values())
# The router's callback: the page and its title for the address.
OUTPUTS = ((CONTENT, "children"), (STORE, "data"))


def page_request(body) -> dict | None:
    """The router's request (the JSON body of a callback request) as structured JSON: what it
    writes (`outputs`: [[id, property]]), reads (`inputs`) and holds (`state`: [[id,
    property, value]]); None for any other callback or a body that is not such a request."""
    if not isinstance(body, dict):
        return None

    def parsed(key: str, with_value: bool) -> list | None:
        entries = body.get(key, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            return None
        return [[e.get("id"), e.get("property"), *([e.get("value")] if with_value else [])]
                for e in entries]

    outputs = parsed("outputs", with_value=False)
    if outputs is None or [tuple(o) for o in outputs] != list(OUTPUTS):
        return None
    inputs, state = parsed("inputs", with_value=True), parsed("state", with_value=True)
    if inputs is None or state is None:
        return None
    return {"outputs": outputs, "inputs": inputs, "state": state}


def container(pathname: str, search: str, content, title: str):
    """`dash.page_container` holding the page for the address already (a copy: Dash's own is
    left as it is). The location has the address, so the router is not asked again."""
    drawn = []
    for child in dash.page_container.children:
        described = child.to_plotly_json()
        kind = described["type"]
        props = {k: v for k, v in described["props"].items() if v is not None}
        cls = type(child)
        if kind == "Location":
            props.update(pathname=pathname, search=search)
        elif kind == "Store":
            props["data"] = {"title": title}
        elif props.get("id") == CONTENT:
            props["children"] = content
        drawn.append(cls(**props))
    return type(dash.page_container)(drawn)


def _variables(pathname: str, template: str) -> dict | None:
    """The variables of a path template ("/mal/<number>") in a path, or None if it does not
    match; as Dash's router reads them."""
    if not fnmatch.fnmatch(pathname, re.sub("<.*?>", "*", template)):
        return None
    names = re.findall("<(.*?)>", template)
    values = re.findall(re.sub("<.*?>", "(.*)", template), pathname)
    values = values[0] if values and isinstance(values[0], tuple) else values
    return dict(zip(names, values, strict=False))


def page_for(path: str) -> tuple[dict, dict | None]:
    """The registry's page for a path (without the app's prefix or slashes around it) and the
    variables of its template; ({}, None) when no page has that path."""
    for page in dash.page_registry.values():
        if page.get("path_template"):
            variables = _variables(path, page["path_template"].strip("/"))
            if variables:
                return page, variables
        if path == page["path"].strip("/"):
            return page, None
    return {}, None


def query(search: str) -> dict:
    """The query string ("?a=1&b=2") as the layout's arguments, as the router passes them."""
    if not search or not search.startswith("?"):
        return {}
    parsed = parse_qs(search[1:], keep_blank_values=True)
    return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}
