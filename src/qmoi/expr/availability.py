"""Which contexts and special functions each workflow (or action.yml) key allows.

Taken from the runner's workflow schema, whose ``context`` lists name them per key
(https://github.com/actions/runner/blob/main/src/Sdk/WorkflowParser/workflow-v1.0.json,
e.g. ``job-if``, ``step-if``, ``string-steps-context``, ``container-registry-credentials``),
which agrees with the docs table "Context availability"
(https://docs.github.com/en/actions/reference/workflows-and-actions/contexts#context-availability).
Nested definitions add their contexts to the enclosing key's, so container credentials
allow ``needs``/``matrix`` from ``container`` plus ``secrets``/``env`` of their own.
Composite actions use action_yaml.json
(https://github.com/actions/runner/blob/main/src/Runner.Worker/action_yaml.json): no
``secrets``, ``vars`` or ``needs``.
GitHub rejects a workflow that names an unavailable context ("Unrecognized named-value").
"""

from __future__ import annotations

from dataclasses import dataclass

CONTEXTS = frozenset(("github", "env", "vars", "job", "jobs", "steps", "runner", "secrets",
                      "strategy", "matrix", "needs", "inputs"))
STATUS_FUNCTIONS = frozenset(("success", "failure", "cancelled", "always"))
SPECIAL_FUNCTIONS = STATUS_FUNCTIONS | {"hashfiles"}


@dataclass(frozen=True, slots=True)
class Availability:
    """``where`` is the key as the docs write it; ``functions`` are the special functions
    (status functions, ``hashFiles``) allowed there, lower-cased."""

    where: str
    contexts: frozenset[str]
    functions: frozenset[str] = frozenset()

    def allows_context(self, name: str) -> bool:
        return name.lower() in self.contexts

    def allows_function(self, name: str) -> bool:
        lowered = name.lower()
        return lowered not in SPECIAL_FUNCTIONS or lowered in self.functions


_STATUS = "success failure cancelled always"
_WORKFLOW = "github inputs vars"
_NEEDS = _WORKFLOW + " needs"
_STRATEGY = _NEEDS + " strategy matrix"
_RUNNER = _STRATEGY + " job runner env"
_STEPS = _RUNNER + " steps"


def _a(where: str, contexts: str, functions: str = "") -> Availability:
    return Availability(where, frozenset(contexts.split()), frozenset(functions.split()))


_J = "jobs.<job_id>."
_S = _J + "steps."
_TABLE: tuple[Availability, ...] = (
    _a("run-name", _WORKFLOW),
    _a("concurrency", _WORKFLOW),
    _a("env", _WORKFLOW + " secrets"),
    _a("on.workflow_call.inputs.<inputs_id>.default", _WORKFLOW),
    _a("on.workflow_call.outputs.<output_id>.value", _WORKFLOW + " jobs"),
    _a(_J + "if", _NEEDS, _STATUS),
    _a(_J + "strategy", _NEEDS),
    *(_a(_J + key, _STRATEGY) for key in (
        "name", "runs-on", "environment", "timeout-minutes", "cancel-timeout-minutes",
        "container", "services", "concurrency", "continue-on-error", "snapshot")),
    _a(_J + "env", _STRATEGY + " secrets"),
    _a(_J + "defaults.run", _STRATEGY + " env"),
    _a(_J + "container.credentials", _STRATEGY + " env secrets"),
    _a(_J + "services.<service_id>.credentials", _STRATEGY + " env secrets"),
    _a(_J + "container.env.<env_id>", _RUNNER + " secrets"),
    _a(_J + "services.<service_id>.env.<env_id>", _RUNNER + " secrets"),
    _a(_J + "environment.url", _STEPS),
    _a(_J + "outputs.<output_id>", _STEPS + " secrets"),
    _a(_J + "with.<with_id>", _STRATEGY),
    _a(_J + "secrets.<secrets_id>", _STRATEGY + " secrets"),
    _a(_S + "if", _STEPS, _STATUS + " hashFiles"),
    *(_a(_S + key, _STEPS + " secrets", "hashFiles") for key in (
        "name", "env", "with", "run", "working-directory", "continue-on-error",
        "timeout-minutes")),
    # action.yml
    _a("inputs.<input_id>.default", "github strategy matrix job runner", "hashFiles"),
    _a("outputs.<output_id>.value", "github inputs strategy matrix steps job runner env"),
    _a("runs.steps.if", "github inputs strategy matrix steps job runner env",
       _STATUS + " hashFiles"),
    _a("runs.steps", "github inputs strategy matrix steps job runner env", "hashFiles"),
    _a("runs.pre-if", "github inputs strategy matrix steps job runner env", _STATUS),
    _a("runs.post-if", "github inputs strategy matrix steps job runner env", _STATUS),
    _a("runs.env", "inputs"),
    _a("runs.args", "inputs"),
)
_BY_KEY = {a.where: Availability(a.where, a.contexts, frozenset(f.lower() for f in a.functions))
           for a in _TABLE}


def availability(where: str) -> Availability:
    """The availability of a key, written as in the docs (``jobs.<job_id>.steps.if``).

    Raises ``KeyError`` for a key that evaluates no expressions.
    """
    return _BY_KEY[where]


def known_keys() -> tuple[str, ...]:
    return tuple(_BY_KEY)
