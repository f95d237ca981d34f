"""JavaScript actions: ``node <action folder>/<file>`` in the workspace with the installed
``node`` (whatever its version: ``runs.using`` names the runtime GitHub would use), the
inputs as ``INPUT_*`` and the action's saved state as ``STATE_*``
(R:src/Runner.Worker/Handlers/NodeScriptActionHandler.cs; gha-semantics §3.11).
"""

from __future__ import annotations

import os
import shutil

from qmoi.execute.actions.inputs import input_env
from qmoi.execute.actions.locate import Located
from qmoi.execute.step_kinds import FAILURE, StepRun, process_outcome
from qmoi.execute.timeouts import minutes_to_seconds


def run_node(run: StepRun, located: Located, script: str, inputs: dict[str, str],
             state: dict[str, str]) -> str:
    extra = {**input_env(inputs), **{f"STATE_{name}": value for name, value in state.items()}}
    env = run.process_env(extra)
    # The action's own location, also for an action used inside a composite.
    env.update(GITHUB_ACTION_PATH=str(located.folder),
               GITHUB_ACTION_REPOSITORY=located.repository, GITHUB_ACTION_REF=located.ref)
    job = run.job
    inside = job.containers if job.paths is not None else None
    if inside is not None and job.paths is not None:
        env["GITHUB_ACTION_PATH"] = job.paths.translate(str(located.folder))
    node = inside.node if inside is not None else shutil.which("node", path=env.get("PATH"))
    runs = located.action.runs
    using = runs.using.value if runs is not None and runs.using is not None else "node"
    if node is None:
        run.io.error(f"action {located.shown} is a JavaScript action (runs.using: {using}) "
                     "and needs Node.js, but no 'node' was found on PATH; install Node.js")
        return FAILURE
    target = located.folder / script
    if not target.is_file():
        run.io.error(f"action {located.shown}: file '{script}' does not exist in "
                     f"{located.folder}")
        return FAILURE
    timeout = minutes_to_seconds(run.render(run.step.timeout_minutes) or None,
                                 "timeout-minutes", run.source, run.step.timeout_minutes)
    workspace = str(job.folders.workspace)
    if inside is not None and job.paths is not None:
        # In the job container, with the node mounted at /__e (or the image's own).
        at = job.paths.translate
        argv = inside.exec_argv([node, at(str(target))], env, at(workspace))
        done = run.io.run(argv, env={**os.environ, **env}, cwd=workspace, timeout=timeout)
        if done.exit_code in (126, 127) and done.stopped is None:
            run.io.error(f"action {located.shown} is a JavaScript action and '{node}' "
                         "could not run in the job container (this machine's node needs "
                         "glibc in the image; without a node here, the image needs its own)")
    else:
        done = run.io.run([node, str(target)], env=env, cwd=workspace, timeout=timeout)
    return process_outcome(run, done, timeout, "Node run failed with exit code {code}")

