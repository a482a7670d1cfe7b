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


class Input(Component):
    """An Input component.
A plain `<input>`: `value` (a number or None for type number) on every change, or with `debounce` on Enter and when left; `n_submit` counts Enter.

Keyword arguments:

- id (string; optional):
    The element's id, for callbacks.

- aria-* (string; optional):
    ARIA attributes, as written.

- autoComplete (string; optional):
    Autocomplete hint.

- autoFocus (boolean; optional):
    Focus when drawn.

- className (string; optional):
    Classes of the element.

- debounce (boolean; optional):
    Report the value only on Enter and when the field is left.

- disabled (boolean; optional):
    Whether the control is disabled.

- inputMode (string; optional):
    Input mode.

- list (string; optional):
    The id of a datalist.

- max (string | number; optional):
    Maximum.

- maxLength (number; optional):
    Maximum length.

- min (string | number; optional):
    Minimum.

- n_submit (number; optional):
    How many times Enter was pressed.

- name (string; optional):
    The control's name.

- placeholder (string; optional):
    Placeholder.

- required (boolean; optional):
    Required.

- step (string | number; optional):
    Step.

- type (string; optional):
    The input's type.

- value (string | number; optional):
    The value."""
    _children_props: typing.List[str] = []
    _base_nodes = ['children']
    _namespace = 'malbild'
    _type = 'Input'


    def __init__(
        self,
        id: typing.Optional[typing.Union[str, dict]] = None,
        className: typing.Optional[str] = None,
        disabled: typing.Optional[bool] = None,
        name: typing.Optional[str] = None,
        value: typing.Optional[typing.Union[str, NumberType]] = None,
        type: typing.Optional[str] = None,
        debounce: typing.Optional[bool] = None,
        n_submit: typing.Optional[NumberType] = None,
        placeholder: typing.Optional[str] = None,
        autoComplete: typing.Optional[str] = None,
        autoFocus: typing.Optional[bool] = None,
        required: typing.Optional[bool] = None,
        list: typing.Optional[str] = None,
        min: typing.Optional[typing.Union[str, NumberType]] = None,
        max: typing.Optional[typing.Union[str, NumberType]] = None,
        step: typing.Optional[typing.Union[str, NumberType]] = None,
        inputMode: typing.Optional[str] = None,
        maxLength: typing.Optional[NumberType] = None,
        **kwargs
    ):
        self._prop_names = ['id', 'aria-*', 'autoComplete', 'autoFocus', 'className', 'debounce', 'disabled', 'inputMode', 'list', 'max', 'maxLength', 'min', 'n_submit', 'name', 'placeholder', 'required', 'step', 'type', 'value']
        self._valid_wildcard_attributes =            ['aria-']
        self.available_properties = ['id', 'aria-*', 'autoComplete', 'autoFocus', 'className', 'debounce', 'disabled', 'inputMode', 'list', 'max', 'maxLength', 'min', 'n_submit', 'name', 'placeholder', 'required', 'step', 'type', 'value']
        self.available_wildcard_properties =            ['aria-']
        _explicit_args = kwargs.pop('_explicit_args')
        _locals = locals()
        _locals.update(kwargs)  # For wildcard attrs and excess named props
        args = {k: _locals[k] for k in _explicit_args}

        super(Input, self).__init__(**args)

setattr(Input, "__init__", _explicitize_args(Input.__init__))
