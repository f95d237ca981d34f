"""Failure classes and the repair QMOI tries for each, as data."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FailureClass(StrEnum):
    TRANSIENT = "transient"                # network resets, timeouts, rate limits, lost runner
    DEPRECATION = "deprecation"
    MISCONFIGURATION = "misconfiguration"
    DEPENDENCY = "dependency"              # resolution or installation failed
    COMPILATION = "compilation"
    TEST = "test"
    LINT = "lint"                          # lint and format gates
    RESOURCES = "resources"                # out of memory or disk
    UNKNOWN = "unknown"


class RepairKind(StrEnum):
    RETRY = "retry"                        # re-run with backoff, bounded
    REWRITE_COMMAND = "rewrite-command"    # deprecated workflow command → environment file
    BUMP_ACTION = "bump-action"            # move ``uses:`` to a supported release
    REWRITE_RUNS_ON = "rewrite-runs-on"    # retired runner label → supported one
    WORKFLOW_PATCH = "workflow-patch"      # an edit to the workflow through the fixer
    FORMATTER = "formatter"                # run the gate's tool in its fix mode, then re-run
    RERUN_FLAKY = "rerun-flaky"            # re-run once on the same commit: flaky or real
    MANUAL = "manual"                      # nothing safe to apply: report it


@dataclass(frozen=True, slots=True)
class Repair:
    """What QMOI would try. ``command`` is the shell command of a formatter repair;
    ``automatic`` says whether the manager may apply it without asking."""

    kind: RepairKind
    description: str
    automatic: bool
    command: str | None = None

    def describe(self) -> str:
        text = f"{self.kind.value}: {self.description}"
        return f"{text} (`{self.command}`)" if self.command else text


# The default repair per class, used when the matched signature or heuristic names none.
CLASS_REPAIRS: dict[FailureClass, Repair] = {
    FailureClass.TRANSIENT: Repair(
        RepairKind.RETRY, "retry the job with exponential backoff (at most 3 attempts)", True),
    FailureClass.DEPRECATION: Repair(
        RepairKind.WORKFLOW_PATCH, "apply the fixer's deprecation patch and re-run", True),
    FailureClass.MISCONFIGURATION: Repair(
        RepairKind.WORKFLOW_PATCH, "fix the workflow or command at the reported place "
        "(a fixer patch when one applies; otherwise report it)", False),
    FailureClass.DEPENDENCY: Repair(
        RepairKind.RETRY, "retry once (registries fail transiently); if it fails again, "
        "report the unresolvable requirement", True),
    FailureClass.COMPILATION: Repair(
        RepairKind.MANUAL, "report the compiler errors; no automatic repair", False),
    FailureClass.TEST: Repair(
        RepairKind.RERUN_FLAKY, "re-run once on the same commit: a pass marks the test flaky, "
        "a second failure is reported as a real test failure", True),
    FailureClass.LINT: Repair(
        RepairKind.MANUAL, "report the lint findings (the tool has no fix mode QMOI knows)",
        False),
    FailureClass.RESOURCES: Repair(
        RepairKind.RETRY, "retry once; if it repeats, lower parallelism, free disk or use a "
        "larger runner", True),
    FailureClass.UNKNOWN: Repair(
        RepairKind.MANUAL, "no known cause: report the failure lines", False),
}


def formatter(tool: str, command: str) -> Repair:
    """The repair of a format gate: run ``tool`` in its fix mode, then re-run the job."""
    return Repair(RepairKind.FORMATTER, f"run {tool} in fix mode, commit the result, re-run",
                  True, command)
