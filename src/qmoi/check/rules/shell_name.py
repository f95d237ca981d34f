"""C801 shell-name."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, FixAvailability, Rule
from qmoi.check.registry import register
from qmoi.check.shell_util import (
    ALL_OS,
    SHELL_OS,
    WINDOWS_OS,
    RunnerOS,
    describe_oses,
    runner_oses,
    split_shell,
)
from qmoi.diagnostics import Edit, Fix, FixSafety, Severity
from qmoi.model import Job, build_action
from qmoi.parse.nodes import Mapping, Scalar
from qmoi.source import Span

_NAMES = ", ".join(f'"{n}"' for n in sorted(SHELL_OS))


@register
class ShellName(Rule):
    """A ``shell:`` that the runner cannot start on the job's operating system.

    What:
        Checks every ``shell:`` — in steps, in ``defaults.run`` of the workflow and of jobs,
        and in composite actions. It must be a built-in name (``bash``, ``sh``, ``pwsh``,
        ``powershell``, ``cmd``, ``python``) or a command whose arguments contain ``{0}``
        (the script's path). ``cmd`` and ``powershell`` exist only on Windows runners,
        ``sh`` is not supported there; the OS comes from the ``runs-on`` labels, also
        through ``${{ matrix.* }}`` values, and a name is only reported when it fails on
        every OS the job can run on. A custom shell's arguments may only use ``{0}``,
        ``{{`` and ``}}`` as braces.

    Why:
        The runner refuses the step ("Invalid shell option…" or "File not found"), so
        the job fails at that step. ``sh`` on Windows is reported as a warning: GitHub
        does not support it, although Git's ``sh`` may happen to be on the PATH.

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: dir
                shell: cmd

    Fix safety:
        A built-in name written in another case (``Bash``) is lowercased as a safe fix:
        only the lowercase executable exists on Linux and macOS. Otherwise no fix.
    """

    code = "C801"
    name = "shell-name"
    severity = Severity.ERROR
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})
    fix_availability: ClassVar[FixAvailability] = "sometimes"

    def workflow(self, ctx: Context, root: Mapping) -> None:
        workflow = ctx.workflow
        if workflow.defaults is not None:
            _check(ctx, workflow.defaults.shell, ALL_OS, "the workflow's defaults")
        for job in workflow.jobs:
            if not isinstance(job, Job):
                continue
            oses = runner_oses(job)
            if job.defaults is not None:
                _check(ctx, job.defaults.shell, oses, f'job "{job.id}"')
            for step in job.steps:
                for inner in (step, *(step.parallel or ())):
                    _check(ctx, inner.shell, oses, f'job "{job.id}"')

    def action(self, ctx: Context, root: Mapping) -> None:
        action = build_action(root, ctx.source)
        if action.runs is not None and action.runs.kind == "composite":
            for step in action.runs.steps:
                _check(ctx, step.shell, ALL_OS, "this action")


def _check(ctx: Context, shell: Scalar | None, oses: frozenset[RunnerOS], where: str) -> None:
    if shell is None or shell.is_null or "${{" in shell.value:
        return
    value = shell.value.strip()
    command, args = split_shell(value)
    if args:
        _check_custom(ctx, shell, args)
        return
    supported = SHELL_OS.get(command)
    if supported is None:
        _unknown(ctx, shell, command, oses)
    elif not supported & oses:
        runs = f"{where} runs on {describe_oses(oses)}"
        only = describe_oses(supported)
        if command == "sh":
            ctx.report(shell, f'shell "sh" is not supported on Windows ({runs}); use "bash"',
                       severity=Severity.WARNING)
        else:
            ctx.report(shell, f'shell "{command}" is only available on {only}, but {runs}')


def _unknown(ctx: Context, shell: Scalar, command: str, oses: frozenset[RunnerOS]) -> None:
    lower = command.lower()
    supported = SHELL_OS.get(lower)
    if supported is not None and supported & oses:
        if oses == WINDOWS_OS:
            return  # Windows finds executables case-insensitively
        start = ctx.source.text.find(command, shell.span.start, shell.span.end)
        fix = None
        if start >= 0:
            edit = Edit(Span(start, start + len(command)), lower)
            fix = Fix(f'write "{lower}"', FixSafety.SAFE, (edit,))
        ctx.report(shell, f'shell "{command}" must be written "{lower}": the runner finds '
                          "no executable of that name on Linux or macOS", fix=fix)
        return
    ctx.report(shell, f'shell "{command}" is not a built-in shell ({_NAMES}) and has no '
                      '"{0}" for the script path, so the runner refuses it')


def _check_custom(ctx: Context, shell: Scalar, args: str) -> None:
    """The runner formats the arguments with .NET ``string.Format``: ``{0}`` is required,
    and any other brace fails the step."""
    if "{0}" not in args:
        ctx.report(shell, f'custom shell "{shell.value.strip()}" has no "{{0}}" for the '
                          "script path, so the runner refuses it")
        return
    rest = args.replace("{{", "").replace("}}", "").replace("{0}", "")
    if "{" in rest or "}" in rest:
        ctx.report(shell, f'custom shell "{shell.value.strip()}" uses a brace other than '
                          '"{0}", "{{" or "}}"; the runner fails to format it')
