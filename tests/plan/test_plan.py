"""Planning: which workflows an event triggers, the needs graph, matrix legs, events from
git and from files, dispatch inputs, dotenv files, and the list/graph pictures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qmoi.errors import InputError, UsageError
from qmoi.plan import (
    RunInfo,
    build_plan,
    load_event,
    load_workflows,
    synthesise_event,
)
from qmoi.plan.dotenv import parse_dotenv
from qmoi.plan.show import draw_graph, list_jobs
from run_helpers import commit, git, make_repo

RUN = RunInfo("1")


def _plan(repo: Path, event: str = "push", **kwargs: object) -> object:
    loaded = load_workflows([], repo, repo)
    return build_plan(loaded, synthesise_event(repo, event), RUN, **kwargs)  # type: ignore[arg-type]


def _names(plan: object) -> list[str]:
    return [w.repo_path.rsplit("/", 1)[-1] for w in plan.workflows]  # type: ignore[attr-defined]


JOB = "jobs:\n  j: {runs-on: x, steps: [{run: echo}]}\n"


def test_branch_tag_and_path_filters_decide_what_triggers(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {
        "main-only.yml": "on: {push: {branches: [main]}}\n" + JOB,
        "release.yml": "on: {push: {branches: ['releases/**']}}\n" + JOB,
        "tags-only.yml": "on: {push: {tags: ['v*']}}\n" + JOB,
        "docs.yml": "on: {push: {paths: ['docs/**']}}\n" + JOB,
        "not-docs.yml": "on: {push: {paths-ignore: ['docs/**']}}\n" + JOB,
        "pr.yml": "on: pull_request\n" + JOB,
    }, {"src/app.py": "x"})
    (repo / "docs").mkdir()
    (repo / "docs" / "index.md").write_text("doc")
    commit(repo, "docs only")
    assert sorted(_names(_plan(repo))) == ["docs.yml", "main-only.yml"]
    (repo / "src" / "app.py").write_text("y")
    commit(repo, "code")
    assert sorted(_names(_plan(repo))) == ["main-only.yml", "not-docs.yml"]
    git(repo, "checkout", "-q", "-b", "releases/1")
    assert sorted(_names(_plan(repo))) == ["not-docs.yml", "release.yml"]


def test_pull_request_default_activity_types_and_base_branch(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {
        "pr.yml": "on: {pull_request: {branches: [main]}}\n" + JOB,
        "closed.yml": "on: {pull_request: {types: [closed]}}\n" + JOB,
        "other-base.yml": "on: {pull_request: {branches: [develop]}}\n" + JOB,
    })
    git(repo, "checkout", "-q", "-b", "feature")
    plan = _plan(repo, "pull_request")
    assert _names(plan) == ["pr.yml"]
    assert plan.event.ref == "refs/pull/1/merge"  # type: ignore[attr-defined]
    assert plan.event.head_ref == "feature" and plan.event.base_ref == "main"  # type: ignore[attr-defined]


def test_matrix_legs_names_and_filter(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          build:
            name: Build
            runs-on: ${{ matrix.os }}
            strategy:
              fail-fast: false
              max-parallel: 2
              matrix:
                python: ['3.11', '3.12']
                os: [ubuntu-latest, macos-latest]
                exclude: [{python: '3.11', os: macos-latest}]
                include: [{python: '3.13', os: ubuntu-latest, experimental: true}]
            steps: [{run: echo}]
          named:
            name: "Test on ${{ matrix.v }}"
            runs-on: x
            strategy: {matrix: {v: [a, b]}}
            steps: [{run: echo}]
        """})
    plan = _plan(repo)
    build, named = plan.workflows[0].jobs  # type: ignore[attr-defined]
    assert [leg.name for leg in build.legs] == [
        "Build (3.11, ubuntu-latest)", "Build (3.12, ubuntu-latest)",
        "Build (3.12, macos-latest)", "Build (3.13, ubuntu-latest, true)"]
    assert build.fail_fast is False and build.max_parallel == 2
    assert [leg.name for leg in named.legs] == ["Test on a", "Test on b"]
    only = _plan(repo, matrix=[("os", "macos-latest")]).workflows[0].jobs[0]  # type: ignore[attr-defined]
    assert [leg.matrix for leg in only.legs] == [{"python": "3.12", "os": "macos-latest"}]


