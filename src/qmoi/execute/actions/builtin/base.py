"""What the built-in offline actions share: reading their ``with`` inputs (names compare
case-insensitively, as ``@actions/core.getInput`` reads ``INPUT_*``; values trimmed, as
``getInput`` does by default), and failing a step with one clean message."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from qmoi.errors import QmoiError
from qmoi.execute.actions.inputs import given_inputs
from qmoi.execute.step_kinds import FAILURE, BaseKind, StepRun
from qmoi.model import ActionRef, Step
from qmoi.plan.values import EvaluationError


class BuiltinError(QmoiError):
    """A built-in action failed; the message is the step's error annotation."""


class Inputs:
    def __init__(self, values: dict[str, str]) -> None:
        self._values = {name.casefold(): value.strip() for name, value in values.items()}

    def get(self, name: str, default: str = "") -> str:
        value = self._values.get(name.casefold(), "")
        return value if value else default

    def flag(self, name: str, default: bool) -> bool:
        """A boolean input (YAML 1.2 core schema words, as ``getBooleanInput``)."""
        value = self.get(name)
        if not value:
            return default
        if value in ("true", "True", "TRUE"):
            return True
        if value in ("false", "False", "FALSE"):
            return False
        raise BuiltinError(f"Input does not meet YAML 1.2 \"Core Schema\" specification: "
                           f"{name}\nSupport boolean input list: `true | True | TRUE | false "
                           "| False | FALSE`")

    def lines(self, name: str) -> list[str]:
        """A multi-line input, one value a line (blank lines dropped)."""
        return [line.strip() for line in self.get(name).splitlines() if line.strip()]


class BuiltinStep(BaseKind):
    """A built-in action: ``run_main`` does the work; a :class:`BuiltinError` (or an
    expression error in ``with``) fails the step with its message."""

    def __init__(self, step: Step, ref: ActionRef) -> None:
        super().__init__(step)
        self.ref = ref

    def main(self, run: StepRun) -> str:
        try:
            return self.run_main(run, Inputs(given_inputs(run)))
        except (BuiltinError, EvaluationError) as error:
            run.io.error(str(error))
            return FAILURE

    def run_main(self, run: StepRun, inputs: Inputs) -> str:
        raise NotImplementedError

    def post(self, run: StepRun) -> str:
        try:
            return self.run_post(run)
        except BuiltinError as error:
            run.io.error(str(error))
            return FAILURE

    def run_post(self, run: StepRun) -> str:
        raise NotImplementedError


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """A git command; with ``check`` a failure raises :class:`BuiltinError`."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          check=False)
    if check and done.returncode != 0:
        raise BuiltinError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done


def inside(base: Path, relative: str, what: str) -> Path:
    """``base/relative``, refusing a path that leaves ``base`` (as the actions do)."""
    target = (base / relative).resolve() if relative else base.resolve()
    if not target.is_relative_to(base.resolve()):
        raise BuiltinError(f"{what} '{relative}' is not under '{base}'")
    return target


def log_all(run: StepRun, lines: Sequence[str]) -> None:
    for line in lines:
        run.job.log(run.index, line)
