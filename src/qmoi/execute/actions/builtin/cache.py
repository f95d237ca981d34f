"""``actions/cache`` (restore now, save in the post part), ``actions/cache/restore`` and
``actions/cache/save`` over the local :class:`CacheStore`.

``cache-hit`` is ``true`` only for an exact match of ``key`` ("For a partial key match via
restore-keys or a cache miss, it will be set to false", actions/cache README). The post
part runs on success only (the action's ``post-if: success()``), skips saving after an
exact hit, and an existing key is a warning, not a failure: caches are immutable.
"""

from __future__ import annotations

from pathlib import Path

from qmoi.execute.actions.builtin.base import BuiltinError, BuiltinStep, Inputs
from qmoi.execute.actions.builtin.cache_store import (
    CacheStore,
    cache_version,
    resolve_paths,
    restore,
)
from qmoi.execute.step_kinds import SUCCESS, StepRun
from qmoi.model import ActionRef, Step

MAX_KEY_LENGTH = 512


def store_for(run: StepRun) -> CacheStore:
    home = Path(run.job.request.run_dir).parent.parent  # <home>/runs/<run id>
    return CacheStore(home / "cache" / "actions")


def _key(inputs: Inputs, name: str = "key") -> str:
    key = inputs.get(name)
    if not key:
        raise BuiltinError(f"Input required and not supplied: {name}")
    if len(key) > MAX_KEY_LENGTH:
        raise BuiltinError(f"Key Validation Error: {key} cannot be larger than "
                           f"{MAX_KEY_LENGTH} characters.")
    if "," in key:
        raise BuiltinError(f"Key Validation Error: {key} cannot contain commas.")
    return key


def _paths(inputs: Inputs) -> list[str]:
    paths = inputs.lines("path")
    if not paths:
        raise BuiltinError("Input required and not supplied: path")
    return paths


class CacheRestore(BuiltinStep):
    """``actions/cache/restore``; ``actions/cache`` adds the post part."""

    def __init__(self, step: Step, ref: ActionRef) -> None:
        super().__init__(step, ref)
        self.key = ""
        self.paths: list[str] = []
        self.exact = False

    def run_main(self, run: StepRun, inputs: Inputs) -> str:
        self.key, self.paths = _key(inputs), _paths(inputs)
        restore_keys = inputs.lines("restore-keys")
        version = cache_version(self.paths)
        entry = store_for(run).match(self.key, restore_keys, version)
        outputs = run.io.outputs
        outputs["cache-primary-key"] = self.key
        if entry is None:
            outputs["cache-hit"] = "false"
            if inputs.flag("fail-on-cache-miss", False):
                raise BuiltinError("Failed to restore cache entry. Exiting as "
                                   f"fail-on-cache-miss is set. Input key: {self.key}")
            run.job.log(run.index, "Cache not found for input keys: "
                        + ", ".join([self.key, *restore_keys]))
            return SUCCESS
        self.exact = entry.key == self.key
        outputs.update({"cache-hit": str(self.exact).lower(), "cache-matched-key": entry.key})
        if inputs.flag("lookup-only", False):
            run.job.log(run.index, f"Cache found and can be restored from key: {entry.key}")
            return SUCCESS
        restore(entry, run.job.folders.workspace)
        run.job.log(run.index, f"Cache Size: ~{max(1, entry.size // (1024 * 1024))} MB "
                    f"({entry.size} B)")
        run.job.log(run.index, f"Cache restored from key: {entry.key}")
        return SUCCESS


class CacheAction(CacheRestore):
    has_post = True
    post_condition = "success()"

    def run_post(self, run: StepRun) -> str:
        if not self.key:
            return SUCCESS  # main failed before reading its inputs
        if self.exact:
            run.job.log(run.index, f"Cache hit occurred on the primary key {self.key}, "
                        "not saving cache.")
            return SUCCESS
        save(run, self.key, self.paths)
        return SUCCESS


class CacheSave(BuiltinStep):
    def run_main(self, run: StepRun, inputs: Inputs) -> str:
        save(run, _key(inputs), _paths(inputs))
        return SUCCESS


def save(run: StepRun, key: str, paths: list[str]) -> None:
    """Save the paths under ``key``; problems are warnings, as in the action."""
    workspace = run.job.folders.workspace
    files = resolve_paths(paths, workspace)
    if not files:
        run.job.annotate(run.index, "warning", "Path Validation Error: Path(s) specified in "
                         "the action for caching do(es) not exist, hence no cache is being "
                         "saved.")
        return
    try:
        saved = store_for(run).save(key, cache_version(paths), files, workspace)
    except OSError as error:
        run.job.annotate(run.index, "warning", f"Failed to save: {error}")
        return
    if not saved:
        run.job.annotate(run.index, "warning", f"Failed to save: Unable to reserve cache with "
                         f"key {key}, another job may be creating this cache.")
        return
    run.job.log(run.index, f"Cache saved with key: {key}")
