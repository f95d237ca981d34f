"""Lint files on disk: read, check, locate. The CLI, the fixer and the manager call this."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

# Only what a run answered from the result cache needs is imported here; the checker,
# the fixer and the expression engine behind them load when a file is really checked.
from qmoi.check.base import Project
from qmoi.check.registry import select_rules
from qmoi.diagnostics import Diagnostic, Located
from qmoi.discover import Target
from qmoi.parse.reader import Loaded, decode_source, read_source
from qmoi.projectfiles import CONFIG_PATH, ProjectFiles
from qmoi.source import SourceFile

if TYPE_CHECKING:
    from qmoi.check.config import Selection
    from qmoi.check.driver import SourceKind
    from qmoi.fix import FixOutcome
    from qmoi.shellcheck import Shellcheck


@dataclass(frozen=True, slots=True)
class FileReport:
    target: Target
    source: SourceFile
    found: tuple[Located, ...]


def _kind(target: Target) -> SourceKind:
    path = target.path
    # Resolving costs system calls; only a file named qmoi.yml, or a link, can resolve to
    # the configuration.
    maybe_config = path.name == Path(CONFIG_PATH).name or path.is_symlink()
    if target.kind == "config" or (
            maybe_config and path.resolve().as_posix().endswith("/" + CONFIG_PATH)):
        return "config"
    return "action" if target.kind == "action" else "workflow"


def config_target(root: Path | None, cwd: Path) -> list[Target]:
    """The repository's ``.github/qmoi.yml`` as a lint target, when it exists, so that a
    broken configuration is reported with its location instead of silently ignored."""
    if root is None or not (root / CONFIG_PATH).is_file():
        return []
    path = root / CONFIG_PATH
    try:
        display = str(path.resolve().relative_to(cwd.resolve()))
    except ValueError:
        display = str(path)
    return [Target(path, display, "config")]


PARALLEL_THRESHOLD = 24
"""Below this many files a process pool costs more than it saves."""


@dataclass(frozen=True, slots=True)
class _Job:
    path: Path
    display: str
    kind: SourceKind
    data: bytes
    project: Project


def _read(target: Target) -> tuple[bytes | None, Loaded | None]:
    try:
        data = target.path.read_bytes()
    except OSError:
        return None, read_source(target.path, target.display)  # reports the OS error
    return data, None


def _check_job(job: _Job, selection: Selection) -> list[Diagnostic]:
    from qmoi.check import check_source

    source, problems = decode_source(job.data, job.display)
    if problems:
        return list(problems)
    # No explicit rules: the driver chooses them from the configuration and the selection.
    return check_source(source, job.kind, None, job.project, selection=selection)


# Checking allocates many short-lived containers and next to no reference cycles, so the
# young-generation collection the default threshold (700) runs every few hundred
# allocations finds nothing to free; a higher one cut ~2.6% of the instructions.
_YOUNG_THRESHOLD = 10_000


def _check_chunk(jobs: list[_Job], select: tuple[str, ...], ignore: tuple[str, ...]
                 ) -> list[list[Diagnostic]]:
    from qmoi.check.config import Selection

    selection = Selection(select, ignore)
    before = gc.get_threshold()
    if 0 < before[0] < _YOUNG_THRESHOLD:  # 0: the caller turned collection off
        gc.set_threshold(_YOUNG_THRESHOLD, *before[1:])
    try:
        return [_check_job(job, selection) for job in jobs]
    finally:
        gc.set_threshold(*before)  # a long-lived caller (the manager) keeps its own setting


def _balanced(jobs: list[_Job], count: int) -> list[list[int]]:
    """Job indexes in ``count`` groups of about equal work: the biggest file first, each
    to the group with the fewest bytes so far (checking time follows the size)."""
    groups: list[list[int]] = [[] for _ in range(count)]
    loads = [0] * count
    for index in sorted(range(len(jobs)), key=lambda i: -len(jobs[i].data)):
        lightest = loads.index(min(loads))
        groups[lightest].append(index)
        loads[lightest] += len(jobs[index].data)
    return groups


def _check_all(jobs: list[_Job], select: tuple[str, ...], ignore: tuple[str, ...]
               ) -> list[list[Diagnostic]]:
    if not jobs:  # every file answered from the cache: load no checker at all
        return []
    workers = min(os.cpu_count() or 1, 4)
    if len(jobs) < PARALLEL_THRESHOLD or workers < 2:
        return _check_chunk(jobs, select, ignore)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from qmoi.check import all_rules

    # Load every rule (and the engine behind them) once, here, before the workers fork:
    # they inherit it instead of each importing it again. Freezing what is loaded keeps
    # the collector from walking (and so copying) those objects in every worker.
    all_rules()
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    order = _balanced(jobs, workers)
    groups = [[jobs[i] for i in group] for group in order]
    gc.freeze()
    try:
        # This process checks the first group itself while the others run in workers.
        with ProcessPoolExecutor(max_workers=workers - 1, mp_context=context) as pool:
            futures = [pool.submit(_check_chunk, group, select, ignore)
                       for group in groups[1:]]
            parts = [_check_chunk(groups[0], select, ignore), *(f.result() for f in futures)]
    finally:
        gc.unfreeze()  # a long-lived caller (the manager) must get its garbage collected
    results: list[list[Diagnostic]] = [[] for _ in jobs]
    for group, part in zip(order, parts, strict=True):
        for index, found in zip(group, part, strict=True):
            results[index] = found
    return results


def lint_targets(
    targets: Sequence[Target],
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    *,
    cache_dir: Path | None = None,
    shellcheck: Shellcheck | None = None,
) -> list[FileReport]:
    """Lint files, in parallel when there are many, answering unchanged ones from the
    content-hash cache in ``cache_dir`` when one is given. With ``shellcheck`` the run
    scripts of every file are checked by it first, in a few batched processes."""
    chosen, dropped = tuple(select), tuple(ignore)
    if shellcheck is not None and not _wants_shellcheck(chosen, dropped):
        shellcheck = None
    cache = None
    if cache_dir is not None:
        from qmoi.lintcache import LintCache

        # The configuration's text is part of each file's key (it is in the Project); the
        # rule set is part of the code fingerprint that salts every key.
        names = repr((chosen, dropped, shellcheck and shellcheck.fingerprint))
        cache = LintCache(cache_dir / "lint.json", names)
    found: dict[int, list[Diagnostic]] = {}
    keys: dict[int, str] = {}
    jobs: list[tuple[int, _Job]] = []
    sources: dict[int, SourceFile] = {}
    projects = ProjectFiles()
    for index, target in enumerate(targets):
        data, failed = _read(target)
        if data is None and failed is not None:
            sources[index], problems = failed
            found[index] = list(problems)
            continue
        assert data is not None
        project = projects.project(target.path, data.decode("utf-8", "replace"))
        job = _Job(target.path, target.display, _kind(target), data, project)
        if cache is not None:
            keys[index] = cache.key(data + repr((project.path, project.files)).encode(), job.kind)
            hit = cache.get(keys[index], target.display)
            if hit is not None:
                found[index] = hit
        if index not in found:
            jobs.append((index, job))
        sources[index] = decode_source(data, target.display)[0]
    if shellcheck is not None:
        jobs = _with_shellcheck(jobs, shellcheck, cache_dir)
    for (index, _), result in zip(jobs, _check_all([j for _, j in jobs], chosen, dropped),
                                  strict=True):
        found[index] = result
        if cache is not None:
            cache.put(keys[index], result)
    if cache is not None:
        cache.save()
    reports = []
    for index, target in enumerate(targets):
        source = sources[index]
        ordered = sorted(found[index], key=Diagnostic.sort_key)
        located = tuple(Located.of(d, source) for d in ordered)
        reports.append(FileReport(target, source, located))
    return reports


def _wants_shellcheck(select: tuple[str, ...], ignore: tuple[str, ...]) -> bool:
    return any(rule.name == "shellcheck" for rule in select_rules(select, ignore))


def _with_shellcheck(jobs: list[tuple[int, _Job]], shellcheck: Shellcheck,
                     cache_dir: Path | None) -> list[tuple[int, _Job]]:
    """The jobs with shellcheck's findings on their scripts attached to their projects."""
    from qmoi.shellcheck import attach_results

    scripted = [(i, j) for i, j in jobs if j.kind in ("workflow", "action")]
    projects = attach_results([(j.data, j.display, "action" if j.kind == "action" else
                                "workflow", j.project) for _, j in scripted],
                              shellcheck, cache_dir)
    updated = {i: replace(j, project=p) for (i, j), p in zip(scripted, projects, strict=True)}
    return [(i, updated.get(i, j)) for i, j in jobs]


