"""The browser's own form controls as Dash components, drawn by `assets/native-controls.js`.

Plain `<select>`, `<input>`, `<textarea>` and check boxes with their labels, nothing added: a
phone shows its own picker, the page's style sheet styles them, and no component library is
loaded for them (Dash's own `dcc` controls wrap the element in markup and styles of their own,
and it has no plain select at all). Each reports what the user did through `setProps`, as
Dash's components do:

* `Select`: `value`, the chosen option's value (a string, as the element has it). No blank option
  is added, so a value among the options is always what shows.
* `Input`: `value` (a number or None for `type="number"`, else the text) on every change, or
  with `debounce=True` only on Enter and when the field is left; `n_submit` counts Enter.
* `Textarea`: `value` on every change.
* `Checklist`: `value`, the list of the ticked options' values.

And `Static`: plain HTML that never changes, as data (`dashboard/static_html.py`).
"""

from __future__ import annotations

from typing import ClassVar

from dash.development.base_component import Component

# The page's script registers the drawing functions under this name (window.malbild).
NAMESPACE = "malbild"


class _Native(Component):
    _namespace = NAMESPACE
    _children_props: ClassVar[list[str]] = []
    _base_nodes: ClassVar[list[str]] = ["children"]
    _valid_wildcard_attributes: ClassVar[list[str]] = ["aria-"]
    _prop_names: ClassVar[list[str]] = []

    def __init__(self, **props) -> None:
        self.available_properties = list(self._prop_names)
        self.available_wildcard_properties = list(self._valid_wildcard_attributes)
        super().__init__(**{k: v for k, v in props.items() if v is not None})


_COMMON = ["id", "className", "value", "disabled", "name"]


class Select(_Native):
    """`options`: [{"label", "value", "disabled"?}]; `value`: the chosen option's value."""

    _type = "Select"
    _prop_names: ClassVar[list[str]] = [*_COMMON, "options"]


class Input(_Native):
    _type = "Input"
    _prop_names: ClassVar[list[str]] = [
        *_COMMON, "type", "debounce", "n_submit", "placeholder", "autoComplete", "autoFocus",
        "required", "list", "min", "max", "step", "inputMode", "maxLength"]


class Textarea(_Native):
    _type = "Textarea"
    _prop_names: ClassVar[list[str]] = [*_COMMON, "rows", "placeholder", "required", "maxLength"]


class Checklist(_Native):
    """`options`: [{"label", "value"}]; `value`: the ticked options' values."""

    _type = "Checklist"
    _prop_names: ClassVar[list[str]] = [*_COMMON, "options"]


class Static(_Native):
    """`tree`: elements as [tag, {attribute: value}, *children], a child being an element or
    text; drawn as they are, text as text (never as HTML)."""

    _type = "Static"
    _prop_names: ClassVar[list[str]] = ["tree"]
