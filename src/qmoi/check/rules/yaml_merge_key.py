"""S203 yaml-merge-key."""

from __future__ import annotations

import re
from typing import ClassVar

from qmoi.check.base import Context, DocumentKind, Rule
from qmoi.check.events_util import walk_nodes
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.parse.nodes import Mapping

_MERGE_TAG = "tag:yaml.org,2002:merge"
# A plain "<<" key ends where the scalar does: at ":" (maybe after blanks), or, written as
# an explicit "? <<" key, at a comment, a flow indicator or the line's end. A shell here-doc
# in a run: script ("cat <<EOF", "<< 'EOF'") has a word after it, so it cannot match.
_MAYBE_MERGE = re.compile(r"<<[ \t]*(?:[:#,}\]\r]|$)", re.MULTILINE)


@register
class YamlMergeKey(Rule):
    """A YAML merge key (``<<: *anchor``), which GitHub does not support.

    What:
        Reports every plain ``<<`` key. Anchors (``&name``) and aliases (``*name``) are
        fine: GitHub has accepted them since 2025-09-18 (docs, "Reusing workflow
        configurations" › "YAML anchors and aliases"), but merge keys are a YAML 1.1
        extension that YAML 1.2 dropped and GitHub's parser does not implement
        (GitHub staff in actions/runner#1182: "Are merge keys supported as well?" —
        "no"). A quoted ``"<<"`` is an ordinary key and is left alone.

    Why:
        GitHub rejects the workflow, or — inside a free-form mapping such as ``env`` —
        takes ``<<`` as a literal key, so the values you meant to merge never arrive.

    Example:
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            env: &common
              CI: "1"
            steps:
              - run: make
          test:
            runs-on: ubuntu-latest
            env:
              <<: *common
              EXTRA: "1"
            steps:
              - run: make test

    Fix safety:
        No fix: copy the anchored keys into the mapping, or alias the whole mapping
        (``env: *common``) when nothing needs overriding.
    """

    code = "S203"
    name = "yaml-merge-key"
    severity = Severity.ERROR
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})

    # https://docs.github.com/en/actions/reference/workflows-and-actions/reusing-workflow-configurations#yaml-anchors-and-aliases
    def workflow(self, ctx: Context, root: Mapping) -> None:
        _check(ctx, root)

    def action(self, ctx: Context, root: Mapping) -> None:
        _check(ctx, root)


def _check(ctx: Context, root: Mapping) -> None:
    text = ctx.source.text
    # The common cases cost one substring search, or one pattern search when a script
    # holds a here-doc (~1 workflow in 10), not a walk of the whole tree.
    if "<<" not in text or _MAYBE_MERGE.search(text) is None:
        return
    for node in walk_nodes(root):
        if not isinstance(node, Mapping):
            continue
        for key, _ in node.pairs:
            if key.value == "<<" and key.style == "" and key.tag in (None, _MERGE_TAG):
                ctx.report(key, "GitHub does not support YAML merge keys (<<); "
                                "write the keys out, or alias the whole mapping")
