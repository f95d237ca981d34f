"""Linting files on disk: parallel and cached results equal the plain sequential ones."""

from __future__ import annotations

import gc
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from qmoi import forkshare, lint
from qmoi.discover import Target
from qmoi.lint import lint_targets


def _targets(folder: Path) -> list[Target]:
    return [Target(p, p.name, "workflow") for p in sorted(folder.glob("*.y*ml"))]


def _flat(reports: list[lint.FileReport]) -> list[dict[str, object]]:
    return [loc.to_json() for r in reports for loc in r.found]


@pytest.fixture
def corpus_sample(shared: Path) -> list[Target]:
    return _targets(shared / "corpus" / "workflows")[:60]


def test_parallel_equals_sequential(corpus_sample: list[Target],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    parallel = _flat(lint_targets(corpus_sample))
    monkeypatch.setattr(lint, "PARALLEL_THRESHOLD", 10**9)
    assert _flat(lint_targets(corpus_sample)) == parallel


def test_cache_answers_unchanged_files_identically(tmp_path: Path,
                                                   corpus_sample: list[Target]) -> None:
    cache = tmp_path / "cache"
    first = _flat(lint_targets(corpus_sample, cache_dir=cache))
    (file,) = cache.glob("lint-*.json")
    stored = json.loads(file.read_text())
    assert len(stored) == len({t.path.read_bytes() for t in corpus_sample})
    assert _flat(lint_targets(corpus_sample, cache_dir=cache)) == first


def test_each_rule_selection_has_a_cache_file_and_old_ones_are_dropped(
        tmp_path: Path) -> None:
    file = tmp_path / "w.yml"
    file.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
                    "    steps:\n      - run: echo hi\n")
    targets = [Target(file, "w.yml", "workflow")]
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "lint.json").write_text("{}")  # the one-file layout of earlier versions
    os.utime(cache / "lint.json", ns=(0, 0))
    written = []
    for n, code in enumerate(("P101", "P102", "P103", "P104", "P105", "P106")):
        lint_targets(targets, cache_dir=cache, ignore=[code])
        (newest,) = set(cache.glob("lint-*.json")) - set(written)
        os.utime(newest, ns=((n + 1) * 10**9, (n + 1) * 10**9))  # written in this order
        written.append(newest)
    kept = set(cache.glob("lint*.json"))
    # The file of the last selection and the 4 written before it; older ones are gone.
    assert kept == set(written[-5:])
    assert len(json.loads(written[-1].read_text())) == 1


def test_cache_misses_when_a_file_changes(tmp_path: Path) -> None:
    file = tmp_path / "w.yml"
    file.write_text("on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
                    "    steps: [{run: a}]\n")
    targets = [Target(file, "w.yml", "workflow")]
    cache = tmp_path / "cache"
    assert not _flat(lint_targets(targets, cache_dir=cache))
    file.write_text("on: push\non: push\n")
    assert "P102" in [d["code"] for d in _flat(lint_targets(targets, cache_dir=cache))]


@pytest.mark.parametrize("threshold", [(700, 10, 10), (0, 10, 10), (50_000, 5, 5)])
def test_checking_restores_the_callers_collector_threshold(
        tmp_path: Path, threshold: tuple[int, int, int]) -> None:
    file = tmp_path / "w.yml"
    file.write_text("on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: a}]\n")
    before = gc.get_threshold()
    gc.set_threshold(*threshold)
    try:
        lint_targets([Target(file, "w.yml", "workflow")])
        assert gc.get_threshold() == threshold
    finally:
        gc.set_threshold(*before)


def test_unreadable_file_is_a_diagnostic(tmp_path: Path) -> None:
    (report,) = lint_targets([Target(tmp_path / "gone.yml", "gone.yml", "workflow")])
    assert [loc.diagnostic.code for loc in report.found] == ["P100"]


def _slow_square(index: int) -> tuple[int, int]:
    time.sleep(0.002)  # long enough that every process gets some of the work
    return index * index, os.getpid()


def test_shared_work_is_done_once_each_by_several_processes() -> None:
    order = list(range(200))
    found = forkshare.share(order, _slow_square, 3)
    assert sorted(found) == order
    assert all(found[i][0] == i * i for i in order)
    assert len({pid for _, pid in found.values()}) == 3


def test_more_items_than_tokens_go_in_batches() -> None:
    order = list(range(3 * forkshare.MAX_TOKENS + 5))[::-1]
    found = forkshare.share(order, lambda i: i + 1, 2)
    assert found == {i: i + 1 for i in order}


