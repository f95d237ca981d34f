"""Where QMOI keeps its state, and that git never sees it as untracked."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from qmoi.discover import qmoi_home


def untracked(repo: Path) -> list[str]:
    done = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=repo,
                          capture_output=True, text=True, check=True)
    return [line[3:] for line in done.stdout.splitlines() if line.startswith("??")]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    return tmp_path


def test_the_default_home_is_in_the_repository_and_hidden_from_git(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QMOI_HOME", raising=False)
    home = qmoi_home(repo)
    assert home == repo / ".qmoi" and home.is_dir()
    (home / "state.db").write_text("x", encoding="utf-8")
    assert untracked(repo) == []
    qmoi_home(repo)  # a second call adds no second line
    exclude = (repo / ".git" / "info" / "exclude").read_text(encoding="utf-8")
    assert exclude.splitlines().count(".qmoi/") == 1


def test_a_home_set_inside_the_repository_is_hidden_too(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMOI_HOME", str(repo / "var" / "qmoi"))
    home = qmoi_home(repo)
    assert home is not None and home.is_dir()
    (home / "state.db").write_text("x", encoding="utf-8")
    (repo / "sub" / "var" / "qmoi").mkdir(parents=True)  # same name deeper: still visible
    (repo / "sub" / "var" / "qmoi" / "kept.txt").write_text("x", encoding="utf-8")
    assert untracked(repo) == ["sub/var/qmoi/kept.txt"]


def test_a_home_outside_the_repository_leaves_its_exclude_file_alone(
        repo: Path, tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.setenv("QMOI_HOME", str(elsewhere / "home"))
    assert qmoi_home(repo) == elsewhere / "home"
    exclude = repo / ".git" / "info" / "exclude"
    assert not exclude.exists() or "home" not in exclude.read_text(encoding="utf-8")
