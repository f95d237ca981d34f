"""How a plain scalar is typed under the YAML 1.2 core schema, which is how GitHub
reads workflows: ``on``, ``yes`` and ``off`` are strings there, unlike YAML 1.1."""

from __future__ import annotations

import re

from qmoi.parse.nodes import ScalarKind

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)

TYPED_START = frozenset("~nNtTfF0123456789+-.")

_TAGS = {
    "tag:yaml.org,2002:str": ScalarKind.STR,
    "tag:yaml.org,2002:null": ScalarKind.NULL,
    "tag:yaml.org,2002:bool": ScalarKind.BOOL,
    "tag:yaml.org,2002:int": ScalarKind.INT,
    "tag:yaml.org,2002:float": ScalarKind.FLOAT,
    "!!str": ScalarKind.STR,
}


def resolve_scalar(value: str, style: str, tag: str | None) -> ScalarKind:
    """The kind of a scalar: quoted and block scalars are strings, plain ones are typed."""
    if tag is not None and tag != "!":
        return _TAGS.get(tag, ScalarKind.STR)
    if style:
        return ScalarKind.STR
    # Most plain scalars are words; only these first characters can start a non-string.
    if value and value[0] not in TYPED_START:
        return ScalarKind.STR
    if _NULL.match(value):
        return ScalarKind.NULL
    if _BOOL.match(value):
        return ScalarKind.BOOL
    if _INT.match(value):
        return ScalarKind.INT
    if _FLOAT.match(value):
        return ScalarKind.FLOAT
    return ScalarKind.STR
