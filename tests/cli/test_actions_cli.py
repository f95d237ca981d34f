"""``qmoi actions pull|list`` against local bare repositories (``file://`` URLs through
``QMOI_ACTIONS_URL_TEMPLATE``), and a run that uses the pulled actions offline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qmoi.cli.actions import app
from run_helpers import git, make_repo, run_repo

GREET = """
name: greet
inputs:
  who: {default: you}
outputs:
  line: {value: "${{ steps.s.outputs.line }}"}
runs:
  using: composite
  steps:
    - id: s
      shell: bash
      run: |
        where=$(basename "$GITHUB_ACTION_PATH")
        echo "line=hello ${{ inputs.who }} from $where" >> "$GITHUB_OUTPUT"
        echo "repo=${{ github.action_repository }} ref=${{ github.action_ref }}"
"""
JS = """
runs:
  using: node20
  pre: pre.js
  main: main.js
  post: post.js
"""


@pytest.fixture()
def remote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A bare repository served as octo/greet: v1 tag, a branch and a js/ action."""
    work = make_repo(tmp_path / "src", {}, {
        "action.yml": GREET, "sub/action.yml": GREET.replace("greet", "sub"),
        "js/action.yml": JS, "js/pre.js": "console.log('pre ran')\n",
        "js/main.js": "console.log('main ran')\n", "js/post.js": "console.log('post ran')\n"})
    git(work, "tag", "v1")
    served = tmp_path / "served" / "octo"
    served.mkdir(parents=True)
    git(tmp_path, "clone", "-q", "--bare", str(work), str(served / "greet.git"))
    monkeypatch.setenv("QMOI_ACTIONS_URL_TEMPLATE",
                       (tmp_path / "served").as_uri() + "/{owner}/{repo}.git")
    monkeypatch.setenv("QMOI_ACTION_CACHE", str(tmp_path / "cache"))
    return work


def test_pull_list_and_refresh(remote: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    sha = git(remote, "rev-parse", "HEAD")
    done = runner.invoke(app, ["pull", "octo/greet@v1", f"octo/greet@{sha}"],
                         standalone_mode=False)
    assert done.return_value == 0, done.output
    assert f"octo/greet@v1 {sha[:12]}" in done.output
    assert (tmp_path / "cache" / "octo" / "greet" / "v1" / "action.yml").is_file()
    assert not (tmp_path / "cache" / "octo" / "greet" / "v1" / ".git").exists()
    listed = json.loads(runner.invoke(app, ["list", "--json"]).output)
    assert sorted(row["action"] for row in listed) == [f"octo/greet@{sha}", "octo/greet@v1"]
    assert {row["sha"] for row in listed} == {sha}


def test_pull_errors(remote: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["pull", "not-a-spec"], standalone_mode=False)
    assert "expected owner/repo@ref, got 'not-a-spec'" in str(bad.exception)
    missing = runner.invoke(app, ["pull", "octo/greet@no-such-ref", "octo/absent@v1"],
                            standalone_mode=False)
    assert missing.return_value == 1
    assert "has no branch, tag or commit named 'no-such-ref'" in missing.output
    assert "octo/absent@v1: cannot fetch" in missing.output


def test_run_uses_cached_actions_offline(remote: Path, tmp_path: Path) -> None:
    assert CliRunner().invoke(app, ["pull", "octo/greet@v1"]).exit_code == 0
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - id: a
                uses: octo/greet@v1
                with: {who: me}
              - id: b
                uses: Octo/Greet/sub@v1
              - run: echo "${{ steps.a.outputs.line }} / ${{ steps.b.outputs.line }}"
              - uses: octo/greet@v2
        """})
    out = run_repo(repo)
    logs = out.logs("j")
    assert "hello me from v1 / hello you from sub" in logs
    assert "repo=octo/greet ref=v1" in logs
    [missing] = out.annotations("j")
    assert missing == ("action octo/greet@v2 is not in the action cache; fetch it once while "
                       "online with: qmoi actions pull octo/greet@v2")


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_cached_node_action_runs_pre_main_post(remote: Path, tmp_path: Path) -> None:
    assert CliRunner().invoke(app, ["pull", "octo/greet@v1"]).exit_code == 0
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - run: echo first
              - uses: octo/greet/js@v1
        """})
    out = run_repo(repo)
    assert out.logs("j") == ["pre ran", "first", "main ran", "post ran"]
    names = [step["name"] for step in out.job("j")["steps"]]  # type: ignore[index]
    assert names == ["Pre Run octo/greet/js@v1", "Run echo first", "Run octo/greet/js@v1",
                     "Post Run octo/greet/js@v1"]
