"""Shared knowledge of the shell rules (C8xx): shell names, the runner OS a job may run on,
the effective ``shell:`` of a run step, and the scripts shellcheck is asked about.

``qmoi.execute.shells`` knows the runner's exact templates, but ``check`` must not import
``execute`` (stage order), so the little this stage needs is kept here as its own table.
Source: https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idstepsshell
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

# Re-exported: the POSIX reader moved to its own module, callers still import it from here.
from qmoi.check.posix_reader import PosixCommand as PosixCommand
from qmoi.check.posix_reader import PosixScript as PosixScript
from qmoi.check.posix_reader import posix_commands as posix_commands
from qmoi.model import Action, Job, Step, Workflow
from qmoi.model.job import Matrix
from qmoi.parse.nodes import Mapping, Node, Scalar, Sequence

RunnerOS = Literal["Linux", "macOS", "Windows"]
ALL_OS: frozenset[RunnerOS] = frozenset({"Linux", "macOS", "Windows"})
POSIX_OS: frozenset[RunnerOS] = frozenset({"Linux", "macOS"})
WINDOWS_OS: frozenset[RunnerOS] = frozenset({"Windows"})

# Where each built-in ``shell:`` keyword is supported (the docs' "Supported platform" column).
SHELL_OS: dict[str, frozenset[RunnerOS]] = {
    "bash": ALL_OS,
    "pwsh": ALL_OS,
    "python": ALL_OS,
    "sh": POSIX_OS,
    "cmd": WINDOWS_OS,
    "powershell": WINDOWS_OS,
}
Dialect = Literal["bash", "sh"]

# shellcheck codes that the ``${{ }}`` placeholder or the CI setting provokes (the list
# actionlint passes too, plus SC2043 for ``for x in ${{ matrix.list }}``): SC1091 sourced
# file not on this machine, SC2194/SC2050/SC2157/SC2043 a placeholder looks constant,
# SC2154/SC2153 a variable set by ``env:`` looks unassigned (or like a misspelt local).
SHELLCHECK_EXCLUDES = ("SC1091", "SC2194", "SC2050", "SC2153", "SC2154", "SC2157", "SC2043")
# The rules hand shellcheck's findings over as a virtual project file (see ShellcheckResults).
RESULTS_PATH = ".qmoi/shellcheck-results.json"


def os_of_label(label: str) -> RunnerOS | None:
    """The OS a runner label names (``ubuntu-24.04``, ``windows-latest``, ``macos``…)."""
    name = label.strip().lower()
    if name in ("linux", "ubuntu") or name.startswith("ubuntu-"):
        return "Linux"
    if name == "macos" or name.startswith("macos-"):
        return "macOS"
    if name == "windows" or name.startswith("windows-"):
        return "Windows"
    return None


def _matrix_values(matrix: Matrix | None, name: str) -> list[Node] | None:
    """Every value ``matrix.<name>`` can take, or None when it is not known statically."""
    if matrix is None or matrix.expression is not None:
        return None
    values: list[Node] = []
    row = matrix.key(name)
    if row is not None:
        values.extend(row.values)
    elif any(key.value == name for key, _ in matrix.row_expressions):
        return None
    for entry in matrix.include:
        value = entry.get(name)
        if value is not None:
            values.append(value)
    if matrix.include_expression is not None or not values:
        return None
    return values


def _label_oses(label: Scalar, matrix: Matrix | None) -> frozenset[RunnerOS] | None:
    """The OSes one ``runs-on`` label can mean (a ``${{ matrix.x }}`` label: any of its
    values); None when the label says nothing about the OS (``self-hosted``, ``gpu``)."""
    text = label.value.strip()
    if "${{" not in text:
        named = os_of_label(text)
        return None if named is None else frozenset({named})
    inner = text.removeprefix("${{").removesuffix("}}").strip()
    if not (text.startswith("${{") and text.endswith("}}") and inner.startswith("matrix.")):
        return ALL_OS
    values = _matrix_values(matrix, inner.removeprefix("matrix."))
    if values is None:
        return ALL_OS
    found: set[RunnerOS] = set()
    for value in values:
        labels = value.items if isinstance(value, Sequence) else (value,)
        oses = {os_of_label(v.value) for v in labels if isinstance(v, Scalar)}
        known = {o for o in oses if o is not None}
        if len(known) != 1:
            return ALL_OS  # an unknown self-hosted name, or conflicting labels
        found |= known
    return frozenset(found)


def runner_oses(job: Job) -> frozenset[RunnerOS]:
    """The OSes a job may run on, from its ``runs-on`` labels (and matrix values); every
    OS when that cannot be known. Conflicting labels are the runner-label rule's business,
    so they count as unknown here."""
    runs_on = job.runs_on
    if runs_on is None:
        return ALL_OS
    labels = runs_on.labels if runs_on.expression is None else (runs_on.expression,)
    result: frozenset[RunnerOS] | None = None
    for label in labels:
        oses = _label_oses(label, job.matrix)
        if oses is None:
            continue
        if result is not None and result != oses:
            return ALL_OS
        result = oses
    return ALL_OS if result is None else result


def split_shell(value: str) -> tuple[str, str]:
    """``COMMAND [..ARGS]`` split once on the first space, as the runner does."""
    command, _, args = value.partition(" ")
    return command, args.lstrip()


def describe_oses(oses: frozenset[RunnerOS]) -> str:
    if oses == WINDOWS_OS:
        return "Windows"
    if oses <= POSIX_OS:
        return "Linux or macOS" if oses == POSIX_OS else next(iter(oses))
    return "any runner"


@dataclass(frozen=True, slots=True)
class RunScript:
    """A ``run:`` step and the shell it runs in. ``shell`` is the effective ``shell:``
    scalar (None = the runner's default); ``oses`` where the job may run."""

    step: Step
    run: Scalar
    shell: Scalar | None
    oses: frozenset[RunnerOS]
    env_chain: tuple[Step | Job | Workflow | None, ...] = ()

    @property
    def shell_name(self) -> str | None:
        """The shell command's name (``bash`` for ``/usr/bin/bash -e {0}``); None for the
        default shell or an expression."""
        if self.shell is None or "${{" in self.shell.value:
            return None
        command, _ = split_shell(self.shell.value.strip())
        return command.rsplit("/", 1)[-1]

    @property
    def dialect(self) -> Dialect | None:
        """The shellcheck dialect, or None when the script is not a bash/sh script."""
        if self.shell is None:
            # The default shell is bash (``bash -e {0}``) on Linux and macOS, PowerShell
            # on Windows; a job that may run on a POSIX runner is checked as bash.
            return "bash" if self.oses & POSIX_OS else None
        name = self.shell_name
        return name if name in ("bash", "sh") else None  # type: ignore[return-value]


def _all_steps(steps: tuple[Step, ...]) -> Iterator[Step]:
    for step in steps:
        yield step
        if step.parallel:
            yield from _all_steps(step.parallel)


def workflow_scripts(workflow: Workflow) -> Iterator[RunScript]:
    """Every run step of a workflow, with its effective shell (step > job defaults >
    workflow defaults > platform default)."""
    top = workflow.defaults.shell if workflow.defaults is not None else None
    for job in workflow.jobs:
        if not isinstance(job, Job):
            continue
        oses = runner_oses(job)
        job_shell = job.defaults.shell if job.defaults is not None else None
        for step in _all_steps(job.steps):
            if step.run is not None:
                shell = step.shell or job_shell or top
                yield RunScript(step, step.run, shell, oses, (step, job, workflow))


def action_scripts(action: Action) -> Iterator[RunScript]:
    """Run steps of a composite action; ``shell`` is required there, the OS is unknown."""
    if action.runs is None:
        return
    for step in _all_steps(action.runs.steps):
        if step.run is not None:
            yield RunScript(step, step.run, step.shell, ALL_OS, (step,))


def composite_root(root: Mapping) -> bool:
    runs = root.get("runs")
    using = runs.get("using") if isinstance(runs, Mapping) else None
    return isinstance(using, Scalar) and using.value == "composite"


# --- shellcheck input and results ------------------------------------------------------------


def mask_expressions(script: str) -> str:
    """Replace each ``${{ … }}`` by as many ``_`` (line breaks kept), so shellcheck sees a
    plain literal word — no quoting warning — and every line and column stays put."""
    if "${{" not in script:
        return script
    out: list[str] = []
    i = 0
    while True:
        start = script.find("${{", i)
        end = -1 if start < 0 else _expression_end(script, start)
        if end < 0:
            out.append(script[i:])
            return "".join(out)
        out.append(script[i:start])
        out.append("".join(c if c == "\n" else "_" for c in script[start:end]))
        i = end


def _expression_end(text: str, start: int) -> int:
    # GitHub's reader skips single-quoted strings, so '}}' inside one does not close it.
    i, quoted = start + 3, False
    while i < len(text):
        if text[i] == "'":
            quoted = not quoted
        elif not quoted and text.startswith("}}", i):
            return i + 2
        i += 1
    return -1


def prologue(script: RunScript) -> str:
    """The one line put before the script so shellcheck knows the options the runner sets
    (``bash -e``, ``bash -eo pipefail``, ``sh -e``); findings on it are dropped."""
    if script.shell is None or script.shell_name == "sh":
        return "set -e"
    _, args = split_shell(script.shell.value.strip())
    if not args:
        return "set -eo pipefail"
    return "set -e" if " -e" in f" {args}" else ":"


@dataclass(frozen=True, slots=True)
class ShellcheckInput:
    """What is sent to shellcheck for one script: the text (prologue + masked script)."""

    dialect: Dialect
    text: str

    @property
    def key(self) -> str:
        return script_key(self.dialect, self.text)


def shellcheck_input(script: RunScript) -> ShellcheckInput | None:
    dialect = script.dialect
    if dialect is None:
        return None
    return ShellcheckInput(dialect, f"{prologue(script)}\n{mask_expressions(script.run.value)}\n")


def script_key(dialect: str, text: str) -> str:
    # Imported here: OpenSSL costs ~4 ms to load, and only a lint with shellcheck keys scripts.
    import hashlib

    return hashlib.sha256(f"{dialect}\0{text}".encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Finding:
    """One shellcheck comment; lines and columns are 1-based, in the checked text."""

    line: int
    column: int
    end_line: int
    end_column: int
    level: str
    code: int
    message: str

    def to_json(self) -> list[object]:
        return [self.line, self.column, self.end_line, self.end_column, self.level,
                self.code, self.message]

    @staticmethod
    def from_json(item: list[object]) -> Finding:
        line, column, end_line, end_column, level, code, message = item
        return Finding(int(str(line)), int(str(column)), int(str(end_line)),
                       int(str(end_column)), str(level), int(str(code)), str(message))


def encode_results(results: dict[str, tuple[Finding, ...]]) -> str:
    return json.dumps({k: [f.to_json() for f in v] for k, v in sorted(results.items())},
                      separators=(",", ":"))


def decode_results(text: str | None) -> dict[str, tuple[Finding, ...]] | None:
    """The findings the caller attached to the project, or None when shellcheck did not
    run (then the shellcheck rule stays silent)."""
    if text is None:
        return None
    try:
        data = json.loads(text)
        return {k: tuple(Finding.from_json(f) for f in v) for k, v in data.items()}
    except (ValueError, TypeError, AttributeError):
        return None
