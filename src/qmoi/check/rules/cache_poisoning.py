"""Z710 cache-poisoning."""

from __future__ import annotations

from qmoi.check import security_util as su
from qmoi.check.base import Context, Rule
from qmoi.check.registry import register
from qmoi.diagnostics import Severity
from qmoi.model import Job, Step, Workflow
from qmoi.parse.nodes import Mapping, Scalar

_PUBLISH_COMMANDS = ("npm publish", "yarn publish", "yarn npm publish", "pnpm publish",
                     "cargo publish", "twine upload", "gem push", "poetry publish",
                     "uv publish", "flit publish", "hatch publish", "gh release create",
                     "gh release upload", "goreleaser release", "mvn deploy",
                     "gradlew publish", "gradle publish", "dotnet nuget push",
                     "vsce publish", "ovsx publish", "docker push")
_PUBLISH_ACTIONS = ("pypa/gh-action-pypi-publish", "softprops/action-gh-release",
                    "goreleaser/goreleaser-action", "ncipollo/release-action",
                    "actions/create-release", "js-devtools/npm-publish",
                    "rubygems/release-gem", "svenstaro/upload-release-action")
# Setup actions whose ``cache`` input turns on a dependency cache.
_CACHE_INPUT = ("actions/setup-node", "actions/setup-python", "actions/setup-java",
                "actions/setup-dotnet")
# Actions that cache unless told not to, from the major that made it the default
# (setup-go v4; setup-uv v5 "Default to enable-cache: true on GitHub hosted runners").
_DEFAULT_ON = {"actions/setup-go": ("cache", 4), "astral-sh/setup-uv": ("enable-cache", 5)}


@register
class CachePoisoning(Rule):
    """A release or publishing job that restores a cache.

    What:
        In jobs that publish — the workflow runs on ``release`` or on tag pushes only,
        or a step publishes (``npm publish``, ``twine upload``, ``docker push``,
        ``pypa/gh-action-pypi-publish``, ``softprops/action-gh-release``, …) — reports
        steps that restore a cache: ``actions/cache``, ``actions/cache/restore``,
        ``setup-*`` with ``cache:`` (``setup-go`` v4+ caches unless ``cache: false``),
        ``Swatinem/rust-cache``, ``ruby/setup-ruby`` with ``bundler-cache``,
        ``astral-sh/setup-uv`` (v5+ caches unless ``enable-cache: false``).

    Why:
        Caches are shared by every workflow run on the default branch. A weaker
        workflow — one that runs pull request code with ``pull_request_target``, say —
        can write a poisoned cache entry that the release build then restores, and the
        release ships the attacker's code
        (https://docs.github.com/en/actions/reference/workflows-and-actions/dependency-caching#restrictions-for-accessing-a-cache).

    Example:
        on:
          release:
            types: [published]
        jobs:
          publish:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - uses: actions/setup-node@v4
                with:
                  cache: npm
              - run: npm publish

    Fix safety:
        No fix: drop the cache from the release job (a clean build is slower but
        trustworthy) or keep it separate from untrusted workflows.
    """

    code = "Z710"
    name = "cache-poisoning"
    severity = Severity.WARNING

    def job(self, ctx: Context, job_id: Scalar, job: Mapping) -> None:
        model = su.job_of(ctx.workflow, job_id.value)
        if model is None:
            return
        # The caches first: few jobs restore one, and then nothing else needs reading.
        caches = [(step.uses, cache) for step in model.steps
                  if (cache := _cache(step)) is not None and step.uses is not None]
        if not caches:
            return
        reason = _release_trigger(ctx.workflow) or _publishing_step(model)
        if reason is None:
            return
        for uses, cache in caches:
            ctx.report(uses, f"{cache} restores a cache in a job that publishes "
                             f"({reason}); a cache entry written by any other "
                             f"workflow on the default branch can poison the release")


def _release_trigger(workflow: Workflow) -> str | None:
    if workflow.event("release") is not None:
        return "the workflow runs on release"
    push = workflow.event("push")
    if push is not None and push.tags is not None and push.branches is None and (
            push.branches_ignore is None):
        return "the workflow runs on tag pushes"
    return None


def _publishing_step(job: Job) -> str | None:
    for step in job.steps:
        if step.run is not None:
            text = " ".join(step.run.value.split())
            for command in _PUBLISH_COMMANDS:
                if command in text:
                    return f'"{command}" in a run: step'
        elif su.is_action(step, *_PUBLISH_ACTIONS) and step.action is not None:
            return f"{step.action.name} uploads it"
        elif su.is_action(step, "docker/build-push-action") and (
                (su.step_input(step, "push") or "").strip().lower() == "true"):
            return "docker/build-push-action pushes an image"
    return None


def _on(step: Step, name: str) -> bool:
    value = su.step_input(step, name)
    return value is not None and value.strip().lower() not in ("", "false")


def _cache(step: Step) -> str | None:
    """The name of the cache the step restores, or None."""
    ref = step.action
    if ref is None or ref.kind != "remote":
        return None
    name = ref.name_lower
    if name in ("actions/cache", "actions/cache/restore", "swatinem/rust-cache"):
        return ref.name
    if name in _DEFAULT_ON:
        switch, since = _DEFAULT_ON[name]
        major = su.action_major(ref)
        default_on = major is not None and major >= since and su.step_input(step, switch) is None
        return ref.name if default_on or _on(step, switch) else None
    if (name in _CACHE_INPUT and _on(step, "cache")) or (
            name == "ruby/setup-ruby" and _on(step, "bundler-cache")):
        return ref.name
    return None
