"""C803 shellcheck."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.registry import register
from qmoi.check.shell_util import (
    POSIX_OS,
    RESULTS_PATH,
    Finding,
    RunScript,
    action_scripts,
    decode_results,
    shellcheck_input,
    workflow_scripts,
)
from qmoi.diagnostics import Severity
from qmoi.expr.yamlspan import offset_table
from qmoi.model import build_action
from qmoi.parse.nodes import Mapping
from qmoi.source import Span

_LEVELS = {"error": Severity.WARNING, "warning": Severity.WARNING, "info": Severity.INFO,
           "style": Severity.INFO}


@register
class Shellcheck(Rule):
    """What shellcheck finds in a bash or sh ``run:`` script.

    What:
        Runs shellcheck (when it is installed: ``pip install qmoi[shellcheck]``) on every
        ``run:`` script whose shell is bash or sh — the default shell on Linux and macOS
        counts as bash — with the dialect of that shell, and points each finding at its
        exact line and column in the workflow. ``${{ }}`` expressions are replaced by
        underscores of the same length first, so positions stay right and the placeholder
        looks like a quoted-safe literal; the codes that placeholder or ``env:`` variables
        would provoke (SC1091, SC2043, SC2050, SC2153, SC2154, SC2157, SC2194) are
        skipped, as actionlint does (plus SC2043 and SC2153). ``qmoi lint`` runs
        shellcheck once over all scripts, in batches, and caches the results by content
        in ``.qmoi/cache/``.

    Why:
        Unquoted variables, missing ``|| exit`` after ``cd``, syntax errors: the bugs
        that make a step fail, or pass when it should not, are cheaper to see here.
        shellcheck's errors and warnings are warnings (its parser is not bash, and the
        shell is not always known for sure), its info and style notes are info. A
        default-shell script that bash cannot parse, in a job that may run on Windows,
        is taken for PowerShell and not reported.

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: echo $HOME

    Fix safety:
        No fix; shellcheck's own suggestions are left to a person.
    """

    code = "C803"
    name = "shellcheck"
    severity = Severity.WARNING
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})

    def workflow(self, ctx: Context, root: Mapping) -> None:
        results = decode_results(ctx.document.project.text(RESULTS_PATH))
        if results:
            for script in workflow_scripts(ctx.workflow):
                _report(ctx, script, results)

    def action(self, ctx: Context, root: Mapping) -> None:
        results = decode_results(ctx.document.project.text(RESULTS_PATH))
        if results:
            for script in action_scripts(build_action(root, ctx.source)):
                _report(ctx, script, results)


def _report(ctx: Context, script: RunScript, results: dict[str, tuple[Finding, ...]]) -> None:
    checked = shellcheck_input(script)
    findings = None if checked is None else results.get(checked.key)
    if not findings or _probably_powershell(script, findings):
        return
    value = script.run.value
    starts = [0, *(i + 1 for i, c in enumerate(value) if c == "\n")]
    table = offset_table(script.run, ctx.source)
    for finding in findings:
        if finding.line < 2:
            continue  # the prologue line QMOI put before the script
        start = _offset(starts, value, finding.line - 1, finding.column)
        end = _offset(starts, value, finding.end_line - 1, finding.end_column)
        last = len(table) - 1
        begin = table[min(start, last)]
        stop = table[min(end - 1, last)] + 1 if end > start else begin
        ctx.report(Span(begin, max(begin, stop)),
                   f"SC{finding.code}: {finding.message.strip().rstrip('.').rstrip()}",
                   severity=_severity(finding))


def _offset(starts: list[int], value: str, line: int, column: int) -> int:
    """The value offset of a 1-based (line, column) in the script (columns count code
    points; shellcheck counts a tab as one column in its JSON output)."""
    if line > len(starts):
        return len(value)
    start = starts[line - 1]
    stop = starts[line] - 1 if line < len(starts) else len(value)
    return min(start + max(column - 1, 0), stop)


def _probably_powershell(script: RunScript, findings: tuple[Finding, ...]) -> bool:
    """A default-shell script of a job that may run on Windows, which bash cannot parse,
    is taken to be the PowerShell script it then is."""
    return (script.shell is None and not script.oses <= POSIX_OS
            and any(f.level == "error" and f.code < 2000 for f in findings))


def _severity(finding: Finding) -> Severity:
    return _LEVELS.get(finding.level, Severity.WARNING)
