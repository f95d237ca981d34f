"""The triggering event: a payload read from ``-e FILE`` or synthesised from git, and the
facts the planner and the runner derive from it (ref, sha, activity type, changed files).

Payload shapes follow https://docs.github.com/en/webhooks/webhook-events-and-payloads
(``push``: ref, before, after, commits, head_commit, repository, pusher, sender).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qmoi.errors import InputError, UsageError
from qmoi.model.events import event_spec
from qmoi.plan import git

DEFAULT_OWNER_REPO = "local/repository"


@dataclass(frozen=True, slots=True)
class EventInfo:
    """``payload`` is ``github.event``; ``changed_files`` is None when unknown (then path
    filters let the event through, as GitHub does when it has no diff)."""

    name: str
    payload: dict[str, Any]
    ref: str
    sha: str
    repository: str
    actor: str
    action: str | None = None
    base_ref: str = ""
    head_ref: str = ""
    changed_files: tuple[str, ...] | None = None
    commit_count: int | None = None
    inputs: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "ref": self.ref, "sha": self.sha, "action": self.action,
            "repository": self.repository, "actor": self.actor, "base_ref": self.base_ref,
            "head_ref": self.head_ref, "inputs": self.inputs,
            "changed_files": None if self.changed_files is None else list(self.changed_files),
        }


def _actor(root: Path) -> str:
    return _actor_named(None if os.environ.get("GITHUB_ACTOR")
                        else git.git(root, "config", "user.name", check=False))


def _actor_named(user_name: str | None) -> str:
    return os.environ.get("GITHUB_ACTOR") or user_name or os.environ.get("USER") or "qmoi"


def _repository_payload(full_name: str, branch: str) -> dict[str, Any]:
    owner, _, name = full_name.partition("/")
    return {
        "full_name": full_name, "name": name, "default_branch": branch,
        "owner": {"login": owner, "name": owner},
        "html_url": f"https://github.com/{full_name}",
        "clone_url": f"https://github.com/{full_name}.git", "private": True, "fork": False,
    }


def _commit_payload(item: git.Commit) -> dict[str, Any]:
    author = {"name": item.author_name, "email": item.author_email}
    return {"id": item.sha, "tree_id": "", "message": item.message, "timestamp": item.timestamp,
            "author": author, "committer": author, "distinct": True, "added": [],
            "removed": [], "modified": []}


@dataclass(frozen=True, slots=True)
class _Repo:
    """The facts of the local repository that a synthesised event payload is built from."""

    root: Path
    sha: str
    ref: str
    full_name: str
    default_branch: str
    actor: str
    head: git.Head | None = None  # HEAD's commit and parent, read along the rest


def _read_repo(root: Path, query: git.HeadQuery | None = None) -> _Repo:
    head = (query or git.HeadQuery(root)).result()
    if head is None:
        return _read_repo_slowly(root)
    branch = head.default_branch or "main"
    found = None if head.origin_url is None else git.repository_of(head.origin_url)
    return _Repo(root, head.commit.sha, head.ref or f"refs/heads/{branch}",
                 found or DEFAULT_OWNER_REPO, branch, _actor_named(head.user_name), head)


def _read_repo_slowly(root: Path) -> _Repo:
    """One question at a time: how a missing repository or commit is told."""
    if not git.is_repository(root):
        raise UsageError(f"{root} is not a git repository; qmoi run needs one (git init and "
                         "commit), or give the event with -e FILE")
    sha = git.head_sha(root)
    if sha is None:
        raise UsageError(f"the repository in {root} has no commit yet; commit once first")
    branch = git.default_branch(root) or "main"
    ref = git.current_ref(root) or f"refs/heads/{branch}"
    return _Repo(root, sha, ref, git.remote_repository(root) or DEFAULT_OWNER_REPO, branch,
                 _actor(root))


def synthesise_event(root: Path, name: str, inputs: Mapping[str, str] | None = None,
                     query: git.HeadQuery | None = None) -> EventInfo:
    """An event as GitHub would send it for the repository's current HEAD (``query``: the
    repository's questions, started earlier by the caller)."""
    if event_spec(name) is None:
        raise UsageError(f"unknown event {name!r}; see "
                         "https://docs.github.com/en/actions/reference/workflows-and-actions/"
                         "events-that-trigger-workflows")
    repo = _read_repo(root, query)
    if name == "push":
        return _push(repo)
    if name in ("pull_request", "pull_request_target"):
        return _pull_request(repo, name)
    payload: dict[str, Any] = _common(repo)
    given = dict(inputs or {})
    if name == "workflow_dispatch":
        payload.update(ref=repo.ref, inputs=given, workflow="")
    spec = event_spec(name)
    action = spec.triggering_types[0] if spec is not None and spec.triggering_types else None
    if action is not None:
        payload["action"] = action
    return EventInfo(name, payload, repo.ref, repo.sha, repo.full_name, repo.actor, action,
                     inputs=dict(given))


