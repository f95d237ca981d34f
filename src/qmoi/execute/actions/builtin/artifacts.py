"""``actions/upload-artifact`` and ``actions/download-artifact`` with v4 semantics over the
run's :class:`ArtifactStore` (https://github.com/actions/upload-artifact,
https://github.com/actions/download-artifact):

* upload: ``path`` lines are globs (``!`` excludes, hidden files only with
  ``include-hidden-files``); the artifact's root is the least common ancestor of the search
  paths, or a lone file's folder; ``if-no-files-found`` warn / error / ignore; a name is
  immutable unless ``overwrite: true``; outputs ``artifact-id``, ``artifact-url``,
  ``artifact-digest``.
* download: ``name`` (into ``path``), else every artifact or those matching ``pattern``,
  each into ``path/<name>/`` unless ``merge-multiple``; output ``download-path``.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from pathlib import Path

from qmoi.execute.actions.builtin.artifact_store import (
    INVALID_NAME_CHARACTERS,
    Artifact,
    ArtifactExists,
    ArtifactStore,
    extract,
)
from qmoi.execute.actions.builtin.base import BuiltinError, BuiltinStep, Inputs
from qmoi.execute.step_kinds import SUCCESS, StepRun

_GLOB = set("*?[")
_NOT_FOUND_HELP = ("Please ensure that your artifact is not expired and the artifact was "
                   "uploaded using a compatible version of toolkit/upload-artifact.")


def store_for(run: StepRun) -> ArtifactStore:
    return ArtifactStore(Path(run.job.request.run_dir) / "artifacts")


def _search_path(pattern: str) -> str:
    """The part of a pattern before its first segment with a wildcard."""
    parts = Path(pattern).parts
    kept = []
    for part in parts:
        if _GLOB & set(part):
            break
        kept.append(part)
    return str(Path(*kept)) if kept else os.sep


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def find_files(patterns: list[str], workspace: Path, hidden: bool
               ) -> tuple[list[Path], Path | None]:
    """The files to upload and the artifact's root folder."""
    include: list[Path] = []
    exclude: set[Path] = set()
    searches: list[Path] = []
    for line in patterns:
        negate = line.startswith("!")
        text = os.path.expanduser(line[1:] if negate else line)
        full = os.path.normpath(text if os.path.isabs(text) else workspace / text)
        hits = {Path(p) for p in glob.glob(full, recursive=True)}
        expanded: set[Path] = set()
        for hit in hits:
            if hit.is_dir():
                expanded.update(p for p in hit.rglob("*") if p.is_file())
            else:
                expanded.add(hit)
        if negate:
            exclude.update(expanded)
        else:
            include.extend(sorted(expanded))
            searches.append(Path(_search_path(full)))
    files = list(dict.fromkeys(f for f in include if f not in exclude))
    if not files:
        return [], None
    if len(searches) > 1:
        root = Path(os.path.commonpath([str(s) for s in searches]))
    elif len(files) == 1 and searches[0] == files[0]:
        root = files[0].parent
    else:
        root = searches[0]
    if not hidden:
        files = [f for f in files if not _hidden(f, root)]
    return files, root


class UploadArtifact(BuiltinStep):
    def run_main(self, run: StepRun, inputs: Inputs) -> str:
        name = inputs.get("name", "artifact")
        bad = sorted({c for c in name if c in INVALID_NAME_CHARACTERS})
        if bad:
            raise BuiltinError(f"The artifact name is not valid: {name}. Contains the "
                               f"following character: {' '.join(repr(c) for c in bad)}")
        patterns = inputs.lines("path")
        if not patterns:
            raise BuiltinError("Input required and not supplied: path")
        workspace = run.job.folders.workspace
        files, root = find_files(patterns, workspace, inputs.flag("include-hidden-files",
                                                                   False))
        if root is None or not files:
            return self._nothing(run, inputs.get("if-no-files-found", "warn"),
                                 "\n".join(patterns))
        run.job.log(run.index, f"With the provided path, there will be {len(files)} file(s) "
                    "uploaded")
        pairs = [(f, f.relative_to(root).as_posix()) for f in files]
        try:
            artifact = store_for(run).upload(name, pairs, inputs.flag("overwrite", False))
        except ArtifactExists:
            raise BuiltinError("Failed to CreateArtifact: Received non-retryable error: Failed "
                               "request: (409) Conflict: an artifact with this name already "
                               "exists on the workflow run") from None
        github = run.job.request.github
        run.io.outputs.update({
            "artifact-id": str(artifact.id), "artifact-digest": artifact.digest,
            "artifact-url": f"https://github.com/{github.get('repository', '')}/actions/runs/"
                            f"{run.job.request.run_id}/artifacts/{artifact.id}"})
        run.job.log(run.index, f"Artifact {name} has been successfully uploaded! Final size is "
                    f"{artifact.size} bytes. Artifact ID is {artifact.id}")
        return SUCCESS

    def _nothing(self, run: StepRun, mode: str, path: str) -> str:
        message = (f"No files were found with the provided path: {path}. No artifacts will "
                   "be uploaded.")
        if mode == "error":
            raise BuiltinError(message)
        if mode == "warn":
            run.job.annotate(run.index, "warning", message)
        elif mode == "ignore":
            run.job.log(run.index, message)
        else:
            raise BuiltinError(f"Unrecognized if-no-files-found input. Provided: {mode}. "
                               "Available options: warn, error, ignore")
        return SUCCESS


class DownloadArtifact(BuiltinStep):
    def run_main(self, run: StepRun, inputs: Inputs) -> str:
        own = str(run.job.request.run_id)
        if inputs.get("run-id") not in ("", own) or inputs.get("github-token"):
            raise BuiltinError("actions/download-artifact: artifacts of other runs are not "
                               "available offline")
        workspace = run.job.folders.workspace
        given = os.path.expanduser(inputs.get("path"))
        dest = Path(given) if os.path.isabs(given) else workspace / given
        store = store_for(run)
        name = inputs.get("name")
        if name:
            self._one(run, store, name, dest)
        else:
            self._many(run, store.list(), inputs, dest)
        run.io.outputs["download-path"] = str(dest)
        return SUCCESS

    def _one(self, run: StepRun, store: ArtifactStore, name: str, dest: Path) -> None:
        found = next((a for a in store.list() if a.name == name), None)
        if found is None:
            raise BuiltinError(f"Unable to download artifact(s): Artifact not found for name: "
                               f"{name}\n{_NOT_FOUND_HELP}")
        extract(found, dest)
        run.job.log(run.index, f"Artifact download completed successfully. ({name} → {dest})")

    def _many(self, run: StepRun, artifacts: list[Artifact], inputs: Inputs,
              dest: Path) -> None:
        ids = {part.strip() for part in inputs.get("artifact-ids").split(",") if part.strip()}
        pattern = inputs.get("pattern")
        chosen = [a for a in artifacts
                  if (not pattern or fnmatch.fnmatchcase(a.name, pattern))
                  and (not ids or str(a.id) in ids)]
        if ids and not chosen:
            raise BuiltinError(f"Unable to download artifact(s): no artifact with id(s) "
                               f"{', '.join(sorted(ids))}")
        merge = inputs.flag("merge-multiple", False)
        for artifact in chosen:
            extract(artifact, dest if merge else dest / artifact.name)
        run.job.log(run.index, f"Total of {len(chosen)} artifact(s) downloaded")
