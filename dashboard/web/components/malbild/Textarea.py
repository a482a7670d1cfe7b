# AUTO GENERATED FILE - DO NOT EDIT

import typing  # noqa: F401
from typing_extensions import TypedDict, NotRequired, Literal # noqa: F401
from dash.development.base_component import Component, _explicitize_args
try:
    from dash.types import NumberType  # noqa: F401
except ImportError:
    # Backwards compatibility for dash<=4.1.0
    if typing.TYPE_CHECKING:
        raise
    NumberType = typing.Union[  # noqa: F401
        typing.SupportsFloat, typing.SupportsInt, typing.SupportsComplex
    ]

ComponentSingleType = typing.Union[str, int, float, Component, None]
ComponentType = typing.Union[
    ComponentSingleType,
    typing.Sequence[ComponentSingleType],
]


class Textarea(Component):
    """A Textarea component.
A plain `<textarea>`; `value` on every change.

Keyword arguments:

- id (string; optional):
    The element's id, for callbacks.

- aria-* (string; optional):
    ARIA attributes, as written.

- className (string; optional):
    Classes of the element.

- disabled (boolean; optional):
    Whether the control is disabled.

- maxLength (number; optional):
    Maximum length.

- name (string; optional):
    The control's name.

- placeholder (string; optional):
    Placeholder.

- required (boolean; optional):
    Required.

- rows (number; optional):
    Rows.

- value (string; optional):
    The text."""
    _children_props: typing.List[str] = []
    _base_nodes = ['children']
    _namespace = 'malbild'
    _type = 'Textarea'


    def __init__(
        self,
        id: typing.Optional[typing.Union[str, dict]] = None,
        className: typing.Optional[str] = None,
        disabled: typing.Optional[bool] = None,
        name: typing.Optional[str] = None,
        value: typing.Optional[str] = None,
        rows: typing.Optional[NumberType] = None,
        placeholder: typing.Optional[str] = None,
        required: typing.Optional[bool] = None,
        maxLength: typing.Optional[NumberType] = None,
        **kwargs
    ):
        self._prop_names = ['id', 'aria-*', 'className', 'disabled', 'maxLength', 'name', 'placeholder', 'required', 'rows', 'value']
        self._valid_wildcard_attributes =            ['aria-']
        self.available_properties = ['id', 'aria-*', 'className', 'disabled', 'maxLength', 'name', 'placeholder', 'required', 'rows', 'value']
        self.available_wildcard_properties =            ['aria-']
        _explicit_args = kwargs.pop('_explicit_args')
        _locals = locals()
        _locals.update(kwargs)  # For wildcard attrs and excess named props
        args = {k: _locals[k] for k in _explicit_args}

        super(Textarea, self).__init__(**args)

setattr(Textarea, "__init__", _explicitize_args(Textarea.__init__))
