"""The run-wide part of the ``github`` context, shared by the planner, the scheduler and
the executor (which adds the job-level keys: job, workspace, action, env files).

https://docs.github.com/en/actions/reference/workflows-and-actions/contexts#github-context
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qmoi.plan.event import EventInfo

SERVER_URL = "https://github.com"


@dataclass(frozen=True, slots=True)
class RunInfo:
    """Identity of one local run (``github.run_id`` etc.)."""

    run_id: str
    run_number: int = 1
    run_attempt: int = 1


def ref_name_and_type(ref: str) -> tuple[str, str]:
    for prefix, kind in (("refs/heads/", "branch"), ("refs/tags/", "tag"),
                         ("refs/pull/", "branch")):
        if ref.startswith(prefix):
            return ref[len(prefix):], kind
    return ref, "branch"


def github_context(event: EventInfo, run: RunInfo, workflow_name: str, workflow_path: str
                   ) -> dict[str, Any]:
    """``github.*`` as the server hands it to every job of this workflow run."""
    ref_name, ref_type = ref_name_and_type(event.ref)
    owner = event.repository.partition("/")[0]
    workflow_ref = f"{event.repository}/{workflow_path}@{event.ref}"
    return {
        "action": "", "action_path": "", "action_ref": "", "action_repository": "",
        "action_status": "", "actor": event.actor, "actor_id": "0",
        "api_url": "https://api.github.com", "base_ref": event.base_ref,
        "event": event.payload, "event_name": event.name, "event_path": "",
        "graphql_url": "https://api.github.com/graphql", "head_ref": event.head_ref,
        "job": "", "path": "", "env": "", "output": "", "state": "", "step_summary": "",
        "ref": event.ref, "ref_name": ref_name, "ref_protected": False, "ref_type": ref_type,
        "repository": event.repository, "repository_id": "0", "repository_owner": owner,
        "repository_owner_id": "0", "repositoryUrl": f"git://github.com/{event.repository}.git",
        "retention_days": "90", "run_id": run.run_id, "run_number": str(run.run_number),
        "run_attempt": str(run.run_attempt), "secret_source": "None",
        "server_url": SERVER_URL, "sha": event.sha, "token": "",
        "triggering_actor": event.actor, "workflow": workflow_name,
        "workflow_ref": workflow_ref, "workflow_sha": event.sha, "workspace": "",
    }
