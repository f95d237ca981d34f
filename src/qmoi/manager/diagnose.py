"""Reading a failed job's saved logs (``.qmoi/runs/<id>/logs/<job>/``) with learn's
``explain``: its class, the lines that say why, and the signature the knowledge base
learns under."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qmoi.learn import Explanation, explain
from qmoi.learn.kb import failure_signature
from qmoi.manager.attempt import FailedJob

_TITLES = ("##[step]", "##[group]", "##[endgroup]")


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """Why a job failed: learn's explanation of its logs, and the signature the knowledge base
    learns under."""

    job: FailedJob
    explanation: Explanation
    signature: str

    @property
    def failure_class(self) -> str:
        return self.explanation.failure_class.value

    def first_line(self) -> str:
        """The first explaining line that is not a step or group title."""
        for picked in self.explanation.lines:
            if not picked.text.startswith(_TITLES) and picked.text.strip():
                return picked.text
        return self.job.message or ""


def job_log(run_dir: Path, job: FailedJob) -> str:
    """The job's log as one text: job-level lines first, then each step part in order,
    then the job's final message (why it ended, e.g. a timeout)."""
    folder = run_dir / "logs" / job.key
    parts: list[str] = []
    if folder.is_dir():
        files = sorted(folder.glob("*.log"), key=lambda p: (p.name != "job.log", p.name))
        parts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    if job.message:
        parts.append(f"##[error]{job.message}\n")
    return "".join(part if part.endswith("\n") else part + "\n" for part in parts if part)


def diagnose(run_dir: Path, workflow: str, job: FailedJob) -> Diagnosis:
    explanation = explain(job_log(run_dir, job))
    return Diagnosis(job, explanation, failure_signature(explanation, f"{workflow}/{job.job_id}"))
