"""Linting files on disk: parallel and cached results equal the plain sequential ones."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest

from qmoi import lint
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
    stored = json.loads((cache / "lint.json").read_text())
    assert len(stored) == len({t.path.read_bytes() for t in corpus_sample})
    assert _flat(lint_targets(corpus_sample, cache_dir=cache)) == first


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


def test_balanced_groups_hold_every_file_once_with_even_bytes(tmp_path: Path) -> None:
    from qmoi.check.base import Project

    sizes = [900, 10, 400, 400, 300, 50, 50, 700, 5, 600]
    jobs = [lint._Job(tmp_path / f"{i}.yml", f"{i}.yml", "workflow", b"x" * n, Project())
            for i, n in enumerate(sizes)]
    groups = lint._balanced(jobs, 3)
    assert sorted(i for g in groups for i in g) == list(range(len(sizes)))
    loads = [sum(sizes[i] for i in g) for g in groups]
    assert max(loads) - min(loads) <= max(sizes) // 2
