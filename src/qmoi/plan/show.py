"""Plain-text pictures of a plan: the job list (``-l``) and the needs graph (``-g``).

The graph is drawn in rows by depth (a job sits one row below the deepest job it needs) for
reading only; the scheduler never waits for a whole row.
"""

from __future__ import annotations

from qmoi.plan.plan import Plan, PlannedJob, PlannedWorkflow


def _legs(job: PlannedJob) -> str:
    if job.legs is None:
        return "matrix after needs"
    return str(len(job.legs)) if job.is_matrix else "1"


def list_jobs(plan: Plan) -> str:
    rows = [("WORKFLOW", "JOB", "NAME", "NEEDS", "LEGS")]
    for workflow in plan.workflows:
        for job in workflow.jobs:
            rows.append((workflow.path, job.job_id, job.name, ",".join(job.needs) or "-",
                         _legs(job)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
             .rstrip() for row in rows]
    if len(rows) == 1:
        lines.append(f"(no workflow runs on {plan.event.name})")
    return "\n".join(lines) + "\n"


def depths(workflow: PlannedWorkflow) -> dict[str, int]:
    level: dict[str, int] = {}
    for job in workflow.jobs:  # jobs are in needs order
        level[job.job_id] = 1 + max((level.get(n, 0) for n in job.needs), default=-1)
    return level


def _box_row(names: list[str]) -> list[str]:
    tops = "   ".join("╭" + "─" * (len(name) + 2) + "╮" for name in names)
    mids = "   ".join(f"│ {name} │" for name in names)
    bots = "   ".join("╰" + "─" * (len(name) + 2) + "╯" for name in names)
    return [tops, mids, bots]


def draw_graph(plan: Plan) -> str:
    out: list[str] = []
    for workflow in plan.workflows:
        out.append(f"{workflow.name} ({workflow.path})")
        level = depths(workflow)
        rows = max(level.values(), default=-1) + 1
        for row in range(rows):
            jobs = [job for job in workflow.jobs if level[job.job_id] == row]
            if row:
                out.append("      │")
                out.append("      ▼")
            out.extend("  " + line for line in _box_row([_label(job) for job in jobs]))
            for job in jobs:
                if job.needs:
                    out.append(f"    {job.job_id} ◀── needs {', '.join(job.needs)}")
        if not workflow.jobs:
            out.append("  (no jobs)")
        out.append("")
    if not plan.workflows:
        out.append(f"(no workflow runs on {plan.event.name})")
    return "\n".join(out).rstrip() + "\n"


def _label(job: PlannedJob) -> str:
    if job.legs is not None and job.is_matrix:
        return f"{job.job_id} ×{len(job.legs)}"
    return job.job_id
