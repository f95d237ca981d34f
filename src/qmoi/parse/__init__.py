"""Stage 1: text → position-keeping YAML nodes (and the guards around it).

The names below load on first use (PEP 562): decoding a file (``decode_source``) does not
import PyYAML, which a ``qmoi lint`` answered from the result cache never needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qmoi.parse.nodes import Mapping, Node, Scalar, ScalarKind, Sequence
    from qmoi.parse.reader import MAX_FILE_BYTES, Loaded, decode_source, read_source
    from qmoi.parse.yaml import ParseResult, parse_yaml

_HOME = {
    "MAX_FILE_BYTES": "qmoi.parse.reader",
    "Loaded": "qmoi.parse.reader",
    "Mapping": "qmoi.parse.nodes",
    "Node": "qmoi.parse.nodes",
    "ParseResult": "qmoi.parse.yaml",
    "Scalar": "qmoi.parse.nodes",
    "ScalarKind": "qmoi.parse.nodes",
    "Sequence": "qmoi.parse.nodes",
    "decode_source": "qmoi.parse.reader",
    "parse_yaml": "qmoi.parse.yaml",
    "read_source": "qmoi.parse.reader",
}

__all__ = [
    "MAX_FILE_BYTES",
    "Loaded",
    "Mapping",
    "Node",
    "ParseResult",
    "Scalar",
    "ScalarKind",
    "Sequence",
    "decode_source",
    "parse_yaml",
    "read_source",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later lookups skip this function
    return value