class _Unpicklable(Exception):
    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("not picklable")


def _fails_in_a_child(parent: int, error: BaseException) -> Callable[[int], int]:
    def work(index: int) -> int:
        if os.getpid() != parent:
            raise error
        time.sleep(0.02)  # the parent leaves work over for the child
        return index
    return work


def test_a_childs_error_is_raised_in_the_parent() -> None:
    work = _fails_in_a_child(os.getpid(), ValueError("bad file"))
    with pytest.raises(ValueError, match="bad file"):
        forkshare.share(list(range(20)), work, 2)


def test_an_unpicklable_error_comes_back_as_its_traceback() -> None:
    work = _fails_in_a_child(os.getpid(), _Unpicklable("odd"))
    with pytest.raises(RuntimeError, match="_Unpicklable: odd"):
        forkshare.share(list(range(20)), work, 2)


def test_a_child_that_dies_is_an_error_not_a_hang() -> None:
    parent = os.getpid()

    def work(index: int) -> int:
        if os.getpid() != parent:
            os._exit(3)
        time.sleep(0.02)
        return index

    with pytest.raises(RuntimeError, match="without its results"):
        forkshare.share(list(range(20)), work, 2)


def test_rows_carry_every_field_of_a_located_diagnostic() -> None:
    from qmoi.diagnostics import Diagnostic, Edit, Fix, FixSafety, Located, Severity
    from qmoi.source import Span

    fixed = Diagnostic("w.yml", Span(3, 9), "W1", "r", Severity.WARNING, "m",
                       Fix("t", FixSafety.UNSAFE, (Edit(Span(3, 4), "a"), Edit(Span(5, 5), ""))))
    plain = Diagnostic("w.yml", Span(0, 0), "E2", "s", Severity.ERROR, "n")
    found = (Located(fixed, 1, 4, 2, 3), Located(plain, 1, 1, 1, 1))
    rows = [lint._pack(loc) for loc in found]
    assert lint._unpack("w.yml", rows) == found
    # As the result cache gives them back: lists, not tuples.
    assert lint._unpack("w.yml", json.loads(json.dumps(rows))) == found


def test_a_damaged_cache_entry_is_checked_again(tmp_path: Path) -> None:
    file = tmp_path / "w.yml"
    file.write_text("on: push\non: push\n")
    targets = [Target(file, "w.yml", "workflow")]
    cache = tmp_path / "cache"
    first = _flat(lint_targets(targets, cache_dir=cache))
    (file,) = cache.glob("lint-*.json")
    stored = json.loads(file.read_text())
    for damage in ([[0, 0, "P102"]], [[0, 0, "P102", "r", "fatal", "m", None, 1, 1, 1, 1]]):
        file.write_text(json.dumps({k: damage for k in stored}))
        assert _flat(lint_targets(targets, cache_dir=cache)) == first


def test_a_report_decodes_its_text_when_asked(tmp_path: Path,
                                              corpus_sample: list[Target]) -> None:
    reports = lint_targets(corpus_sample)
    assert any(isinstance(r.loaded, bytes) for r in reports)  # the forked checkers' files
    for report in reports:
        assert report.source.text == report.target.path.read_text(encoding="utf-8-sig")
        assert report.source.path == report.target.display
        assert report.source is report.source


def test_a_run_answered_from_the_cache_loads_no_checker(tmp_path: Path) -> None:
    import subprocess
    import sys

    file = tmp_path / "w.yml"
    file.write_text("on: push\non: push\n")
    script = (
        "import sys; from pathlib import Path; from qmoi.discover import Target; "
        "from qmoi.lint import lint_targets; "
        f"t = [Target(Path({str(file)!r}), 'w.yml', 'workflow')]; "
        f"r = lint_targets(t, cache_dir=Path({str(tmp_path / 'cache')!r})); "
        "print(','.join(loc.diagnostic.code for loc in r[0].found), "
        "sorted(m for m in sys.modules if m.startswith(('qmoi.check.config', 'yaml'))))")
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True, env={**os.environ}).stdout.split(" ", 1)
            for _ in range(2)]
    assert runs[0][0] == runs[1][0]
    assert "P102" in runs[0][0].split(",")
    assert "qmoi.check.config" in runs[0][1]  # checked: the checker was loaded
    assert runs[1][1].strip() == "[]"  # answered from the cache
