from collections.abc import Callable
from enum import Enum

from qmoi.parse.nodes import Node

def configure(
    span: type,
    scalar: type,
    mapping: type,
    sequence: type,
    resolve: Callable[[str, str, str | None], object],
    kind_enum: type[Enum],
    max_depth: int,
    factor: int,
    slack: int,
    /,
) -> None: ...
def build(text: str, /) -> list[Node] | None: ...
