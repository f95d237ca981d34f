"""The walk: which hooks run, in what order, and a crashing rule isolated from the others."""

from __future__ import annotations

from typing import ClassVar

from qmoi.check import Context, Rule, check_source
from qmoi.check.base import DocumentKind
from qmoi.check.driver import overridden_hooks
from qmoi.check.registry import all_rules
from qmoi.parse import Mapping, Scalar
from qmoi.source import SourceFile

WORKFLOW = """\
on: push
jobs:
  a:
    runs-on: x
    steps:
      - run: one
      - run: two
  b:
    runs-on: y
"""


CALLS: list[str] = []


class Tracer(Rule):
    """Test rule: records every hook call, in order."""

    code = "T101"
    name = "tracer"
    targets: ClassVar[frozenset[DocumentKind]] = frozenset({"workflow", "action"})

    def workflow(self, ctx: Context, root: Mapping) -> None:
        CALLS.append("workflow")
        ctx.report(root, "workflow")

    def job(self, ctx: Context, job_id: Scalar, job: Mapping) -> None:
        CALLS.append(f"job {job_id.value}")

    def step(self, ctx: Context, job_id: Scalar, step: Mapping, index: int) -> None:
        CALLS.append(f"step {job_id.value} {index}")

    def job_end(self, ctx: Context, job_id: Scalar, job: Mapping) -> None:
        CALLS.append(f"end {job_id.value}")

    def action(self, ctx: Context, root: Mapping) -> None:
        CALLS.append("action")
        ctx.report(root, "action")


class StepOnly(Rule):
    """Test rule: one hook."""

    code = "T102"
    name = "step-only"

    def step(self, ctx: Context, job_id: Scalar, step: Mapping, index: int) -> None:
        ctx.report(step, "seen")


class Crasher(Rule):
    """Test rule: fails in its job hook."""

    code = "T103"
    name = "crasher"

    def job(self, ctx: Context, job_id: Scalar, job: Mapping) -> None:
        raise KeyError(job_id.value)


class ModelReader(Rule):
    """Test rule: reads the typed model at every step."""

    code = "T104"
    name = "model-reader"

    def step(self, ctx: Context, job_id: Scalar, step: Mapping, index: int) -> None:
        ctx.report(step, str(id(ctx.workflow)))


def test_overridden_hooks_are_the_ones_a_rule_defines() -> None:
    assert overridden_hooks(Tracer) == {"workflow", "job", "step", "job_end", "action"}
    assert overridden_hooks(StepOnly) == {"step"}
    assert overridden_hooks(Rule) == frozenset()


def test_overridden_hooks_match_each_registered_rules_own_methods() -> None:
    for rule in all_rules():
        own = {h for h in ("workflow", "job", "step", "job_end", "action")
               if any(h in vars(c) for c in rule.__mro__ if c is not Rule)}
        assert overridden_hooks(rule) == own, rule.name


def test_hooks_run_in_walk_order() -> None:
    CALLS.clear()
    check_source(SourceFile("w.yml", WORKFLOW), "workflow", [Tracer])
    assert CALLS == ["workflow", "job a", "step a 0", "step a 1", "end a", "job b", "end b"]


def test_action_documents_get_only_the_action_hook() -> None:
    source = SourceFile("action.yml", "name: x\nruns:\n  using: node20\n  main: a.js\n")
    assert [d.message for d in check_source(source, "action", [Tracer, StepOnly])] == ["action"]


def test_a_crashing_rule_is_a_finding_and_others_still_run() -> None:
    source = SourceFile("w.yml", WORKFLOW)
    found = check_source(source, "workflow", [Crasher, StepOnly])
    crashes = [d for d in found if d.rule == "crasher"]
    assert [source.slice(d.span) for d in crashes] == ["a", "b"]
    assert all("internal error in rule crasher: KeyError(" in d.message for d in crashes)
    assert [d.message for d in found if d.rule == "step-only"] == ["seen", "seen"]


def test_the_model_is_built_once_per_document() -> None:
    source = SourceFile("w.yml", WORKFLOW)
    first = {d.message for d in check_source(source, "workflow", [ModelReader])}
    second = {d.message for d in check_source(source, "workflow", [ModelReader])}
    assert len(first) == 1 and len(second) == 1
