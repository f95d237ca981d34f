"""shellcheck for ``qmoi lint``: find the binary, check every script of a lint run in a few
batched processes run in parallel, cache the results by content, and hand them to the
``shellcheck`` rule through each document's ``Project`` (so ``check`` itself does no I/O).

actionlint starts one shellcheck process per script; here all scripts of all files go
into as few processes as there are cores (shellcheck takes many files in one call), and a
script whose text, dialect and shellcheck binary are unchanged is never checked again.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qmoi.check.base import Document, DocumentKind, Project
from qmoi.check.shell_util import (
    RESULTS_PATH,
    SHELLCHECK_EXCLUDES,
    Finding,
    RunScript,
    ShellcheckInput,
    action_scripts,
    encode_results,
    shellcheck_input,
    workflow_scripts,
)
from qmoi.errors import QmoiError
from qmoi.fsutil import atomic_write
from qmoi.parse import decode_source, parse_yaml
from qmoi.parse.nodes import Mapping

# shellcheck's time per file grows with the files of one call (about 1.6 ms at 250, 2.5 ms
# at 1500, measured on the corpus), while a process costs ~20 ms: a few hundred per call
# is the sweet spot, and it keeps the command line far below ARG_MAX.
MAX_FILES_PER_CALL = 250
MIN_FILES_PER_CALL = 40  # fewer scripts than this are not worth another process
PARALLEL_FILES = 24  # below this, parsing in a process pool costs more than it saves
CACHE_FILE = "shellcheck.json"
MAX_CACHE_ENTRIES = 50_000
TIMEOUT_SECONDS = 600


class ShellcheckError(QmoiError):
    """shellcheck could not be run or gave output that is not its JSON."""


@dataclass(frozen=True, slots=True)
class Shellcheck:
    """A shellcheck binary; ``fingerprint`` changes when the binary does (path, size,
    mtime), so cached results never outlive the version that produced them."""

    binary: Path
    fingerprint: str

    @staticmethod
    def at(binary: Path) -> Shellcheck:
        try:
            stat = binary.stat()
        except OSError as error:
            raise ShellcheckError(f"cannot use shellcheck at {binary}: {error}") from error
        ident = f"{binary.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}"
        return Shellcheck(binary, hashlib.sha256(ident.encode()).hexdigest()[:16])


def find_shellcheck() -> Shellcheck | None:
    """``shellcheck`` on the PATH, else beside this Python (where ``pip install
    qmoi[shellcheck]`` puts it even when the environment is not activated)."""
    found = shutil.which("shellcheck")
    if found is None:
        beside = Path(sys.executable).parent / "shellcheck"
        found = str(beside) if beside.is_file() and os.access(beside, os.X_OK) else None
    return None if found is None else Shellcheck.at(Path(found))


def scripts_of(data: bytes, display: str, kind: DocumentKind) -> list[RunScript]:
    """The run scripts of one file (none when it does not parse to a mapping)."""
    from qmoi.model import build_action, build_workflow

    source, problems = decode_source(data, display)
    if problems:
        return []
    root = parse_yaml(source).root
    if not isinstance(root, Mapping):
        return []
    document = Document(source, root, kind)
    if kind == "action":
        return list(action_scripts(build_action(document.root, source)))
    return list(workflow_scripts(build_workflow(document.root, source)))


def attach_results(
    files: Sequence[tuple[bytes, str, DocumentKind, Project]],
    shellcheck: Shellcheck,
    cache_dir: Path | None = None,
    workers: int | None = None,
) -> list[Project]:
    """Each file's project with the shellcheck findings of its scripts attached."""
    wanted = _inputs_of_all([(data, display, kind) for data, display, kind, _ in files],
                            workers or os.cpu_count() or 1)
    unique = {i.key: i for group in wanted for i in group}
    results = check_scripts(list(unique.values()), shellcheck, cache_dir, workers)
    projects = []
    for (_, _, _, project), group in zip(files, wanted, strict=True):
        if not group:
            projects.append(project)
            continue
        mine = {i.key: results.get(i.key, ()) for i in group}
        files_ = (*project.files, (RESULTS_PATH, encode_results(mine)))
        projects.append(Project(files_, project.path))
    return projects


def _inputs_of(files: Sequence[tuple[bytes, str, DocumentKind]]) -> list[list[ShellcheckInput]]:
    result = []
    for data, display, kind in files:
        inputs = (shellcheck_input(s) for s in scripts_of(data, display, kind))
        result.append([i for i in inputs if i is not None])
    return result


