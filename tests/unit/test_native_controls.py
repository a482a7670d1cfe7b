"""The app's own form controls: what Python sends is what the page's script draws."""

import re

import pytest

from dashboard.web.components import native
from etl.settings import PROJECT_ROOT

CLASSES = [native.Select, native.Input, native.Textarea, native.Checklist, native.Static]


def test_every_control_is_drawn_by_the_pages_script():
    script = (PROJECT_ROOT / "assets" / "native-controls.js").read_text(encoding="utf-8")
    registered = re.search(r"window\.malbild = Object\.assign\(window\.malbild \|\| \{\},\s*"
                           r"\{([^}]*)\}", script).group(1)
    sent = [make().to_plotly_json() for make in CLASSES]  # as the page receives them
    assert sorted(re.findall(r"(\w+):", registered)) == sorted(c["type"] for c in sent)
    assert {c["namespace"] for c in sent} == {native.NAMESPACE}


def test_a_control_sends_only_the_props_it_was_given():
    select = native.Select(id="year", options=[{"label": "2022", "value": "2022"}],
                           value="2022", className="form-select", **{"aria-describedby": "h"})
    assert select.to_plotly_json() == {
        "namespace": "malbild", "type": "Select",
        "props": {"id": "year", "className": "form-select", "value": "2022",
                  "options": [{"label": "2022", "value": "2022"}], "aria-describedby": "h"}}
    assert native.Input(id="q", type="search").to_plotly_json()["props"] == {
        "id": "q", "type": "search"}


def test_an_unknown_prop_is_refused_by_name():
    with pytest.raises(TypeError, match="class_name"):
        native.Input(id="q", class_name="form-control")
