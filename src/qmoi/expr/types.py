"""Static types of expression values: the small type language the checker works in.

``any`` (unknown), ``null``, ``bool``, ``number``, ``string``, ``array<T>`` and objects.
An object lists known properties; its ``rest`` is the type of any other property, or None
when the object is strict (every property is known, so another name is a mistake).
``map<string, T>`` is an object with no known properties and ``rest = T``.
Property names compare case-insensitively, as GitHub's context dictionaries do
(https://docs.github.com/en/actions/reference/workflows-and-actions/contexts).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class AnyType:
    """A value of unknown type: every use of it is allowed."""

    def __str__(self) -> str:
        return "any"


@dataclass(frozen=True, slots=True)
class NullType:
    """The type of ``null``."""

    def __str__(self) -> str:
        return "null"


@dataclass(frozen=True, slots=True)
class BoolType:
    """The type of ``true`` and ``false``."""

    def __str__(self) -> str:
        return "bool"


@dataclass(frozen=True, slots=True)
class NumberType:
    """The type of numbers."""

    def __str__(self) -> str:
        return "number"


@dataclass(frozen=True, slots=True)
class StringType:
    """The type of strings."""

    def __str__(self) -> str:
        return "string"


@dataclass(frozen=True, slots=True)
class ArrayType:
    """``filtered`` marks the result of an object filter (``a.*``): a later ``.name``
    maps over its items instead of indexing the array itself."""

    item: Type
    filtered: bool = False

    def __str__(self) -> str:
        return f"array<{self.item}>"


@dataclass(frozen=True, slots=True)
class ObjectType:
    """An object: its known properties, and ``rest``, the type of any other (None when strict)."""

    props: tuple[tuple[str, Type], ...] = ()
    rest: Type | None = None
    _index: dict[str, tuple[str, Type]] = field(init=False, repr=False, compare=False,
                                               hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {name.lower(): (name, t) for name, t in self.props})

    @property
    def strict(self) -> bool:
        return self.rest is None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.props)

    def prop(self, name: str) -> Type | None:
        """The type of property ``name``; None when a strict object has no such property."""
        found = self._index.get(name.lower())
        if found is not None:
            return found[1]
        return self.rest

    def values(self) -> Type:
        """The join of every property's type (what ``.*`` or ``o[expr]`` may give)."""
        result: Type | None = self.rest
        for _, t in self.props:
            result = t if result is None else join(result, t)
        return NULL if result is None else result

    def __str__(self) -> str:
        if not self.props and self.rest is not None:
            return f"map<string, {self.rest}>"
        if len(self.props) > 4:
            shown = ", ".join(name for name, _ in self.props[:4])
        else:
            shown = ", ".join(f"{name}: {_short(t)}" for name, t in self.props)
        more = ", ..." if len(self.props) > 4 or self.rest is not None else ""
        return "object{" + shown + more + "}"


Type = AnyType | NullType | BoolType | NumberType | StringType | ArrayType | ObjectType

ANY = AnyType()
NULL = NullType()
BOOL = BoolType()
NUMBER = NumberType()
STRING = StringType()
PRIMITIVES = (NullType, BoolType, NumberType, StringType)


def _short(t: Type) -> str:
    return "object" if isinstance(t, ObjectType) else "array" if isinstance(t, ArrayType) \
        else str(t)


def obj(props: Mapping[str, Type] | None = None, *, rest: Type | None = None) -> ObjectType:
    return ObjectType(tuple((props or {}).items()), rest)


def obj_of(pairs: Iterable[tuple[str, Type]], *, rest: Type | None = None) -> ObjectType:
    return ObjectType(tuple(pairs), rest)


def map_of(item: Type) -> ObjectType:
    return ObjectType((), item)


def is_collection(t: Type) -> bool:
    return isinstance(t, ArrayType | ObjectType)


def is_primitive(t: Type) -> bool:
    return isinstance(t, PRIMITIVES)


def join(a: Type, b: Type) -> Type:
    """The least type holding both (``null`` joins into anything, as values may be absent)."""
    if a == b:
        return a
    if isinstance(a, AnyType) or isinstance(b, AnyType):
        return ANY
    if isinstance(a, NullType):
        return b
    if isinstance(b, NullType):
        return a
    if isinstance(a, ArrayType) and isinstance(b, ArrayType):
        return ArrayType(join(a.item, b.item), a.filtered and b.filtered)
    if isinstance(a, ObjectType) and isinstance(b, ObjectType):
        return _merge(a, b)
    return ANY


def _merge(a: ObjectType, b: ObjectType) -> ObjectType:
    merged: dict[str, tuple[str, Type]] = {}
    for name, t in (*a.props, *b.props):
        key = name.lower()
        merged[key] = (name, t) if key not in merged else (name, join(merged[key][1], t))
    if a.rest is None and b.rest is None:
        rest: Type | None = None
    else:
        rest = join(a.rest or NULL, b.rest or NULL)
    return ObjectType(tuple(merged.values()), rest)


def type_of_value(value: object) -> Type:
    """The type of a plain JSON-like value (a ``fromJSON`` literal, a matrix entry)."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int | float):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, list):
        item: Type | None = None
        for element in value:
            t = type_of_value(element)
            item = t if item is None else join(item, t)
        return ArrayType(ANY if item is None else item)
    if isinstance(value, dict):
        return obj_of((str(k), type_of_value(v)) for k, v in value.items())
    return ANY
