"""The ``run:`` step: the script written to ``RUNNER_TEMP`` and run with GitHub's shell
template (``qmoi.execute.shells``), in ``working-directory``, under ``timeout-minutes``.

Defaults: step ``shell``/``working-directory`` > ``jobs.<id>.defaults.run`` > workflow
``defaults.run`` (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#defaultsrun);
the directory is ``Path.Combine(github.workspace, working-directory)`` and must exist.
"""

from __future__ import annotations

import os
from pathlib import Path

from qmoi.execute.shells import ShellError, fix_up_script, host_which, resolve_shell
from qmoi.execute.spares import SpareFiles, write_file
from qmoi.execute.step_kinds import CANCELLED, FAILURE, SUCCESS, BaseKind, StepRun
from qmoi.execute.timeouts import minutes_to_seconds
from qmoi.model.common import Defaults
from qmoi.parse.nodes import Scalar
from qmoi.plan.values import EvaluationError


def _default(run: StepRun, pick: str) -> Scalar | None:
    """``shell`` or ``working_directory`` from the step, else the job's, else the
    workflow's ``defaults.run``."""
    own: Scalar | None = getattr(run.step, pick)
    if own is not None or run.scope is not None:  # a composite's steps ignore the defaults
        return own
    layers: tuple[Defaults | None, ...] = (run.job.job.defaults, run.job.workflow.defaults)
    for defaults in layers:
        value: Scalar | None = None if defaults is None else getattr(defaults, pick)
        if value is not None:
            return value
    return None


class RunStep(BaseKind):
    def main(self, run: StepRun) -> str:
        try:
            return self._main(run)
        except (EvaluationError, ShellError) as error:
            run.io.error(str(error))
            return FAILURE

    def _main(self, run: StepRun) -> str:
        job, step = run.job, self.step
        script = run.render(step.run)
        shell_text = run.render(_default(run, "shell")) or None
        env = run.process_env()
        shell = resolve_shell(shell_text, os_name="Linux", which=host_which(env.get("PATH")))
        cwd = self._working_directory(run)
        if not os.path.isdir(cwd):
            run.io.error(f"An error occurred trying to start process '{shell.executable}' "
                         f"with working directory '{cwd}'. No such file or directory")
            return FAILURE
        timeout = minutes_to_seconds(run.render(step.timeout_minutes) or None,
                                     "timeout-minutes", run.source, step.timeout_minutes)
        path = job.folders.temp / shell.script_name(os.urandom(16).hex())
        _write_script(job.folders.spares, str(path),
                      fix_up_script(shell.shell, script, os_name="Linux"))
        # The script stays until the job's temp folder goes: a background process the
        # step started may still be reading it (bash reads scripts as it runs them).
        done = run.io.run(shell.argv(str(path)), env=env, cwd=cwd, timeout=timeout)
        if done.stopped == "cancelled":
            run.io.error("The operation was canceled.")
            return CANCELLED
        if done.stopped == "timeout":
            minutes = f"{(timeout or 0) / 60:g}"
            run.io.error(f"The action '{run.name}' has timed out after {minutes} minutes.")
            return FAILURE
        if done.exit_code != 0:
            run.io.error(f"Process completed with exit code {_exit_code(done.exit_code)}.")
            return FAILURE
        return SUCCESS

    def _working_directory(self, run: StepRun) -> str:
        workspace = run.job.folders.workspace
        given = run.render(_default(run, "working_directory"))
        return str(Path(workspace, given)) if given else str(workspace)


def _write_script(spares: SpareFiles | None, path: str, text: str) -> None:
    """A new file holding ``text`` (UTF-8), a spare file when there is one."""
    write_file(spares, path, text.encode("utf-8"))


def _exit_code(code: int) -> int:
    """A signal death (negative in Python) as the shell would report it (128 + signal)."""
    return 128 - code if code < 0 else code
