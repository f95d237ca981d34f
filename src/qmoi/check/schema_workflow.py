"""The workflow file, key by key.

Transcribed from actions/runner ``src/Sdk/WorkflowParser/workflow-v1.0.json``
(https://github.com/actions/runner/blob/main/src/Sdk/WorkflowParser/workflow-v1.0.json):
``expr=True`` marks each definition that lists allowed ``context`` there, and the
walker lets it cover everything nested below, as the runner's template reader does.
Keys: https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax
"""

from __future__ import annotations

from qmoi.check.schema import (
    ANY,
    BOOLEAN,
    ENV,
    NONEMPTY_STRING,
    NUMBER,
    STRING,
    STRING_LIST,
    STRING_OR_LIST,
    Spec,
    T,
    free_mapping,
    known_keys,
    mapping,
    required,
    sequence,
)
from qmoi.check.schema_events import ON

# The runner schema's ``permissions-mapping``, plus ``code-quality``: newer than that
# copy of the schema, used by Homebrew/brew and dotnet/efcore and accepted by actionlint.
_SCOPES = (
    "actions", "artifact-metadata", "attestations", "checks", "code-quality", "contents",
    "deployments",
    "discussions", "id-token", "issues", "models", "packages", "pages", "pull-requests",
    "repository-projects", "security-events", "statuses",
)
# ``permissions: read-all`` / ``write-all`` or a scope → level mapping; no expressions.
PERMISSIONS = mapping(known_keys(**{s.replace("-", "_"): NONEMPTY_STRING for s in _SCOPES}),
                      types=T.STR)

CONCURRENCY = mapping(
    known_keys(group=required(NONEMPTY_STRING), cancel_in_progress=BOOLEAN),
    types=T.STR, expr=True,
)

# Workflow-level defaults cannot use expressions (workflow-defaults has no context).
_DEFAULTS_RUN = known_keys(shell=NONEMPTY_STRING, working_directory=NONEMPTY_STRING)
WORKFLOW_DEFAULTS = mapping(known_keys(run=mapping(_DEFAULTS_RUN)))
JOB_DEFAULTS = mapping(known_keys(run=mapping(_DEFAULTS_RUN, expr=True)))

_CREDENTIALS = mapping(known_keys(username=NONEMPTY_STRING, password=NONEMPTY_STRING))
_CONTAINER_KEYS = {
    "image": STRING, "options": STRING, "env": ENV, "ports": STRING_LIST,
    "volumes": STRING_LIST, "credentials": _CREDENTIALS,
}
CONTAINER = mapping(known_keys(**_CONTAINER_KEYS), types=T.STR, expr=True)
SERVICE = mapping(known_keys(**_CONTAINER_KEYS, entrypoint=STRING, command=STRING),
                  types=T.STR)
SERVICES = free_mapping(SERVICE, label='service "{key}"', expr=True)

# A matrix vector must be a non-empty list ("Matrix vector 'x' does not contain any
# values"), and a matrix with nothing in it is rejected ("Matrix must define at least
# one vector") — runner WorkflowTemplateConverter.ConvertToStrategy.
_MATRIX_ROWS = sequence(free_mapping(ANY, nonempty=True))
MATRIX = Spec(
    T.MAP,
    keys=known_keys(include=_MATRIX_ROWS, exclude=_MATRIX_ROWS),
    extra=sequence(ANY, nonempty=True),
    nonempty=True,
    label='matrix vector "{key}"',
)
STRATEGY = mapping(known_keys(fail_fast=BOOLEAN, max_parallel=NUMBER, matrix=MATRIX), expr=True)

_RUNS_ON = mapping(known_keys(group=NONEMPTY_STRING, labels=STRING_OR_LIST),
                   types=T.STR | T.SEQ, items=NONEMPTY_STRING, expr=True, nonempty=True)

# Background steps (newest docs and runner): ``background``, ``wait``, ``wait-all``,
# ``cancel``, ``parallel`` — see reference/gha-semantics.md §3.13.
_BACKGROUND_KEYS = {
    "background": BOOLEAN, "wait": STRING_OR_LIST, "wait-all": Spec(T.BOOL | T.NULL),
    "cancel": NONEMPTY_STRING, "parallel": sequence(ANY),
}
STEP = mapping(known_keys(
    name=Spec(T.STR, expr=True),
    id=NONEMPTY_STRING,
    # ``if`` is always an expression; its text is read as a string.
    **{"if": Spec(T.STR, expr=True)},
    timeout_minutes=Spec(T.NUM, expr=True),
    run=Spec(T.STR, expr=True),
    continue_on_error=Spec(T.BOOL, expr=True),
    env=ENV,
    working_directory=Spec(T.STR, expr=True),
    shell=NONEMPTY_STRING,
    uses=NONEMPTY_STRING,
    **{"with": free_mapping(STRING, expr=True)},
    **_BACKGROUND_KEYS,
))

# One spec for both job forms (a runner job and a reusable-workflow call); which keys
# each form may use, and that runs-on is needed without uses, is rule S109/S103's work.
JOB = mapping(known_keys(
    name=Spec(T.STR, expr=True),
    needs=STRING_OR_LIST,
    runs_on=_RUNS_ON,
    permissions=PERMISSIONS,
    environment=mapping(known_keys(
        name=required(Spec(T.STR, expr=True)),
        url=Spec(T.STR, expr=True),
        # Newer than the runner schema copy; astral-sh/ruff and astral-sh/uv release
        # with ``deployment: false``, so GitHub accepts it.
        deployment=Spec(T.BOOL, expr=True),
    ), types=T.STR, expr=True),
    concurrency=CONCURRENCY,
    outputs=free_mapping(Spec(T.STR, expr=True)),
    env=ENV,
    defaults=JOB_DEFAULTS,
    **{"if": Spec(T.STR, expr=True)},
    steps=sequence(STEP, label="step {index}"),
    timeout_minutes=Spec(T.NUM, expr=True),
    cancel_timeout_minutes=Spec(T.NUM, expr=True),
    strategy=STRATEGY,
    continue_on_error=Spec(T.BOOL, expr=True),
    container=CONTAINER,
    services=SERVICES,
    snapshot=mapping(known_keys(image_name=required(NONEMPTY_STRING), version=NONEMPTY_STRING,
                                **{"if": STRING}), types=T.STR, expr=True),
    uses=NONEMPTY_STRING,
    **{"with": free_mapping(STRING, expr=True)},
    secrets=free_mapping(STRING, types=T.STR, expr=True),
))

# "The workflow must contain at least one job with no dependencies" rejects ``jobs: {}``
# (runner WorkflowTemplateConverter.ConvertToJobs).
JOBS = free_mapping(JOB, label='job "{key}"', nonempty=True)

WORKFLOW = mapping(known_keys(
    on=required(ON),
    name=STRING,
    description=STRING,
    run_name=Spec(T.STR, expr=True),
    defaults=WORKFLOW_DEFAULTS,
    env=ENV,
    permissions=PERMISSIONS,
    concurrency=CONCURRENCY,
    jobs=required(JOBS),
))

# Keys only a reusable-workflow call may have, and keys only a runner job may have
# (the ``workflow-job`` and ``job-factory`` definitions of the runner schema).
CALL_ONLY_KEYS = frozenset({"uses", "with", "secrets"})
CALL_KEYS = frozenset({"name", "uses", "with", "secrets", "needs", "if", "permissions",
                       "concurrency", "strategy"})
