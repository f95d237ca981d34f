"""JavaScript actions: ``node <action folder>/<file>`` in the workspace with the installed
``node`` (whatever its version: ``runs.using`` names the runtime GitHub would use), the
inputs as ``INPUT_*`` and the action's saved state as ``STATE_*``
(R:src/Runner.Worker/Handlers/NodeScriptActionHandler.cs; gha-semantics §3.11).
"""

from __future__ import annotations

import shutil

from qmoi.execute.actions.inputs import input_env
from qmoi.execute.actions.locate import Located
from qmoi.execute.step_kinds import CANCELLED, FAILURE, SUCCESS, StepRun
from qmoi.execute.timeouts import minutes_to_seconds


def run_node(run: StepRun, located: Located, script: str, inputs: dict[str, str],
             state: dict[str, str]) -> str:
    extra = {**input_env(inputs), **{f"STATE_{name}": value for name, value in state.items()}}
    env = run.process_env(extra)
    # The action's own location, also for an action used inside a composite.
    env.update(GITHUB_ACTION_PATH=str(located.folder),
               GITHUB_ACTION_REPOSITORY=located.repository, GITHUB_ACTION_REF=located.ref)
    node = shutil.which("node", path=env.get("PATH"))
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
    done = run.io.run([node, str(target)], env=env, cwd=str(run.job.folders.workspace),
                      timeout=timeout)
    if done.stopped == "cancelled":
        run.io.error("The operation was canceled.")
        return CANCELLED
    if done.stopped == "timeout":
        run.io.error(f"The action '{run.name}' has timed out after "
                     f"{(timeout or 0) / 60:g} minutes.")
        return FAILURE
    if done.exit_code != 0:
        run.io.error(f"Node run failed with exit code {done.exit_code}")
        return FAILURE
    return SUCCESS
