"""The ``run:`` step: the script written to ``RUNNER_TEMP`` and run with GitHub's shell
template (``qmoi.execute.shells``), in ``working-directory``, under ``timeout-minutes``.

Defaults: step ``shell``/``working-directory`` > ``jobs.<id>.defaults.run`` > workflow
``defaults.run`` (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#defaultsrun);
the directory is ``Path.Combine(github.workspace, working-directory)`` and must exist.
"""

from __future__ import annotations

import os
from pathlib import Path

from qmoi.execute.job_state import ActionScope, JobState
from qmoi.execute.process import Completed
from qmoi.execute.shells import (
    ShellCommand,
    ShellError,
    fix_up_script,
    host_which,
    resolve_shell,
)
from qmoi.execute.spares import SpareFiles, write_file
from qmoi.execute.step_io import job_command_files
from qmoi.execute.step_kinds import FAILURE, BaseKind, StepRun, process_outcome
from qmoi.execute.timeouts import minutes_to_seconds
from qmoi.execute.warm import can_warm
from qmoi.model import Step
from qmoi.model.common import Defaults
from qmoi.parse.nodes import Scalar
from qmoi.plan.values import EvaluationError, render_text


def _default(job: JobState, step: Step, scope: ActionScope | None, pick: str
             ) -> Scalar | None:
    """``shell`` or ``working_directory`` from the step, else the job's, else the
    workflow's ``defaults.run``."""
    own: Scalar | None = getattr(step, pick)
    if own is not None or scope is not None:  # a composite's steps ignore the defaults
        return own
    layers: tuple[Defaults | None, ...] = (job.job.defaults, job.workflow.defaults)
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
        shell_text = run.render(_default(job, step, run.scope, "shell")) or None
        env = run.process_env()
        inside = job.containers if job.paths is not None else None
        shell = (_resolve(job, shell_text, env.get("PATH")) if inside is None
                 else resolve_shell(shell_text, os_name="Linux", on_host=False))
        cwd = _working_directory(job, run.render(_default(job, step, run.scope,
                                                          "working_directory")))
        warm = job.take_warm(self) if run.scope is None else None
        if not os.path.isdir(cwd):
            if warm is not None:
                warm.discard()
            run.io.error(f"An error occurred trying to start process '{shell.executable}' "
                         f"with working directory '{cwd}'. No such file or directory")
            return FAILURE
        timeout = minutes_to_seconds(run.render(step.timeout_minutes) or None,
                                     "timeout-minutes", run.source, step.timeout_minutes)
        if warm is not None and not warm.fits(shell.argv(warm.script), env, cwd):
            warm.discard()
            warm = None
        path = warm.script if warm is not None else _script_path(job, shell)
        _write_script(job.folders.spares, path,
                      fix_up_script(shell.shell, script, os_name="Linux"))
        # The script stays until the job's temp folder goes: a background process the
        # step started may still be reading it (bash reads scripts as it runs them).
        if inside is not None and job.paths is not None:
            # In the job container: `exec` with the container's paths; the engine client
            # passes each variable on by name (R:src/Runner.Worker/Handlers/StepHost.cs).
            at = job.paths.translate
            argv = inside.exec_argv(shell.argv(at(path)), env, at(cwd))
            done = run.io.run(argv, env={**os.environ, **env}, cwd=cwd, timeout=timeout)
        else:
            done = run.io.run(shell.argv(path), env=env, cwd=cwd, timeout=timeout, warm=warm,
                              started=job.take_next_hook() if run.scope is None else None)
        return process_outcome(run, Completed(_exit_code(done.exit_code), done.stopped),
                               timeout, "Process completed with exit code {code}.")

    def warm_up(self, job: JobState, step_env: dict[str, str], action: str) -> None:
        """Start this step's shell ahead of its turn (``qmoi.execute.warm``) when what it
        starts with is known now: a plain shell and folder, and the environment the job
        has now (the step checks it all again when its turn comes)."""
        if job.paths is not None:
            return  # its steps run through the container engine, not a shell of ours
        shell_value = _default(job, self.step, None, "shell")
        folder = _default(job, self.step, None, "working_directory")
        if any(v is not None and "${{" in v.value for v in (shell_value, folder)):
            return
        env = job.process_env(job_command_files(job), step_env, action)
        shell_text = render_text(shell_value, {}) or None
        seen = job.last_shell
        if seen is not None and seen[0] == (shell_text, env.get("PATH")):
            shell = seen[1]  # a guess: the step looks it up again when its turn comes
        else:
            try:
                shell = _resolve(job, shell_text, env.get("PATH"))
            except ShellError:
                return
        if not can_warm(shell.executable, shell.arg_format, env):
            return
        cwd = _working_directory(job, render_text(folder, {}))
        if os.path.isdir(cwd):
            path = _script_path(job, shell)
            job.start_warm(self, shell.argv(path), env, cwd, path)


def _resolve(job: JobState, shell_text: str | None, path: str | None) -> ShellCommand:
    """The step's shell looked up on ``path`` now, remembered for ``warm_up``."""
    shell = resolve_shell(shell_text, os_name="Linux", which=host_which(path))
    job.last_shell = ((shell_text, path), shell)
    return shell


def _working_directory(job: JobState, given: str) -> str:
    workspace = job.folders.workspace
    return str(Path(workspace, given)) if given else str(workspace)


def _script_path(job: JobState, shell: ShellCommand) -> str:
    return str(job.folders.temp / shell.script_name(os.urandom(16).hex()))


def _write_script(spares: SpareFiles | None, path: str, text: str) -> None:
    """A new file holding ``text`` (UTF-8), a spare file when there is one."""
    write_file(spares, path, text.encode("utf-8"))


def _exit_code(code: int) -> int:
    """A signal death (negative in Python) as the shell would report it (128 + signal)."""
    return 128 - code if code < 0 else code
