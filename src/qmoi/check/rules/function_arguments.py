"""X104 function-arguments."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.expr_util import report_expression_findings
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.parse.nodes import Mapping


@register
class FunctionArguments(Rule):
    """A function called with the wrong number or kind of arguments.

    What:
        Reports a wrong argument count (``contains(a)``, ``format()``, ``case(a, b)``),
        a ``case()`` predicate that is not a boolean (an error at run time), and calls
        that always give the same answer because of their argument types:
        ``contains()`` searching an object, ``startsWith()``/``endsWith()`` on an object
        or array, ``join()`` of an object.

    Why:
        A wrong argument count makes GitHub reject the workflow; a non-boolean
        ``case()`` predicate fails the run; the others are always false or empty.

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - if: contains(github.ref)
                run: make

    Fix safety:
        No fix.
    """

    code = "X104"
    name = "function-arguments"
    severity = Severity.ERROR
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})

    def workflow(self, ctx: Context, root: Mapping) -> None:
        report_expression_findings(ctx, "arguments")

    def action(self, ctx: Context, root: Mapping) -> None:
        report_expression_findings(ctx, "arguments")
