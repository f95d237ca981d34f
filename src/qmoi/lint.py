"""Lint files on disk: read, check, locate. The CLI, the fixer and the manager call this."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Only what a run answered from the result cache needs is imported here; the checker,
# the fixer and the expression engine behind them load when a file is really checked.
from qmoi.check.base import Project
from qmoi.check.registry import select_rules
from qmoi.diagnostics import Diagnostic, Edit, Fix, FixSafety, Located, Severity
from qmoi.discover import Target
from qmoi.forkshare import share
from qmoi.parse.reader import Loaded, decode_source, read_source
from qmoi.projectfiles import CONFIG_PATH, ProjectFiles
from qmoi.source import SourceFile, Span

if TYPE_CHECKING:
    from qmoi.check.config import Selection
    from qmoi.check.driver import SourceKind
    from qmoi.fix import FixOutcome
    from qmoi.shellcheck import Shellcheck


@dataclass(frozen=True, slots=True)
class FileReport:
    """One linted file: the target asked for, its text and its located findings."""

    target: Target
    # The decoded file, or its bytes until ``source`` is first asked for: a JSON report
    # needs no text, and decoding (its line table) cost ~45 ms over the corpus.
    loaded: SourceFile | bytes
    found: tuple[Located, ...]

    @property
    def source(self) -> SourceFile:
        loaded = self.loaded
        if isinstance(loaded, bytes):
            loaded = decode_source(loaded, self.target.display)[0]
            object.__setattr__(self, "loaded", loaded)
        return loaded


Row = tuple[Any, ...]
"""A located diagnostic as plain values, as forked checkers send it back and the result
cache keeps it: ``(start, end, code, rule, severity, message, fix, line, column,
end_line, end_column)``, the fix ``None`` or ``(title, safety, ((start, end, text), …))``.
Pickled as dataclasses, each object went through the Python ``__getstate__`` and
``__setstate__`` that ``@dataclass(slots=True)`` adds: ~50 ms to send the corpus's
diagnostics and ~70 ms to receive them."""

_SEVERITY = {s.value: s for s in Severity}
_SAFETY = {s.value: s for s in FixSafety}


def _pack(loc: Located) -> Row:
    d = loc.diagnostic
    fix = None if d.fix is None else (d.fix.title, d.fix.safety.value, tuple(
        (e.span.start, e.span.end, e.text) for e in d.fix.edits))
    return (d.span.start, d.span.end, d.code, d.rule, d.severity.value, d.message, fix,
            loc.line, loc.column, loc.end_line, loc.end_column)


def _unpack(path: str, rows: Iterable[Sequence[Any]]) -> tuple[Located, ...]:
    """The rows' diagnostics in ``path``; KeyError, TypeError or ValueError when a row is
    not one (a damaged cache)."""
    found = []
    for start, end, code, rule, severity, message, fix, line, column, end_line, end_column \
            in rows:
        if fix is not None:
            title, safety, edits = fix
            fix = Fix(title, _SAFETY[safety], tuple(Edit(Span(a, b), t) for a, b, t in edits))
        found.append(Located(Diagnostic(path, Span(start, end), code, rule,
                                        _SEVERITY[severity], message, fix),
                             line, column, end_line, end_column))
    return tuple(found)


def _located(found: list[Diagnostic], source: SourceFile) -> tuple[Located, ...]:
    return tuple(Located.of(d, source) for d in sorted(found, key=Diagnostic.sort_key))


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
"""Below this many files a forked checker costs more than it saves."""


@dataclass(frozen=True, slots=True)
class _Job:
    """A file to check, already read, as it is handed to a checker process."""

    path: Path
    display: str
    kind: SourceKind
    data: bytes
    # None: found by the process that checks the file (only the cache and shellcheck need
    # it beforehand), so that looking up what 500 files refer to runs in parallel too.
    project: Project | None


def _read(target: Target) -> tuple[bytes | None, Loaded | None]:
    try:
        data = target.path.read_bytes()
    except OSError:
        return None, read_source(target.path, target.display)  # reports the OS error
    return data, None


class _Checker:
    """Checks jobs one at a time in whichever process runs it, keeping the files it decoded
    and what it found in them (the parent reports those as they are instead of decoding
    the files and building the findings from their rows again)."""

    def __init__(self, jobs: list[_Job], select: tuple[str, ...], ignore: tuple[str, ...]
                 ) -> None:
        self.jobs = jobs
        self.chosen = select, ignore
        self.projects = ProjectFiles()
        self.decoded: dict[int, tuple[SourceFile, tuple[Located, ...]]] = {}

    def __call__(self, index: int) -> tuple[Row, ...]:
        """The file's findings sorted and located here, where its text is decoded (in
        parallel, and the parent then needs the text only for a report that shows it)."""
        job = self.jobs[index]
        source, problems = decode_source(job.data, job.display)
        found = _located(list(problems) or self._check(job, source), source)
        self.decoded[index] = source, found
        return tuple(map(_pack, found))

    def _check(self, job: _Job, source: SourceFile) -> list[Diagnostic]:
        from qmoi.check import check_source

        project = job.project
        if project is None:
            project = self.projects.project(job.path, source.text)
        # No explicit rules: the driver chooses them from the configuration and selection.
        return check_source(source, job.kind, None, project, selection=self.selection)

    @cached_property
    def selection(self) -> Selection:
        # Made for the first file checked: a run answered from the cache imports no
        # checker (qmoi.check.config brings the YAML parser and libyaml's module with it).
        from qmoi.check.config import Selection

        return Selection(*self.chosen)


# Checking allocates many short-lived containers and next to no reference cycles, so the
# young-generation collection the default threshold (700) runs every few hundred
# allocations finds nothing to free; a higher one cut ~2.6% of the instructions.
_YOUNG_THRESHOLD = 10_000


def _check_all(checker: _Checker) -> list[tuple[Row, ...]]:
    jobs = checker.jobs
    if not jobs:  # every file answered from the cache: load no checker at all
        return []
    workers = min(os.cpu_count() or 1, 4)
    before = gc.get_threshold()
    if 0 < before[0] < _YOUNG_THRESHOLD:  # 0: the caller turned collection off
        gc.set_threshold(_YOUNG_THRESHOLD, *before[1:])
    try:
        if len(jobs) < PARALLEL_THRESHOLD or workers < 2 or not hasattr(os, "fork"):
            return [checker(index) for index in range(len(jobs))]
        from qmoi.check import all_rules
        from qmoi.check.actions_util import load_tables

        # Load every rule (and the engine and tables behind them) once, here, before the
        # checkers fork: they inherit it instead of each loading it again.
        all_rules()
        load_tables()
        # Biggest first, so that the last files handed out are small and the processes
        # end together (checking time follows the size).
        order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i].data))
        found = share(order, checker, workers)
        return [found[index] for index in range(len(jobs))]
    finally:
        gc.set_threshold(*before)  # a long-lived caller (the manager) keeps its own setting


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
        cache = LintCache(cache_dir, names)
    found: dict[int, tuple[Located, ...]] = {}
    keys: dict[int, str] = {}
    jobs: list[tuple[int, _Job]] = []
    loaded: dict[int, SourceFile | bytes] = {}
    projects = ProjectFiles() if cache is not None or shellcheck is not None else None
    for index, target in enumerate(targets):
        data, failed = _read(target)
        if data is None and failed is not None:
            loaded[index], problems = failed
            found[index] = _located(list(problems), failed[0])
            continue
        assert data is not None
        loaded[index] = data
        project = None
        if projects is not None:
            project = projects.project(target.path, data.decode("utf-8", "replace"))
        job = _Job(target.path, target.display, _kind(target), data, project)
        if cache is not None:
            assert project is not None
            keys[index] = cache.key(data + repr((project.path, project.files)).encode(), job.kind)
            hit = _cached(cache.get(keys[index]), target.display)
            if hit is not None:
                found[index] = hit
        if index not in found:
            jobs.append((index, job))
    if shellcheck is not None:
        jobs = _with_shellcheck(jobs, shellcheck, cache_dir)
    checker = _Checker([j for _, j in jobs], chosen, dropped)
    for number, ((index, job), rows) in enumerate(zip(jobs, _check_all(checker),
                                                      strict=True)):
        # What this process checked is at hand; the others' findings come as rows, their
        # texts are decoded when asked for.
        if number in checker.decoded:
            loaded[index], found[index] = checker.decoded[number]
        else:
            found[index] = _unpack(job.display, rows)
        if cache is not None:
            cache.put(keys[index], rows)
    if cache is not None:
        cache.save()
    return [FileReport(target, loaded[i], found[i]) for i, target in enumerate(targets)]


def _cached(rows: list[Any] | None, path: str) -> tuple[Located, ...] | None:
    if rows is None:
        return None
    try:
        return _unpack(path, rows)
    except (KeyError, TypeError, ValueError):  # a damaged entry: check the file again
        return None


def _wants_shellcheck(select: tuple[str, ...], ignore: tuple[str, ...]) -> bool:
    return any(rule.name == "shellcheck" for rule in select_rules(select, ignore))


def _with_shellcheck(jobs: list[tuple[int, _Job]], shellcheck: Shellcheck,
                     cache_dir: Path | None) -> list[tuple[int, _Job]]:
    """The jobs with shellcheck's findings on their scripts attached to their projects."""
    from qmoi.shellcheck import attach_results

    scripted = [(i, j) for i, j in jobs if j.kind in ("workflow", "action")]
    projects = attach_results([(j.data, j.display, "action" if j.kind == "action" else
                                "workflow", j.project or Project()) for _, j in scripted],
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
