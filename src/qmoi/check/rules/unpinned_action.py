"""Z707 unpinned-action."""

from __future__ import annotations

import fnmatch
import re
from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.model import ActionRef, parse_action_ref
from qmoi.parse.nodes import Mapping, Scalar, Sequence

_SHA = re.compile(r"[0-9a-f]{40}")
_VERSION = re.compile(r"v?\d+(\.\d+)*([-+.][0-9A-Za-z.-]+)?")
_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


@register
class UnpinnedAction(Rule):
    """A third-party action not pinned as the repository's policy asks.

    What:
        With ``actions.pinning: sha`` in ``.github/qmoi.yml``, reports ``uses:`` of
        actions and reusable workflows whose ref is not a full 40-character commit SHA,
        and ``docker://`` images without an ``@sha256:`` digest. With ``pinning: tag``,
        reports refs that are not a version tag or a SHA (branches such as ``main``).
        Owners and repositories listed in ``actions.trusted`` (default ``actions/*``,
        ``github/*``) and local actions are exempt; the default policy is ``none``.

    Why:
        Tags and branches can be moved by whoever controls the action's repository, so
        the code that runs with the job's secrets can change without a commit here. A
        SHA is the only immutable reference
        (https://docs.github.com/en/actions/security-guides/security-hardening-for-github-actions#using-third-party-actions).

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: some-owner/some-action@main

    Fix safety:
        No fix: finding the commit a tag points at needs the network.
    """

    code = "Z707"
    name = "unpinned-action"
    # The policy the documented example runs under.
    example_files = ((".github/qmoi.yml", "actions:\n  pinning: sha\n"),)
    severity = Severity.WARNING
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})

    def job(self, ctx: Context, job_id: Scalar, job: Mapping) -> None:
        _check(ctx, job.get("uses"))  # a reusable workflow call

    def step(self, ctx: Context, job_id: Scalar, step: Mapping, index: int) -> None:
        _check(ctx, step.get("uses"))

    def action(self, ctx: Context, root: Mapping) -> None:
        runs = root.get("runs")
        steps = runs.get("steps") if isinstance(runs, Mapping) else None
        if isinstance(steps, Sequence):
            for step in steps.items:
                if isinstance(step, Mapping):
                    _check(ctx, step.get("uses"))


def _check(ctx: Context, uses: object) -> None:
    policy = ctx.config.pinning
    if policy == "none" or not isinstance(uses, Scalar) or "${{" in uses.value:
        return
    ref = parse_action_ref(uses.value, uses.span)
    if ref.kind == "local" or _trusted(ref, ctx.config.trusted):
        return
    problem = _problem(ref, policy)
    if problem is not None:
        ctx.report(uses, f'"{ref.raw}" {problem} (actions.pinning: {policy})')


def _trusted(ref: ActionRef, patterns: tuple[str, ...]) -> bool:
    if ref.kind != "remote" or ref.repository is None:
        return False
    repository = ref.repository.lower()
    owner = repository.split("/", 1)[0]
    return any(fnmatch.fnmatchcase(repository if "/" in p else owner, p.lower())
               for p in patterns)


def _problem(ref: ActionRef, policy: str) -> str | None:
    if ref.kind == "docker":
        image = ref.image or ""
        if _DIGEST.search(image):
            return None
        if policy == "sha":
            return "is not pinned to an image digest (@sha256:…)"
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        return None if tag and tag != "latest" else "has no fixed image tag"
    if not ref.is_valid or ref.ref is None:
        return None  # a malformed reference is another rule's finding
    if _SHA.fullmatch(ref.ref):
        return None
    if policy == "sha":
        return "is not pinned to a full commit SHA"
    return None if _VERSION.fullmatch(ref.ref) else "is not pinned to a version tag or a SHA"
