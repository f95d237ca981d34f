"""One step part's traffic with its process: every output line goes through the workflow
command processor and the secret masker into events; the environment files are created
fresh before the part and applied after it, in the runner's order (path, env,
step_summary, state, output — FileCommandManager.cs).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from qmoi.execute.command_processor import (
    AddMask,
    AddPath,
    CommandProcessor,
    Debug,
    Effect,
    SaveState,
    SetEnv,
    SetOutput,
    command_lines,
    unsecure_opt_ins,
)
from qmoi.execute.command_processor import Annotation as CommandAnnotation
from qmoi.execute.command_processor import LogLine as CommandLog
from qmoi.execute.envfiles import (
    env_updates,
    file_command_failure,
    parse_path_file,
    prepend_paths,
    read_key_value_file,
)
from qmoi.execute.job_state import JobState
from qmoi.execute.process import Completed, follow, start
from qmoi.execute.spares import new_file
from qmoi.execute.summary import read_step_summary
from qmoi.execute.warm import WarmShell
from qmoi.runners.base import CancelToken

_FILES = {"path": "add_path", "env": "set_env", "step_summary": "step_summary",
          "state": "save_state", "output": "set_output"}


def job_command_files(job: JobState) -> dict[str, str]:
    """The five environment files, made once per job and emptied after every step part
    (the runner makes new ones per step; an empty file is the same thing to a step, and
    this saves five creations and deletions per step)."""
    if job.command_files is None:
        tag = os.urandom(16).hex()  # what uuid4().hex is, without importing uuid
        folder = job.folders.file_commands
        job.command_files = {name: str(folder / f"{stem}_{tag}")
                             for name, stem in _FILES.items()}
        spares = job.folders.spares
        for path in job.command_files.values():
            # open+close, not Path.touch (a utime, failing, then the open: three calls); a
            # spare file of an earlier job renamed here when there is one (no new inode)
            os.close(new_file(spares, path, 0o644))
    return job.command_files


class StepIO:
    def __init__(self, job: JobState, index: int, env_context: Mapping[str, str]) -> None:
        self.job, self.index = job, index
        allow_commands, allow_tokens = unsecure_opt_ins({}, dict(env_context))
        self.processor = CommandProcessor(
            echo=job.debug, allow_unsecure_commands=allow_commands,
            allow_unsecure_stop_tokens=allow_tokens, workspace=str(job.folders.workspace),
            repository=str(job.request.github.get("repository", "")))
        self.outputs: dict[str, str] = {}
        self.state: dict[str, str] = {}
        self.summary: str | None = None
        self.failed = False
        # After a cancellation, the steps that still run (``always()``) get a fresh token:
        # they must not be stopped by the cancellation that already happened.
        self.token = job.token if not job.token.cancelled else CancelToken()
        self.files = job_command_files(job)

    # ------------------------------------------------------------------ output

    def on_lines(self, lines: list[str]) -> None:
        """The lines of one read of the step's output. Runs of plain lines go out as one
        event; a workflow command ends the run before it, so its effects (a mask, a
        group, ``stop-commands``) apply from the next line on, as they do line by line."""
        start = 0  # the first line not sent yet
        for index in command_lines(lines):
            result = self.processor.process(lines[index])
            if not result.is_command:
                continue
            if index > start:
                self.job.log_lines(self.index, lines[start:index])
            start = index + 1
            if result.failed:
                self.failed = True
            for effect in result.effects:
                self._apply(effect)
        if start < len(lines):
            self.job.log_lines(self.index, lines[start:] if start else lines)

    def _apply(self, effect: Effect) -> None:
        job, index = self.job, self.index
        if isinstance(effect, CommandAnnotation):
            job.annotate(index, effect.level, effect.message, file=effect.file,
                         line=effect.line, col=effect.col, title=effect.title)
        elif isinstance(effect, CommandLog):
            self._log_command(effect.text)
        elif isinstance(effect, Debug):
            job.log(index, effect.message, "debug")
        elif isinstance(effect, AddMask):
            job.masker.add_secret(effect.value)
        elif isinstance(effect, SetOutput):
            self.outputs[effect.name] = effect.value
        elif isinstance(effect, SaveState):
            self.state[effect.name] = effect.value
        elif isinstance(effect, SetEnv):
            job.github_env[effect.name] = effect.value
        elif isinstance(effect, AddPath):
            job.path_entries = prepend_paths(job.path_entries, [effect.path])
        # Problem matchers (add-matcher/remove-matcher) have no local equivalent.

    def _log_command(self, text: str) -> None:
        if text.startswith("##[group]"):
            self.job.log(self.index, text[len("##[group]"):], "group")
        elif text.startswith("##[endgroup]"):
            self.job.log(self.index, "", "endgroup")
        else:
            self.job.log(self.index, text, "command")

    def error(self, message: str) -> None:
        self.job.annotate(self.index, "error", message)

    # ------------------------------------------------------------------ process

    def run(self, argv: Sequence[str], *, env: Mapping[str, str], cwd: str,
            timeout: float | None, warm: WarmShell | None = None,
            started: Callable[[], None] | None = None) -> Completed:
        """Run the part's process (``warm``: the one waiting for it, whose argv, env and
        cwd are these); ``started`` is called once it runs, before its output is read."""
        job = self.job
        if warm is None:
            proc, fd = start(argv, env=env, cwd=cwd)
        else:
            warm.open()
            proc, fd = warm.proc, warm.output
        if started is not None:
            started()
        return follow(proc, fd, on_lines=self.on_lines, token=self.token, timeout=timeout,
                      grace=job.grace, groups=job.groups)

    # ------------------------------------------------------------------ files

    def _read(self, name: str) -> bytes | None:
        """The file's bytes, leaving it empty for the next step (a stat first: most steps
        write none of the five files, and a stat is the cheapest way to know)."""
        path = self.files[name]
        try:
            if os.stat(path).st_size == 0:
                return None
            with open(path, "r+b") as handle:
                data = handle.read()
                handle.truncate(0)
            return data
        except FileNotFoundError:
            Path(path).touch()  # the step deleted it; the next step gets a fresh one
            return None
        except OSError:
            return None

    def apply_files(self) -> None:
        """Apply what the part wrote to its environment files, then delete them."""
        job = self.job
        data = self._read("path")
        if data:
            added = parse_path_file(data.decode("utf-8", "replace"))
            job.path_entries = prepend_paths(job.path_entries, added)
        self._key_values("env")
        summary = read_step_summary(self._read("step_summary"), job.masker.mask)
        self.summary = summary.markdown
        if summary.error:
            self.error(summary.error)
        self._key_values("state")
        self._key_values("output")

    def _key_values(self, name: str) -> None:
        parsed = read_key_value_file(self._read(name))
        if parsed.error is not None:
            self.failed = True
            self.error(file_command_failure(name))
            self.error(parsed.error.message)
        if name == "env":
            updates, errors = env_updates(parsed)
            self.job.github_env.update(updates)
            for message in errors:
                self.error(message)
        elif name == "state":
            self.state.update(parsed.as_dict())
        else:
            self.outputs.update(parsed.as_dict())
