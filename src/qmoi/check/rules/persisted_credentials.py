"""Z703 persisted-credentials."""

from __future__ import annotations

import re

from qmoi.check import security_util as su
from qmoi.check.base import Context, Rule
from qmoi.check.registry import register
from qmoi.diagnostics import Edit, Fix, FixSafety, Severity
from qmoi.model import Step
from qmoi.parse.nodes import Mapping, Scalar
from qmoi.source import Span

# Commands that talk to the remote with the persisted token (or may: ``gh`` and release
# tools push tags and commits).
_REMOTE = re.compile(
    r"\bgit\s+(?:-C\s+\S+\s+)?(?:push|fetch|pull|ls-remote|submodule|remote\s+update)\b"
    r"|(?:^|[\s;&|(])(?:gh|hub)\s|semantic-release|release-it|lerna\s+(?:publish|version)"
    r"|changeset\s+(?:publish|version)|mvn\b[^\n]*\brelease:|cargo\s+release",
    re.MULTILINE,
)
# Words in an action's name that suggest it commits, pushes or tags with the checkout's
# credentials (git-auto-commit-action, create-pull-request, gh-pages deployers, …).
_PUSHY = ("push", "commit", "pull-request", "release", "deploy", "pages", "publish", "tag",
          "git", "version", "changeset", "merge", "backport", "sync", "bump", "update")


@register
class PersistedCredentials(Rule):
    """``actions/checkout`` leaves the job's token in ``.git/config``.

    What:
        Reports ``actions/checkout`` steps that do not set ``persist-credentials``.
        An explicit ``persist-credentials: true`` is taken as intended.

    Why:
        By default the checkout writes the token into the repository's git config, where
        every later step — third-party actions, build scripts, anything uploaded as an
        artifact that includes ``.git`` — can read it
        (https://github.com/actions/checkout#usage, input ``persist-credentials``).

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: make

    Fix safety:
        Safe when no later step of the job talks to the remote (``git push``/``fetch``,
        ``gh``, release tools, actions whose name suggests they push, local or Docker
        actions): adds ``with: persist-credentials: false``. Otherwise no fix, since
        those steps need the credentials.
    """

    code = "Z703"
    name = "persisted-credentials"
    severity = Severity.WARNING
    fix_availability = "sometimes"

    def job(self, ctx: Context, job_id: Scalar, job: Mapping) -> None:
        model = su.job_of(ctx.workflow, job_id.value)
        if model is None:
            return
        steps = model.steps
        for position, step in enumerate(steps):
            if not su.is_action(step, "actions/checkout") or step.uses is None:
                continue
            if step.with_.get("persist-credentials") is not None or step.with_.expression:
                continue
            later_pushes = any(_talks_to_remote(s) for s in steps[position + 1 :])
            fix = None if later_pushes else _fix(ctx.source.text, step)
            ctx.report(step.uses, "actions/checkout keeps the job's token in .git/config for "
                                  "every later step; set persist-credentials: false unless "
                                  "a later step pushes", fix=fix)


def _talks_to_remote(step: Step) -> bool:
    if step.run is not None:
        return _REMOTE.search(step.run.value) is not None
    ref = step.action
    if ref is None:
        return False
    if ref.kind != "remote":
        return True  # a local or Docker action may do anything with the credentials
    name = ref.name_lower
    return not name.startswith("actions/") and any(word in name for word in _PUSHY)


def _fix(text: str, step: Step) -> Fix | None:
    edit = _edit(text, step)
    if edit is None:
        return None
    return Fix("set persist-credentials: false", FixSafety.SAFE, (edit,))


def _edit(text: str, step: Step) -> Edit | None:
    node = step.node
    uses_key = node.key("uses")
    with_node = node.get("with")
    if uses_key is None or step.uses is None:
        return None
    if with_node is None:
        if node.flow:
            pos = uses_key.span.start
            return Edit(Span(pos, pos), "with: {persist-credentials: false}, ")
        pos, prefix = su.after_line(text, step.uses.span.end)
        indent, nl = su.indent_at(text, uses_key.span.start), su.newline_at(text, pos)
        pad = " " * indent
        return Edit(Span(pos, pos), f"{prefix}{pad}with:{nl}{pad}  persist-credentials: false{nl}"
                    if not prefix else f"{prefix}{pad}with:{prefix}{pad}  "
                                       f"persist-credentials: false")
    if not isinstance(with_node, Mapping) or not node.span.contains(with_node.span):
        return None
    if not with_node.pairs:
        return Edit(with_node.span, "{persist-credentials: false}") if with_node.flow else None
    pos = with_node.pairs[0][0].span.start
    if with_node.flow:
        return Edit(Span(pos, pos), "persist-credentials: false, ")
    nl = su.newline_at(text, pos)
    return Edit(Span(pos, pos), f"persist-credentials: false{nl}{' ' * su.indent_at(text, pos)}")
