"""Action metadata (``action.yml``), key by key.

Keys: https://docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax
Shapes: actions/runner ``src/Runner.Worker/action_yaml.json``
(https://github.com/actions/runner/blob/main/src/Runner.Worker/action_yaml.json).
The runner reads the top level and each input loosely (any extra key is accepted), so
unknown keys there are warnings; ``runs`` and composite steps are strict.
"""

from __future__ import annotations

from qmoi.check.schema import (
    ENV,
    NONEMPTY_STRING,
    STRING,
    Spec,
    T,
    free_mapping,
    known_keys,
    mapping,
    required,
    sequence,
)
from qmoi.parse.nodes import Mapping, Sequence

# ``required`` is documented as a boolean but the runner never reads it, and a string
# "true" works in practice, so any scalar is accepted.
_INPUT = mapping(
    known_keys(description=STRING, required=STRING, default=Spec(T.STR, expr=True),
               deprecationMessage=STRING),
    types=T.NULL, loose=True,
)
_OUTPUT = mapping(known_keys(description=STRING, value=Spec(T.STR, expr=True)), types=T.NULL)

# Composite steps: no ``timeout-minutes`` (metadata-syntax "runs.steps").
COMPOSITE_STEP = mapping(known_keys(
    name=Spec(T.STR, expr=True),
    id=NONEMPTY_STRING,
    **{"if": Spec(T.STR, expr=True)},
    run=Spec(T.STR, expr=True),
    shell=NONEMPTY_STRING,
    uses=NONEMPTY_STRING,
    **{"with": free_mapping(STRING, expr=True)},
    env=ENV,
    working_directory=Spec(T.STR, expr=True),
    continue_on_error=Spec(T.BOOL, expr=True),
))

# One spec for the three kinds (JavaScript, Docker, composite); which keys go with
# which ``using`` is the required-key rule's (S103) business.
RUNS = mapping(known_keys(
    using=required(NONEMPTY_STRING),
    main=NONEMPTY_STRING,
    pre=NONEMPTY_STRING,
    pre_if=NONEMPTY_STRING,
    post=NONEMPTY_STRING,
    post_if=NONEMPTY_STRING,
    image=NONEMPTY_STRING,
    entrypoint=NONEMPTY_STRING,
    args=sequence(Spec(T.STR, expr=True)),
    env=free_mapping(STRING, expr=True),
    pre_entrypoint=NONEMPTY_STRING,
    post_entrypoint=NONEMPTY_STRING,
    steps=sequence(COMPOSITE_STEP, label="step {index}"),
))

ACTION = mapping(known_keys(
    # The docs call name and description required, but the runner never checks them
    # (action-root has no required key), so the required-key rule only warns.
    name=STRING,
    author=STRING,
    description=STRING,
    inputs=free_mapping(_INPUT, label='input "{key}"'),
    outputs=free_mapping(_OUTPUT, label='output "{key}"'),
    runs=required(RUNS),
    branding=mapping(known_keys(icon=STRING, color=STRING)),
), loose=True)

# What each kind of action must declare under ``runs`` (metadata-syntax: ``runs.main``,
# ``runs.image``, ``runs.steps`` are each "Required" for their kind).
def required_runs_key(using: str) -> str | None:
    if using.startswith("node"):
        return "main"
    if using == "docker":
        return "image"
    if using == "composite":
        return "steps"
    return None


def composite_steps(root: Mapping) -> list[Mapping]:
    """The step mappings of a composite action (none for other kinds)."""
    runs = root.get("runs")
    steps = runs.get("steps") if isinstance(runs, Mapping) else None
    if not isinstance(steps, Sequence):
        return []
    return [step for step in steps.items if isinstance(step, Mapping)]
