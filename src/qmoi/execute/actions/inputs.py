"""An action's inputs: the step's ``with`` values, else the declared defaults.

Rules (gha-semantics §3.11; R:src/Runner.Worker/ActionRunner.cs and Handlers/Handler.cs
``AddInputsToEnvironment``): input ids compare case-insensitively; a ``with`` key the
action does not declare gives the warning "Unexpected input(s)"; ``required`` is not
enforced by the runner (the action itself usually fails), so a missing required input only
warns here; node and docker actions get ``INPUT_<NAME>`` with the name upper-cased and
spaces turned into ``_`` (hyphens kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qmoi.execute.step_kinds import StepRun
from qmoi.model import Action
from qmoi.plan.values import render_text


@dataclass(frozen=True, slots=True)
class ActionInputs:
    """An action's input values for one step (``with``, else the defaults) and the warnings they
    raised."""

    values: dict[str, str]
    warnings: tuple[str, ...] = ()


def given_inputs(run: StepRun) -> dict[str, str]:
    """The step's ``with`` values, evaluated in the step's contexts."""
    values: dict[str, str] = {}
    for entry in run.step.with_:
        values[entry.name] = run.render(entry.scalar) if entry.scalar is not None else ""
    return values


def action_inputs(run: StepRun, action: Action, shown: str) -> ActionInputs:
    """``inputs`` of ``action`` for this step (spelled as the action declares them)."""
    given = given_inputs(run)
    folded = {name.casefold(): value for name, value in given.items()}
    declared = {item.name.casefold() for item in action.inputs}
    warnings: list[str] = []
    unexpected = [name for name in given if name.casefold() not in declared]
    if unexpected:
        valid = ", ".join(f"'{item.name}'" for item in action.inputs)
        warnings.append(f"Unexpected input(s) {', '.join(repr(n) for n in unexpected)}, "
                        f"valid inputs are [{valid}]")
    values: dict[str, str] = {name: value for name, value in given.items()
                              if name.casefold() not in declared}
    contexts: dict[str, Any] | None = None
    for item in action.inputs:
        key = item.name.casefold()
        if key in folded:
            values[item.name] = folded[key]
            continue
        if item.default is not None:
            if contexts is None:
                contexts = _default_contexts(run)
            values[item.name] = render_text(item.default, contexts, action.source,
                                            options=run.job.options)
            continue
        values[item.name] = ""
        if item.is_required:
            warnings.append(f"Input required and not supplied: {item.name} ({shown})")
    return ActionInputs(values, tuple(warnings))


def _default_contexts(run: StepRun) -> dict[str, Any]:
    """Input defaults may use github, strategy, matrix, job and runner (action_yaml.json)."""
    full = run.contexts(secrets=False)
    return {name: full[name] for name in ("github", "strategy", "matrix", "job", "runner")
            if name in full}


def input_env(values: dict[str, str]) -> dict[str, str]:
    """``INPUT_*`` variables (``num-octocats`` → ``INPUT_NUM-OCTOCATS``)."""
    return {f"INPUT_{name.replace(' ', '_').upper()}": value for name, value in values.items()}
