"""The built-in offline actions, run for real: checkout, setup-*, cache, artifacts."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from run_helpers import commit, git, make_repo, run_repo


def test_checkout_shallow_default_full_history_and_path(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - run: touch stray.txt
              - id: co
                uses: actions/checkout@v4
                with: {persist-credentials: false}
              - run: |
                  echo "commits=$(git rev-list --count HEAD) branch=$(git branch --show-current)"
                  echo "origin=$(git remote get-url origin)"
                  test -e stray.txt && echo stray-kept || echo stray-cleaned
              - uses: actions/checkout@v3
                with: {path: sub/full, fetch-depth: 0}
              - run: echo "full=$(git -C sub/full rev-list --count HEAD)"
              - run: echo "out=${{ steps.co.outputs.ref }} ${{ steps.co.outputs.commit }}"
        """}, {"a.txt": "1\n"})
    (repo / "a.txt").write_text("2\n")
    commit(repo, "second")
    sha = git(repo, "rev-parse", "HEAD")
    out = run_repo(repo)
    assert out.record.result == "success", out.annotations("j")
    logs = out.logs("j")
    assert "commits=1 branch=main" in logs
    assert "stray-cleaned" in logs
    assert any(line.startswith("origin=https://github.com/") for line in logs)
    assert "full=2" in logs
    assert f"out=refs/heads/main {sha}" in logs
    assert git(repo, "branch", "--list") == "* main"  # the user's repository is untouched


def test_checkout_other_repository_and_escaping_path_fail(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
                with: {repository: someone/else}
              - if: always()
                uses: actions/checkout@v4
                with: {path: ../../outside}
        """})
    notes = run_repo(repo).annotations("j")
    assert "'someone/else' is another repository" in notes[0]
    assert "Repository path '../../outside' is not under" in notes[1]


def test_setup_python_picks_a_local_interpreter(tmp_path: Path) -> None:
    major_minor = f"{sys.version_info[0]}.{sys.version_info[1]}"
    repo = make_repo(tmp_path / "r", {"ci.yml": f"""
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - id: py
                uses: actions/setup-python@v5
                with: {{python-version: "{major_minor}"}}
              - run: |
                  python -c "import sys; print('run', sys.version_info[:2])"
                  echo "loc=$pythonLocation"
                  echo "out=${{{{ steps.py.outputs.python-version }}}}"
              - uses: actions/setup-python@v5
                with: {{python-version: "2.1"}}
        """})
    out = run_repo(repo)
    logs = out.logs("j")
    want = f"({sys.version_info[0]}, {sys.version_info[1]})"
    assert f"run {want}" in logs
    assert any(line.startswith(f"out={major_minor}.") for line in logs)
    [error] = out.annotations("j")
    assert "Python 2.1 is not installed on this machine (found:" in error


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_setup_node_from_nvmrc_range(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - id: n
                uses: actions/setup-node@v4
                with: {node-version-file: .nvmrc}
              - run: echo "node ${{ steps.n.outputs.node-version }} $(node --version)"
        """}, {".nvmrc": ">=12\n"})
    out = run_repo(repo)
    assert out.record.result == "success", out.annotations("j")
    line = next(x for x in out.logs("j") if x.startswith("node v"))
    _, ours, real = line.split()
    assert ours == real


CACHE_JOB = """
on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - id: c
        uses: actions/cache@v4
        with:
          path: |
            deps
            !deps/skip.txt
          key: deps-${{ hashFiles('lock.txt') }}
          restore-keys: deps-
      - run: |
          matched="${{ steps.c.outputs.cache-matched-key }}"
          echo "hit=${{ steps.c.outputs.cache-hit }} matched=$matched"
          ls deps 2>/dev/null | tr '\\n' ' '; echo
          mkdir -p deps && echo "$(cat lock.txt)" > deps/made.txt && echo x > deps/skip.txt
"""


def test_cache_miss_save_exact_hit_and_restore_key(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": CACHE_JOB}, {"lock.txt": "one\n"})
    first = run_repo(repo)
    assert first.record.result == "success", first.annotations("j")
    assert "hit=false matched=" in first.logs("j")
    assert any(line.startswith("Cache saved with key: deps-") for line in first.logs("j"))
    second = run_repo(repo)
    assert "hit=true matched=" + _key(second) in second.logs("j")
    assert "made.txt " in second.logs("j")  # restored, skip.txt was excluded
    assert any("not saving cache" in line for line in second.logs("j"))
    (repo / "lock.txt").write_text("two\n")
    commit(repo, "bump")
    third = run_repo(repo)
    logs = third.logs("j")
    assert any(line.startswith("hit=false matched=deps-") for line in logs)
    assert "made.txt " in logs


def _key(outcome: object) -> str:
    logs = outcome.logs("j")  # type: ignore[attr-defined]
    line = next(x for x in logs if x.startswith("Cache restored from key: "))
    return str(line.rsplit(" ", 1)[1])


def test_artifacts_shared_between_jobs_v4_semantics(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          make:
            runs-on: ubuntu-latest
            strategy:
              matrix: {n: [1, 2]}
            steps:
              - run: mkdir -p out/sub && echo "${{ matrix.n }}" > out/sub/n${{ matrix.n }}.txt
                     && echo h > out/.hidden
              - uses: actions/upload-artifact@v4
                with: {name: "part-${{ matrix.n }}", path: out/}
          again:
            runs-on: ubuntu-latest
            needs: make
            steps:
              - run: mkdir out && echo z > out/z.txt
              - id: dup
                uses: actions/upload-artifact@v4
                continue-on-error: true
                with: {name: part-1, path: out/z.txt}
              - uses: actions/upload-artifact@v4
                with: {name: part-2, path: out/z.txt, overwrite: true}
              - uses: actions/upload-artifact@v4
                with: {name: none, path: nothing/*.bin, if-no-files-found: error}
                continue-on-error: true
          use:
            runs-on: ubuntu-latest
            needs: again
            steps:
              - uses: actions/download-artifact@v4
                with: {pattern: part-*, path: all}
              - uses: actions/download-artifact@v4
                with: {pattern: part-*, path: merged, merge-multiple: true}
              - id: one
                uses: actions/download-artifact@v4
                with: {name: part-1}
              - run: |
                  find all merged -type f | sort | tr '\\n' ' '; echo
                  cat sub/n1.txt
              - uses: actions/download-artifact@v4
                with: {name: missing}
        """})
    out = run_repo(repo)
    again = out.annotations("again")
    assert any("(409) Conflict" in note for note in again)
    assert any("No files were found with the provided path: nothing/*.bin" in note
               for note in again)
    logs = out.logs("use")
    assert ("all/part-1/sub/n1.txt all/part-2/z.txt merged/sub/n1.txt merged/z.txt "
            in logs)
    assert "1" in logs
    assert any("Artifact not found for name: missing" in n for n in out.annotations("use"))