@dataclass(frozen=True, slots=True)
class FileFix:
    """What fixing one file did. ``outcome`` is None when the file could not be read."""

    target: Target
    report: FileReport
    outcome: FixOutcome | None


def fix_targets(
    targets: Sequence[Target],
    *,
    unsafe: bool = False,
    write: bool = True,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> list[FileFix]:
    """Fix each file to a fixed point; with ``write`` the result replaces the file
    atomically, and only when something changed (a clean file is never rewritten)."""
    from qmoi.check import check_source
    from qmoi.check.config import Selection, choose_rules
    from qmoi.check.driver import config_of
    from qmoi.fix import fix_source
    from qmoi.fsutil import atomic_write
    from qmoi.projectfiles import project_for

    selection = Selection(tuple(select), tuple(ignore))
    results: list[FileFix] = []
    for target in targets:
        source, problems = read_source(target.path, target.display)
        kind = _kind(target)
        if problems or kind == "config":
            found = problems or tuple(check_source(source, "config"))
            located = tuple(Located.of(d, source) for d in found)
            results.append(FileFix(target, FileReport(target, source, located), None))
            continue
        project = project_for(target.path, source.text)
        rules = choose_rules(select_rules(), config_of(project), project.path, selection)
        outcome = fix_source(source, unsafe=unsafe, kind=kind, rules=rules,
                             project=project)
        if write and outcome.changed:
            atomic_write(target.path, source.encode(outcome.text))
        final = outcome.source
        located = tuple(Located.of(d, final) for d in outcome.remaining)
        results.append(FileFix(target, FileReport(target, final, located), outcome))
    return results
