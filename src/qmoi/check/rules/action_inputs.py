"""A602 action-inputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from qmoi.check.actions_util import bundled, document_steps, local_action, ref_major, resolve
from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.registry import register
from qmoi.check.schema_walk import did_you_mean
from qmoi.diagnostics import Edit, Fix, FixSafety, Severity
from qmoi.model import ActionRef, Step
from qmoi.parse import Mapping
from qmoi.source import Span

# Docker actions also take these two `with` keys, which override the image's
# entrypoint and arguments (gha-semantics.md §3.11, actions/runner ActionManifestManager).
_DOCKER_KEYS = frozenset({"entrypoint", "args"})


@dataclass(frozen=True, slots=True)
class Known:
    """The inputs an action declares, and how sure we are that they fit the ref used."""

    label: str
    names: tuple[str, ...]
    required: tuple[str, ...]  # required inputs without a default
    deprecated: tuple[tuple[str, str], ...]
    docker: bool
    # False when the metadata may describe another version than the ref uses (another
    # major, a branch, an unknown SHA, no recorded major): then nothing is reported,
    # since inputs differ between versions and a false error is worse than a miss.
    exact: bool


def _local(ctx: Context, ref: ActionRef) -> Known | None:
    action = local_action(ctx, ref)
    if action is None:
        return None
    using = None if action.runs is None or action.runs.using is None else action.runs.using.value
    return Known(
        label=f'local action "{ref.raw}"',
        names=tuple(i.name for i in action.inputs),
        required=tuple(i.name for i in action.inputs if i.is_required and i.default is None),
        deprecated=tuple((i.name, i.deprecation_message.value) for i in action.inputs
                         if i.deprecation_message is not None),
        docker=using == "docker",
        exact=True,
    )


# Workflows use the same few actions over and over; what is known about one depends on
# every field of the reference but its span, so those fields are the key.
_KNOWN: dict[tuple[str | None, ...], Known | None] = {}
_KNOWN_LIMIT = 4096


def _remote(ref: ActionRef) -> Known | None:
    key = (ref.raw, ref.kind, ref.owner, ref.repo, ref.path, ref.ref, ref.image)
    if key in _KNOWN:
        return _KNOWN[key]
    found = _remote_known(ref)
    if len(_KNOWN) >= _KNOWN_LIMIT:
        _KNOWN.clear()
    _KNOWN[key] = found
    return found


def _remote_known(ref: ActionRef) -> Known | None:
    spec = bundled(ref)
    if spec is None:
        return None
    resolved = resolve(ref)
    major = resolved.major if resolved is not None else ref_major(ref.ref or "")
    exact = spec.major is not None and major is not None and f"v{major}" == spec.major
    return Known(
        label=f'action "{ref.name}"' + (f" ({spec.major})" if spec.major else ""),
        names=tuple(i.name for i in spec.inputs),
        required=tuple(i.name for i in spec.inputs if i.required and i.default is None),
        deprecated=tuple((i.name, i.deprecation_message) for i in spec.inputs
                         if i.deprecation_message),
        docker=spec.using == "docker",
        exact=exact,
    )


@register
class ActionInputs(Rule):
    """``with:`` inputs that the action does not declare, lacks, or has deprecated.

    What:
        Checks each ``uses`` step's ``with`` against the action's metadata: a local
        action's ``action.yml`` (read from the repository) or the bundled metadata of
        popular actions. Reports inputs the action does not define (with the closest
        name), required inputs that have no default and are not given, and inputs the
        action marks with a ``deprecationMessage``. Input names are compared
        case-insensitively, as the runner does. Bundled metadata is used only when it
        describes the major version the ref names (a tag, or a SHA the data knows).

    Why:
        The runner ignores an unknown input with a warning, so a misspelt input silently
        does nothing; a missing required input usually makes the action fail.

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v7
                with:
                  fetch_depth: 0

    Fix safety:
        Renaming an unknown input to the closest declared one is an unsafe fix: the input
        then takes effect.
    """

    code = "A602"
    name = "action-inputs"
    severity = Severity.ERROR
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})
    fix_availability = "sometimes"

    def workflow(self, ctx: Context, root: Mapping) -> None:
        self._check(ctx)

    def action(self, ctx: Context, root: Mapping) -> None:
        self._check(ctx)

    def _check(self, ctx: Context) -> None:
        for step in document_steps(ctx):
            ref = step.action
            if ref is None or step.with_.expression is not None:
                continue
            known = _local(ctx, ref) if ref.kind == "local" else _remote(ref)
            if known is not None and known.exact:
                self._check_step(ctx, step, known)

    def _check_step(self, ctx: Context, step: Step, known: Known) -> None:
        declared = {name.casefold(): name for name in known.names}
        given = {entry.name.casefold() for entry in step.with_}
        for entry in step.with_:
            folded = entry.name.casefold()
            if folded in declared:
                self._deprecated(ctx, entry.key.span, declared[folded], known)
            elif not (known.docker and folded in _DOCKER_KEYS):
                self._unknown(ctx, entry.key.span, entry.name, known)
        if step.uses is None:
            return
        for name in known.required:
            if name.casefold() not in given:
                ctx.report(step.uses, f'{known.label} requires the input "{name}", which '
                                      "has no default and is not given in \"with\"")

    def _unknown(self, ctx: Context, span: Span, name: str, known: Known) -> None:
        guess = did_you_mean(name, known.names)
        message = f'input "{name}" is not defined by {known.label}'
        fix = None
        if guess is not None:
            message += f'; did you mean "{guess}"?'
            fix = Fix(f'Rename to "{guess}"', FixSafety.UNSAFE, (Edit(span, guess),))
        ctx.report(span, message, fix=fix)

    def _deprecated(self, ctx: Context, span: Span, name: str, known: Known) -> None:
        for deprecated, note in known.deprecated:
            if deprecated == name:
                ctx.report(span, f'input "{name}" of {known.label} is deprecated: '
                                 f"{' '.join(note.split())}", severity=Severity.WARNING)
