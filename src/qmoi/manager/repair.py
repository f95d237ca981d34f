"""Choosing and applying the repair for a failed job.

Each class has its repairs (retry with backoff for transient failures, the fixer's patch
for deprecations and misconfigurations, the gate's formatter for lint failures, one re-run
on the same commit for tests, which tells a flaky test from a real failure); an external
fixer command, when configured, is a last resort for everything but transient failures.
Candidates are ordered by what the knowledge base learned for the failure's signature.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qmoi.discover import Target
from qmoi.fsutil import atomic_write
from qmoi.learn import FailureClass, Repair, RepairKind
from qmoi.learn.heuristics import HEURISTICS
from qmoi.learn.kb import UNTRIED_SCORE, KnowledgeBase, RepairStats
from qmoi.lint import fix_targets
from qmoi.manager import gitops
from qmoi.manager.diagnose import Diagnosis, job_log
from qmoi.manager.hatches import escape_hatches, text_diff
from qmoi.manager.options import FixMode, ManagerOptions
from qmoi.manager.versions import local_actions
from qmoi.plan import LoadedWorkflow

RETRY, PATCH, FLAKY, EXTERNAL = "retry", "workflow-patch", "rerun-flaky", "external-fixer"
FORMATTER = "formatter"

_BY_CLASS: dict[FailureClass, tuple[str, ...]] = {
    FailureClass.TRANSIENT: (RETRY,),
    FailureClass.DEPENDENCY: (RETRY,),
    FailureClass.RESOURCES: (RETRY,),
    FailureClass.DEPRECATION: (PATCH,),
    FailureClass.MISCONFIGURATION: (PATCH,),
    FailureClass.LINT: (FORMATTER,),
    FailureClass.TEST: (FLAKY,),
}
# Registries and full disks rarely heal twice in a row: one retry, then report it.
_RETRY_LIMIT = {FailureClass.DEPENDENCY: 1, FailureClass.RESOURCES: 1}
FIXER_TIMEOUT_S = 600.0
FORMATTER_TIMEOUT_S = 300.0


@dataclass(frozen=True, slots=True)
class Applied:
    """A repair done for one failed job. ``patch`` is an external fixer's diff: it stays
    only if the re-run goes green, else it is reverted."""

    name: str
    diagnosis: Diagnosis
    wait: float = 0.0
    paths: tuple[str, ...] = ()
    patch: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Refused:
    """A failed job no repair applied to, and why."""

    diagnosis: Diagnosis
    reason: str


@dataclass(slots=True)
class Memory:
    """What was tried for one workflow in this pass."""

    retries: int = 0
    tried: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class RepairContext:
    """What the repairs of one workflow's failed jobs may use: the repository, options and the
    run."""

    root: Path
    options: ManagerOptions
    workflow: LoadedWorkflow
    run_dir: Path
    commit: str
    attempt: int
    fixer_command: str | None
    exclude: tuple[str, ...] = ()


def candidates(diagnosis: Diagnosis, ctx: RepairContext) -> list[str]:
    cls = diagnosis.explanation.failure_class
    found: list[str] = []
    for name in _BY_CLASS.get(cls, ()):
        if name != FORMATTER:
            found.append(name)
        else:
            gate = formatter_repair(diagnosis, ctx)
            if gate is not None:
                # Named by its command, so the knowledge base tells formatters apart.
                found.append(f"{FORMATTER}:{gate.command}")
    if ctx.fixer_command and cls is not FailureClass.TRANSIENT:
        found.append(EXTERNAL)
    return found


def _tool(command: str) -> str:
    """``ruff format`` of ``ruff format .``, ``black`` of ``black .``: the words before the
    first option or path."""
    words = []
    for word in command.split():
        if word[:1] in "-.$/":
            break
        words.append(word)
    return " ".join(words)


_FORMATTERS = tuple(dict.fromkeys(
    h.repair for h in HEURISTICS if h.repair is not None and h.repair.command))


def formatter_repair(diagnosis: Diagnosis, ctx: RepairContext) -> Repair | None:
    """The fix mode of the gate's own tool. The log's wording can point at another tool
    (ruff and black both print "1 file would be reformatted"), so the tools the failed
    job's scripts call decide; the log's reading breaks a tie."""
    job = ctx.workflow.workflow.job(diagnosis.job.job_id)
    scripts = "\n".join(s.run.value for s in getattr(job, "steps", ()) if s.run is not None)
    called = [r for r in _FORMATTERS if r.command and
              re.search(rf"(?<![\w-]){re.escape(_tool(r.command))}(?![\w-])", scripts)]
    read = diagnosis.explanation.repair
    if read.kind is RepairKind.FORMATTER and (not called or read in called):
        return read
    return called[0] if called else None


def order(names: Sequence[str], ranked: Sequence[RepairStats]) -> list[str]:
    """Candidates by their success rate on this signature (untried ones in between)."""
    scores = {stats.repair: stats.score for stats in ranked}

    def score(name: str) -> float:
        return scores.get(name, UNTRIED_SCORE)

    return sorted(names, key=lambda name: -score(name))  # stable: ties keep class order


def repair(diagnosis: Diagnosis, ctx: RepairContext, memory: Memory,
           kb: KnowledgeBase) -> Applied | Refused:
    """The best applicable repair, applied; or why there is none."""
    names = order(candidates(diagnosis, ctx), kb.ranked(diagnosis.signature))
    reasons: list[str] = []
    for name in names:
        done = _APPLY[name.partition(":")[0]](diagnosis, ctx, memory)
        if isinstance(done, Applied):
            if name != RETRY:
                memory.tried.add(name)
            return done
        reasons.append(done)
    cls = diagnosis.failure_class
    why = "; ".join(reasons) if reasons else f"no automatic repair for {cls} failures"
    return Refused(diagnosis, why)


def _retry(diagnosis: Diagnosis, ctx: RepairContext, memory: Memory) -> Applied | str:
    limit = _RETRY_LIMIT.get(diagnosis.explanation.failure_class)
    if limit is not None and memory.retries >= limit:
        return f"already retried {memory.retries} time(s); the failure repeats"
    memory.retries += 1
    wait = ctx.options.retry_wait(memory.retries)
    return Applied(RETRY, diagnosis, wait=wait, detail=f"retry in {wait:g}s")


def _flaky(diagnosis: Diagnosis, ctx: RepairContext, memory: Memory) -> Applied | str:
    if FLAKY in memory.tried:
        return "the test failed again on a re-run of the same commit: a real failure"
    return Applied(FLAKY, diagnosis, detail="re-run on the same commit (flaky or real?)")


def _patch(diagnosis: Diagnosis, ctx: RepairContext, memory: Memory) -> Applied | str:
    if ctx.options.fix == FixMode.OFF:
        return "workflow patches are off (--fix off)"
    if PATCH in memory.tried:
        return "the fixer's patch did not make it pass"
    path = ctx.workflow.path
    targets = [Target(path, ctx.workflow.repo_path, "workflow")]
    targets += [Target(p, p.relative_to(ctx.root).as_posix(), "action")
                for p in local_actions(ctx.root, path.read_text(encoding="utf-8"))]
    changed: list[str] = []
    for result in fix_targets(targets, unsafe=ctx.options.fix == FixMode.UNSAFE, write=False):
        outcome = result.outcome
        if outcome is None or not outcome.changed:
            continue
        diff = text_diff(result.target.display, outcome.original.text, outcome.text)
        if escape_hatches(diff):
            continue
        atomic_write(result.target.path, outcome.original.encode(outcome.text))
        changed.append(result.target.display)
    if not changed:
        return "the fixer has no patch for it"
    return Applied(PATCH, diagnosis, paths=tuple(changed), detail="patched " + ", ".join(changed))


def _formatter(diagnosis: Diagnosis, ctx: RepairContext, memory: Memory) -> Applied | str:
    gate = formatter_repair(diagnosis, ctx)
    command = gate.command if gate is not None and gate.command else ""
    words = shlex.split(command)
    if not words or shutil.which(words[0]) is None:
        return f"the formatter {words[0] if words else '?'!r} is not installed here"
    name = f"{FORMATTER}:{command}"
    if name in memory.tried:
        return f"`{command}` already ran and the gate still fails"
    before = gitops.worktree_tree(ctx.root, ctx.exclude)
    try:
        subprocess.run(command, shell=True, cwd=ctx.root, capture_output=True, text=True,
                       timeout=FORMATTER_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return f"`{command}` did not finish in {FORMATTER_TIMEOUT_S:g}s"
    after = gitops.worktree_tree(ctx.root, ctx.exclude)
    if after == before:
        return f"`{command}` changed nothing"
    paths = tuple(gitops.changed_between(ctx.root, before, after))
    return Applied(name, diagnosis, paths=paths, detail=f"ran `{command}`: "
                   f"{len(paths)} file(s) changed")


def _external(diagnosis: Diagnosis, ctx: RepairContext, memory: Memory) -> Applied | str:
    command = ctx.fixer_command or ""
    if EXTERNAL in memory.tried:
        return "the external fixer's patch did not make it pass"
    payload = fixer_input(diagnosis, ctx)
    try:
        done = subprocess.run(command, shell=True, cwd=ctx.root, input=json.dumps(payload),
                              capture_output=True, text=True, timeout=FIXER_TIMEOUT_S,
                              check=False)
    except subprocess.TimeoutExpired:
        return f"the external fixer did not answer in {FIXER_TIMEOUT_S:g}s"
    if done.returncode != 0:
        return f"the external fixer exited with {done.returncode}: {done.stderr.strip()[:200]}"
    diff = done.stdout
    if not diff.strip():
        return "the external fixer proposed no change"
    hatches = escape_hatches(diff)
    if hatches:
        return "refused the external fixer's patch: it applies an escape hatch (" + \
            ", ".join(hatches) + ")"
    problem = gitops.apply_patch(ctx.root, diff)
    if problem is not None:
        return f"the external fixer's patch does not apply: {problem}"
    paths = tuple(gitops.patch_paths(diff))
    return Applied(EXTERNAL, diagnosis, paths=paths, patch=diff,
                   detail="applied the external fixer's patch to " + ", ".join(paths))


def fixer_input(diagnosis: Diagnosis, ctx: RepairContext) -> dict[str, object]:
    """What the external fixer reads on stdin."""
    explanation = diagnosis.explanation
    log = job_log(ctx.run_dir, diagnosis.job).splitlines()
    return {
        "repository": str(ctx.root), "commit": ctx.commit,
        "workflow": ctx.workflow.repo_path, "job": diagnosis.job.job_id,
        "job_name": diagnosis.job.name, "attempt": ctx.attempt,
        "failure_class": explanation.failure_class.value, "signature": explanation.signature,
        "kb_signature": diagnosis.signature,
        "lines": [{"line": p.line, "text": p.text} for p in explanation.lines],
        "log_tail": log[-200:], "message": diagnosis.job.message,
    }


_APPLY = {RETRY: _retry, FLAKY: _flaky, PATCH: _patch, FORMATTER: _formatter,
          EXTERNAL: _external}
