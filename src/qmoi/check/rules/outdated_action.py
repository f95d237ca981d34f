"""A603 outdated-action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from qmoi.check.actions_util import ResolvedRef, comment_tag, document_steps, ref_span, resolve
from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.registry import register
from qmoi.data import MajorSpec, runtime_status
from qmoi.diagnostics import Edit, Fix, FixSafety, Severity
from qmoi.model import Step
from qmoi.parse import Mapping, Scalar


@dataclass(frozen=True, slots=True)
class Outdated:
    """A step whose ``uses:`` names a major that is shut down or needs a retired runtime."""

    step: Step
    uses: Scalar
    resolved: ResolvedRef
    spec: MajorSpec


def _outdated(step: Step) -> Outdated | None:
    if step.action is None or step.uses is None:
        return None
    resolved = resolve(step.action)
    if resolved is None:
        return None
    spec = resolved.table.major(f"v{resolved.major}")
    if spec is None:
        return None  # a major the table does not know (newer, or never released)
    if spec.shutdown or runtime_status().get(spec.runtime or "") == "retired":
        return Outdated(step, step.uses, resolved, spec)
    return None


def _edits(ctx: Context, item: Outdated) -> tuple[Edit, ...] | None:
    """Edits moving one step to the current major; None when no target ref is known."""
    table = item.resolved.table
    if item.resolved.via_sha is not None:
        known = table.sha_for(table.current)
        if known is None:
            return None  # a SHA pin needs the SHA of the new release, which we lack
        new_ref, new_tag = known
    else:
        new_ref = new_tag = table.current
    edits = [Edit(ref_span(ctx, item.uses), new_ref)]
    comment = comment_tag(ctx, item.uses)
    if comment is not None:
        edits.append(Edit(comment[0], new_tag))
    return tuple(edits)


def _compatible(item: Outdated) -> bool:
    """Whether moving to the current major keeps inputs and behaviour, per the table."""
    table = item.resolved.table
    current = int(table.current.lstrip("v"))
    given = {name.casefold() for name in item.step.with_.names()}
    for major in table.between(item.resolved.major, current):
        if major.compatible is not True:
            return False
        if given & {name.casefold() for name in major.removed_inputs}:
            return False
    return True


def _describe(item: Outdated) -> str:
    action = item.step.action
    assert action is not None
    ref = action.ref or ""
    shown = f"{action.name}@{ref}" + (f" ({item.resolved.via_sha})" if item.resolved.via_sha
                                      else "")
    current = item.resolved.table.current
    if item.spec.shutdown:
        return (f"{shown} was shut down by GitHub, so every job using it fails; "
                f"move to {current}")
    return (f"{shown} runs on {item.spec.runtime}, a Node.js runtime GitHub has retired; "
            f"move to {current}")


@register
class OutdatedAction(Rule):
    """A popular action used at a major version GitHub no longer supports.

    What:
        Looks up each ``owner/repo@ref`` (a version tag, or a SHA the bundled table
        knows) in QMOI's table of popular actions' majors. A major whose service GitHub
        shut down (``actions/upload-artifact`` and ``download-artifact`` v1–v3,
        ``actions/cache`` v1–v2) is an error; a major that runs on a retired Node.js
        runtime (node12, node16, node20) is a warning.

    Why:
        Shut-down majors make the job fail ("This request has been automatically failed
        because it uses a deprecated version"). Actions on a retired runtime are forced
        onto a newer Node.js, which can break them, and Node 20 is removed from runners
        on 2026-09-16.

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/upload-artifact@v3
                with:
                  name: dist
                  path: dist/

    Fix safety:
        Moves the ref to the current major (a SHA pin only when the table knows the new
        release's SHA) and updates a trailing ``# v3`` comment. Safe when the table says
        every major in between kept inputs and behaviour and the step uses no input they
        removed; unsafe otherwise. ``upload-artifact`` and ``download-artifact`` are
        moved together in one fix, since v4 cannot read artifacts of earlier majors.
    """

    code = "A603"
    name = "outdated-action"
    severity = Severity.ERROR
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})
    fix_availability = "sometimes"

    def workflow(self, ctx: Context, root: Mapping) -> None:
        self._check(ctx)

    def action(self, ctx: Context, root: Mapping) -> None:
        self._check(ctx)

    def _check(self, ctx: Context) -> None:
        found = [item for step in document_steps(ctx) if (item := _outdated(step)) is not None]
        for item in found:
            group = self._group(item, found)
            fix = self._fix(ctx, group)
            severity = Severity.ERROR if item.spec.shutdown else Severity.WARNING
            ctx.report(ref_span(ctx, item.uses), _describe(item), severity=severity, fix=fix)

    @staticmethod
    def _group(item: Outdated, found: list[Outdated]) -> list[Outdated]:
        """The steps one fix must move: the step, plus every outdated step of a paired
        action (upload/download-artifact) in the same document."""
        partner = item.resolved.table.paired_with
        if partner is None:
            return [item]
        names = {item.resolved.table.repository.lower(), partner.lower()}
        return [other for other in found
                if other.resolved.table.repository.lower() in names]

    @staticmethod
    def _fix(ctx: Context, group: list[Outdated]) -> Fix | None:
        edits: list[Edit] = []
        for member in group:
            more = _edits(ctx, member)
            if more is None:
                return None  # moving only part of a pair would leave it broken
            edits.extend(more)
        safe = all(_compatible(member) for member in group)
        targets = sorted({m.resolved.table.repository + "@" + m.resolved.table.current
                          for m in group})
        title = "Move to " + " and ".join(targets)
        return Fix(title, FixSafety.SAFE if safe else FixSafety.UNSAFE, tuple(edits))