def _inputs_of_all(files: Sequence[tuple[bytes, str, DocumentKind]],
                   workers: int) -> list[list[ShellcheckInput]]:
    """The scripts of every file; parsed in parallel when there are many files."""
    if len(files) < PARALLEL_FILES or workers < 2:
        return _inputs_of(files)
    from concurrent.futures import ProcessPoolExecutor

    chunks = [files[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(_inputs_of, chunks))
    result: list[list[ShellcheckInput]] = [[] for _ in files]
    for i, part in enumerate(parts):
        for j, inputs in enumerate(part):
            result[i + j * workers] = inputs
    return result


def check_scripts(
    inputs: Sequence[ShellcheckInput],
    shellcheck: Shellcheck,
    cache_dir: Path | None = None,
    workers: int | None = None,
) -> dict[str, tuple[Finding, ...]]:
    """Findings per script key; cached scripts are answered without running anything."""
    cache = _Cache(None if cache_dir is None else cache_dir / CACHE_FILE, shellcheck)
    results: dict[str, tuple[Finding, ...]] = {}
    missing: list[ShellcheckInput] = []
    for item in inputs:
        hit = cache.get(item.key)
        if hit is None:
            missing.append(item)
        else:
            results[item.key] = hit
    for batch_result in _run_batches(missing, shellcheck, workers or os.cpu_count() or 1):
        for key, findings in batch_result.items():
            results[key] = findings
            cache.put(key, findings)
    cache.save()
    return results


def _batches(inputs: Sequence[ShellcheckInput], workers: int) -> list[list[ShellcheckInput]]:
    """Per dialect, as few batches as keep every core busy; big scripts spread evenly."""
    batches: list[list[ShellcheckInput]] = []
    for dialect in sorted({i.dialect for i in inputs}):
        group = sorted((i for i in inputs if i.dialect == dialect), key=lambda i: -len(i.text))
        count = max(1, min(workers, math.ceil(len(group) / MIN_FILES_PER_CALL)))
        if len(group) > count * MAX_FILES_PER_CALL:  # whole rounds, so no core idles
            count = workers * math.ceil(len(group) / (workers * MAX_FILES_PER_CALL))
        batches.extend(group[k::count] for k in range(count))
    return [b for b in batches if b]


def _run_batches(inputs: Sequence[ShellcheckInput], shellcheck: Shellcheck,
                 workers: int) -> list[dict[str, tuple[Finding, ...]]]:
    if not inputs:
        return []
    batches = _batches(inputs, workers)
    with tempfile.TemporaryDirectory(prefix="qmoi-shellcheck-") as tmp:
        folder = Path(tmp)
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            return list(pool.map(lambda b: _run_one(b[1], b[0], folder, shellcheck),
                                 enumerate(batches)))


def _run_one(batch: list[ShellcheckInput], number: int, folder: Path,
             shellcheck: Shellcheck) -> dict[str, tuple[Finding, ...]]:
    names = [f"b{number}_{k}.sh" for k in range(len(batch))]
    for name, item in zip(names, batch, strict=True):
        (folder / name).write_text(item.text, encoding="utf-8")
    argv = [str(shellcheck.binary), "--norc", "--format=json1", f"--shell={batch[0].dialect}",
            f"--exclude={','.join(SHELLCHECK_EXCLUDES)}", *names]
    try:
        done = subprocess.run(argv, cwd=folder, capture_output=True, timeout=TIMEOUT_SECONDS,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ShellcheckError(f"shellcheck could not run: {error}") from error
    return _parse(done, dict(zip(names, batch, strict=True)))


def _parse(done: subprocess.CompletedProcess[bytes],
           by_name: dict[str, ShellcheckInput]) -> dict[str, tuple[Finding, ...]]:
    try:
        comments = json.loads(done.stdout)["comments"]
    except (ValueError, KeyError, TypeError):
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        raise ShellcheckError(f"shellcheck failed (exit {done.returncode})"
                              + (f": {detail[0]}" if detail else "")) from None
    found: dict[str, list[Finding]] = {item.key: [] for item in by_name.values()}
    for c in comments:
        item = by_name.get(c.get("file", ""))
        if item is not None:
            found[item.key].append(Finding(c["line"], c["column"], c["endLine"],
                                           c["endColumn"], c["level"], c["code"],
                                           c["message"]))
    return {key: tuple(items) for key, items in found.items()}


class _Cache:
    """``.qmoi/cache/shellcheck.json``: findings by script key and shellcheck binary."""

    def __init__(self, file: Path | None, shellcheck: Shellcheck) -> None:
        self.file = file
        # The options decide the findings as much as the binary does.
        self.salt = f"{shellcheck.fingerprint}/{','.join(SHELLCHECK_EXCLUDES)}"
        self.entries: dict[str, Any] = {}
        self.used: set[str] = set()
        self.dirty = False
        if file is not None:
            try:
                loaded = json.loads(file.read_text(encoding="utf-8"))
                self.entries = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError):
                pass  # no cache yet, or a damaged one: start empty

    def _key(self, key: str) -> str:
        return f"{self.salt}:{key}"

    def get(self, key: str) -> tuple[Finding, ...] | None:
        items = self.entries.get(self._key(key))
        if not isinstance(items, list):
            return None
        try:
            found = tuple(Finding.from_json(item) for item in items)
        except (TypeError, ValueError):
            return None
        self.used.add(self._key(key))
        return found

    def put(self, key: str, findings: tuple[Finding, ...]) -> None:
        self.entries[self._key(key)] = [f.to_json() for f in findings]
        self.used.add(self._key(key))
        self.dirty = True

    def save(self) -> None:
        if self.file is None or not self.dirty:
            return
        if len(self.entries) > MAX_CACHE_ENTRIES:
            self.entries = {k: v for k, v in self.entries.items() if k in self.used}
        self.file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.file, json.dumps(self.entries, separators=(",", ":")).encode())
