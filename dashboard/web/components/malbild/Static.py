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


class Static(Component):
    """A Static component.
Plain HTML that never changes, as data: `tree` holds elements as [tag, {attribute: value}, *children], drawn as they are, text as text.

Keyword arguments:

- tree (list of boolean | number | string | dict | lists; optional):
    The elements."""
    _children_props: typing.List[str] = []
    _base_nodes = ['children']
    _namespace = 'malbild'
    _type = 'Static'


    def __init__(
        self,
        tree: typing.Optional[typing.Sequence[typing.Any]] = None,
        **kwargs
    ):
        self._prop_names = ['tree']
        self._valid_wildcard_attributes =            []
        self.available_properties = ['tree']
        self.available_wildcard_properties =            []
        _explicit_args = kwargs.pop('_explicit_args')
        _locals = locals()
        _locals.update(kwargs)  # For wildcard attrs and excess named props
        args = {k: _locals[k] for k in _explicit_args}

        super(Static, self).__init__(**args)

setattr(Static, "__init__", _explicitize_args(Static.__init__))
