"""Z709 insecure-node-version."""

from __future__ import annotations

from qmoi.check.registry import register
from qmoi.check.rules.insecure_commands import InsecureCommands


@register
class InsecureNodeVersion(InsecureCommands):
    """``ACTIONS_ALLOW_USE_UNSECURE_NODE_VERSION`` keeps actions on a Node.js without fixes.

    What:
        Reports ``ACTIONS_ALLOW_USE_UNSECURE_NODE_VERSION`` set to a true value in any
        ``env:`` (workflow, job, step, action) or written to ``$GITHUB_ENV``.

    Why:
        It opts out of GitHub moving JavaScript actions off an end-of-life Node.js
        runtime, so they keep running on a version that no longer gets security fixes.
        It is a temporary escape hatch, not a fix
        (https://github.blog/changelog/2025-09-19-deprecation-of-node-20-on-github-actions-runners/).

    Example:
        on: push
        env:
          ACTIONS_ALLOW_USE_UNSECURE_NODE_VERSION: true
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4

    Fix safety:
        No fix, never automatic: update the actions to releases on a supported runtime
        instead (the outdated-action rules name them).
    """

    code = "Z709"
    name = "insecure-node-version"
    variable = "ACTIONS_ALLOW_USE_UNSECURE_NODE_VERSION"
    consequence = "keeps actions on an end-of-life Node.js runtime"