def _common(repo: _Repo) -> dict[str, Any]:
    sender = {"login": repo.actor, "type": "User"}
    return {"repository": _repository_payload(repo.full_name, repo.default_branch),
            "sender": sender}


def _push(repo: _Repo) -> EventInfo:
    if repo.head is not None:
        before, head = repo.head.parent, repo.head.commit
    else:
        before, head = git.parent_sha(repo.root, repo.sha), git.commit(repo.root, repo.sha)
    owner = repo.full_name.partition("/")[0]
    payload = {
        **_common(repo), "ref": repo.ref, "before": before, "after": repo.sha,
        "base_ref": None, "created": before == git.ZERO_SHA, "deleted": False, "forced": False,
        "compare": f"https://github.com/{repo.full_name}/compare/{before[:12]}...{repo.sha[:12]}",
        "commits": [_commit_payload(head)], "head_commit": _commit_payload(head),
        "pusher": {"name": repo.actor, "email": head.author_email},
        "organization": {"login": owner},
    }
    known = repo.head.changed if repo.head is not None else None
    changed = list(known) if known is not None else git.changed_files(repo.root, before,
                                                                      repo.sha)
    return EventInfo("push", payload, repo.ref, repo.sha, repo.full_name, repo.actor,
                     changed_files=None if changed is None else tuple(changed), commit_count=1)


def _pull_request(repo: _Repo, name: str) -> EventInfo:
    head_branch = repo.ref.removeprefix("refs/heads/")
    base = repo.default_branch
    base_sha = (git.git(repo.root, "rev-parse", "-q", "--verify", base, check=False)
                or repo.sha)
    merge_base = git.git(repo.root, "merge-base", base_sha, repo.sha, check=False) or base_sha
    changed = git.changed_files(repo.root, merge_base, repo.sha)
    number = 1
    payload = {
        **_common(repo), "action": "opened", "number": number,
        "pull_request": {
            "number": number, "state": "open", "title": head_branch, "draft": False,
            "head": {"ref": head_branch, "sha": repo.sha, "label": head_branch},
            "base": {"ref": base, "sha": base_sha, "label": base},
            "user": {"login": repo.actor},
        },
    }
    # pull_request runs on the merge ref; pull_request_target on the base branch.
    ref = f"refs/pull/{number}/merge" if name == "pull_request" else f"refs/heads/{base}"
    return EventInfo(name, payload, ref, repo.sha, repo.full_name, repo.actor, "opened",
                     base_ref=base, head_ref=head_branch,
                     changed_files=None if changed is None else tuple(changed))


def load_event(path: Path, name: str, root: Path, inputs: Mapping[str, str] | None = None,
               query: git.HeadQuery | None = None) -> EventInfo:
    """An event whose payload is the JSON file ``path`` (act's ``-e``); what the payload
    leaves out comes from the repository."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"cannot read the event file: {error.strerror}",
                         location=str(path)) from None
    except json.JSONDecodeError as error:
        raise InputError(f"the event file is not JSON: {error.msg}",
                         location=f"{path}:{error.lineno}:{error.colno}") from None
    if not isinstance(payload, dict):
        raise InputError("the event file must hold a JSON object", location=str(path))
    repo = _read_repo(root, query)
    pr = payload.get("pull_request") if isinstance(payload.get("pull_request"), dict) else None
    base = _dig(pr, "base", "ref") or ""
    head = _dig(pr, "head", "ref") or ""
    ref = str(payload.get("ref") or (f"refs/pull/{payload.get('number', 1)}/merge" if pr
                                     else repo.ref))
    if ref and not ref.startswith("refs/"):
        ref = f"refs/heads/{ref}"
    sha = str(payload.get("after") or _dig(pr, "head", "sha") or repo.sha)
    before = payload.get("before") or _dig(pr, "base", "sha")
    changed = git.changed_files(root, str(before), sha) if before else None
    given = {**_str_dict(payload.get("inputs")), **dict(inputs or {})}
    action = payload.get("action") if isinstance(payload.get("action"), str) else None
    payload.setdefault("repository", _repository_payload(repo.full_name, repo.default_branch))
    full_name = _dig(payload, "repository", "full_name") or repo.full_name
    return EventInfo(name, payload, ref, sha, full_name, repo.actor, action, base, head,
                     None if changed is None else tuple(changed), inputs=given)


def _dig(data: Any, *keys: str) -> str | None:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data if isinstance(data, str) else None


def _str_dict(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}