def test_matrix_from_json_is_evaluated_or_deferred(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          a:
            runs-on: x
            strategy: {matrix: "${{ fromJSON(vars.M) }}"}
            steps: [{run: echo}]
          b:
            needs: a
            runs-on: x
            strategy: {matrix: {n: "${{ fromJSON(needs.a.outputs.n) }}"}}
            steps: [{run: echo}]
        """})
    loaded = load_workflows([], repo, repo)
    plan = build_plan(loaded, synthesise_event(repo, "push"), RUN, {"M": '{"k": [1, 2]}'})
    a, b = plan.workflows[0].jobs
    assert [leg.matrix for leg in a.legs or ()] == [{"k": 1}, {"k": 2}]
    assert b.legs is None and b.is_matrix


def test_needs_unknown_and_cycles_are_located_errors(tmp_path: Path) -> None:
    unknown = make_repo(tmp_path / "u", {"ci.yml": """
        on: push
        jobs:
          a: {runs-on: x, needs: nope, steps: [{run: echo}]}
        """})
    with pytest.raises(Exception) as caught:
        _plan(unknown)
    assert "nope" in str(caught.value) and "ci.yml:4:" in str(caught.value)
    cycle = make_repo(tmp_path / "c", {"ci.yml": """
        on: push
        jobs:
          a: {runs-on: x, needs: b, steps: [{run: echo}]}
          b: {runs-on: x, needs: a, steps: [{run: echo}]}
        """})
    with pytest.raises(Exception) as caught:
        _plan(cycle)
    assert "cycle" in str(caught.value)


def test_job_selection_keeps_what_the_job_needs(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          a: {runs-on: x, steps: [{run: echo}]}
          b: {runs-on: x, needs: a, steps: [{run: echo}]}
          c: {runs-on: x, steps: [{run: echo}]}
        """})
    plan = _plan(repo, jobs=["b"])
    assert [j.job_id for j in plan.workflows[0].jobs] == ["a", "b"]  # type: ignore[attr-defined]
    with pytest.raises(UsageError):
        _plan(repo, jobs=["zzz"])


def test_push_event_is_synthesised_from_git(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": "on: push\n" + JOB})
    first = git(repo, "rev-parse", "HEAD")
    (repo / "f.txt").write_text("x")
    commit(repo, "second commit")
    git(repo, "remote", "add", "origin", "git@github.com:octo/hello-world.git")
    event = synthesise_event(repo, "push")
    payload = event.payload
    assert event.ref == "refs/heads/main" and event.sha == git(repo, "rev-parse", "HEAD")
    assert payload["before"] == first and payload["after"] == event.sha
    assert payload["head_commit"]["message"] == "second commit"
    assert payload["commits"][0]["author"]["email"] == "tess@example.com"
    assert payload["repository"]["full_name"] == "octo/hello-world"
    assert event.changed_files == ("f.txt",)
    json.dumps(_plan(repo).to_json())  # type: ignore[attr-defined]


def test_event_file_and_dispatch_inputs(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on:
          workflow_dispatch:
            inputs:
              level: {type: choice, options: [a, b], default: a}
              dry: {type: boolean, default: true}
              count: {type: number, required: true}
        jobs:
          j: {runs-on: x, steps: [{run: echo}]}
        """})
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"inputs": {"count": "3"}, "ref": "main"}))
    loaded = load_workflows([], repo, repo)
    event = load_event(path, "workflow_dispatch", repo, {"dry": "false"})
    plan = build_plan(loaded, event, RUN)
    assert plan.workflows[0].inputs == {"level": "a", "dry": False, "count": 3.0}
    assert event.ref == "refs/heads/main"
    with pytest.raises(UsageError):
        build_plan(loaded, synthesise_event(repo, "workflow_dispatch"), RUN)
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(InputError):
        load_event(bad, "push", repo)


def test_dotenv_files() -> None:
    text = 'A=1\n# c\nexport B="two\\nlines"\nC=\'lit $x\'\nD=plain # note\nE="multi\nline"\n'
    assert parse_dotenv(text) == {"A": "1", "B": "two\nlines", "C": "lit $x", "D": "plain",
                                  "E": "multi\nline"}
    with pytest.raises(InputError):
        parse_dotenv("not a pair\n")


def test_list_and_graph_pictures(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        name: CI
        on: push
        jobs:
          build: {runs-on: x, strategy: {matrix: {v: [1, 2]}}, steps: [{run: echo}]}
          test: {runs-on: x, needs: build, steps: [{run: echo}]}
        """})
    plan = _plan(repo)
    rows = [line.split() for line in list_jobs(plan).splitlines()]  # type: ignore[arg-type]
    assert rows[1:] == [[".github/workflows/ci.yml", "build", "build", "-", "2"],
                        [".github/workflows/ci.yml", "test", "test", "build", "1"]]
    picture = draw_graph(plan)  # type: ignore[arg-type]
    assert "│ build ×2 │" in picture and "test ◀── needs build" in picture
    assert picture.index("build ×2") < picture.index("│ test │")


def _model(text: str) -> object:
    from qmoi.model import build_workflow
    from qmoi.parse import parse_yaml
    from qmoi.source import SourceFile

    source = SourceFile("w.yml", text)
    return build_workflow(parse_yaml(source).root, source)  # type: ignore[arg-type]


def test_graph_errors_name_the_place_even_without_the_checker() -> None:
    from qmoi.plan.graph import ordered, resolved_needs

    with pytest.raises(UsageError) as caught:
        resolved_needs(_model("jobs:\n  a: {needs: nope}\n"))  # type: ignore[arg-type]
    assert caught.value.location == "w.yml:2:14"
    cyclic = _model("jobs:\n  a: {needs: c}\n  b: {needs: a}\n  c: {needs: B}\n")
    with pytest.raises(UsageError) as caught:
        ordered(cyclic, resolved_needs(cyclic))  # type: ignore[arg-type]
    assert "a → c → b → a" in caught.value.message
    fine = _model("jobs:\n  z: {needs: [y]}\n  y: {}\n  x: {}\n")
    assert ordered(fine, resolved_needs(fine)) == ("y", "x", "z")  # type: ignore[arg-type]
