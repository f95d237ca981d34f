"""``actions/checkout`` offline: the event's commit (or ``ref``) of this repository into the
workspace or ``path``, with ``fetch-depth`` (1 by default: a shallow repository of that many
commits; 0: all history, branches and tags), ``clean`` and the local branch the action
creates for a branch ref. ``persist-credentials``, ``token`` and ``ssh-key`` have nothing to
do offline. Outputs ``ref`` and ``commit`` (https://github.com/actions/checkout#outputs).

The repository is fetched from the local clone (``file://``: git only makes shallow clones
over a transport), never from the network; ``origin`` is set to the GitHub URL as the
action sets it, so ``git remote get-url origin`` prints what it prints on GitHub.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from qmoi.execute.actions.builtin.base import BuiltinError, BuiltinStep, Inputs, git, inside
from qmoi.execute.step_kinds import SUCCESS, StepRun


class CheckoutStep(BuiltinStep):
    def run_main(self, run: StepRun, inputs: Inputs) -> str:
        github = run.job.request.github
        own = str(github.get("repository", ""))
        wanted = inputs.get("repository", own)
        if wanted.casefold() != own.casefold():
            raise BuiltinError(f"actions/checkout: '{wanted}' is another repository; offline, "
                               f"qmoi can only check out this one ({own})")
        root = run.job.folders.repository
        workspace = run.job.folders.workspace
        dest = inside(workspace, inputs.get("path"), "Repository path")
        ref, sha = _target(root, inputs.get("ref"), str(github.get("ref", "")),
                           str(github.get("sha", "")))
        depth = _depth(inputs.get("fetch-depth", "1"))
        run.job.log(run.index, f"Checking out {ref or sha} ({sha[:12]}) into {dest}"
                    + ("" if depth == 0 else f" with fetch-depth {depth}"))
        temp = run.job.folders.temp / f"checkout-{uuid.uuid4().hex[:8]}"
        try:
            _fetch(root, temp, sha, ref, depth)
            git(temp, "remote", "set-url", "origin", f"https://github.com/{own}")
            _install(temp, dest)
        finally:
            shutil.rmtree(temp, ignore_errors=True)
        _switch(dest, sha, ref, inputs.flag("clean", True))
        if inputs.flag("submodules", False) or inputs.get("submodules") == "recursive":
            run.job.annotate(run.index, "warning", "actions/checkout: submodules are not "
                             "fetched offline")
        run.io.outputs.update(ref=ref, commit=sha)
        return SUCCESS


def _depth(text: str) -> int:
    try:
        depth = int(text)
    except ValueError:
        raise BuiltinError(f"actions/checkout: fetch-depth must be a number, not {text!r}"
                           ) from None
    return max(depth, 0)


def _target(root: Path, given: str, event_ref: str, event_sha: str) -> tuple[str, str]:
    """(full ref or "", commit) to check out: the event's unless ``ref`` is given."""
    if not given:
        return event_ref, event_sha
    for candidate in (given, f"refs/heads/{given}", f"refs/tags/{given}",
                      f"refs/remotes/origin/{given}"):
        found = git(root, "rev-parse", "--verify", "-q", f"{candidate}^{{commit}}",
                    check=False)
        if found.returncode == 0:
            full = git(root, "rev-parse", "--symbolic-full-name", candidate,
                       check=False).stdout.strip()
            return (full if full.startswith("refs/") else ""), found.stdout.strip()
    raise BuiltinError(f"actions/checkout: A branch or tag with the name '{given}' could "
                       "not be found")


def _tracking(ref: str) -> str:
    """Where the action stores the fetched commit: branches under origin, tags as tags."""
    if ref.startswith("refs/heads/"):
        return "refs/remotes/origin/" + ref[len("refs/heads/"):]
    if ref.startswith("refs/tags/"):
        return ref
    if ref.startswith("refs/pull/"):
        return "refs/remotes/pull/" + ref[len("refs/pull/"):]
    return ""


def _fetch(root: Path, temp: Path, sha: str, ref: str, depth: int) -> None:
    if depth == 0:
        # All history without copying objects: the clone borrows the local repository's.
        git(root, "clone", "-q", "--shared", "--no-checkout", str(root), str(temp))
        return
    temp.mkdir(parents=True)
    git(temp, "init", "-q")
    git(temp, "remote", "add", "origin", root.as_uri())
    target = _tracking(ref) or "refs/qmoi/checkout"
    git(temp, "fetch", "-q", "--no-tags", "--depth", str(depth), root.as_uri(),
        f"+{sha}:{target}")


def _install(temp: Path, dest: Path) -> None:
    """Put the fetched repository's ``.git`` in ``dest`` (replacing the workspace's
    worktree link: the job now has a repository of its own, like on GitHub)."""
    dest.mkdir(parents=True, exist_ok=True)
    old = dest / ".git"
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old)
    elif old.exists() or old.is_symlink():
        old.unlink()
    (temp / ".git").rename(old)


def _switch(dest: Path, sha: str, ref: str, clean: bool) -> None:
    git(dest, "reset", "-q", "--hard", sha)
    if ref.startswith("refs/heads/"):
        git(dest, "checkout", "-q", "-B", ref[len("refs/heads/"):], sha)
    else:
        git(dest, "-c", "advice.detachedHead=false", "checkout", "-q", "--detach", sha)
    if clean:
        git(dest, "clean", "-ffdx")
