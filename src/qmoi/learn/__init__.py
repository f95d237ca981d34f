"""Reading failed CI logs: the lines that explain a failure, its class and the repair to try.

``explain(log)`` is the entry point; ``extract(log)`` gives only the explaining chunks.
"""

from __future__ import annotations

from qmoi.learn.classify import Explanation, explain
from qmoi.learn.extract import Chunk, Picked, extract
from qmoi.learn.repairs import FailureClass, Repair, RepairKind

__all__ = ["Chunk", "Explanation", "FailureClass", "Picked", "Repair", "RepairKind", "explain",
           "extract"]
