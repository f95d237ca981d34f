"""Stage 1: text → position-keeping YAML nodes (and the guards around it)."""

from qmoi.parse.nodes import Mapping, Node, Scalar, ScalarKind, Sequence
from qmoi.parse.reader import MAX_FILE_BYTES, Loaded, decode_source, read_source
from qmoi.parse.yaml import ParseResult, parse_yaml

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
