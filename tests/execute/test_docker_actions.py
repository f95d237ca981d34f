"""Docker container actions (``docker://`` steps and ``runs.using: docker``) on a real
Docker daemon, with images made on this machine: nothing is pulled."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from containers_support import box_image, docker_ready, leftovers
from qmoi.events import LogLine, StepStarted
from run_helpers import Outcome, make_repo, run_repo

needs_docker = pytest.mark.skipif(not docker_ready(),
                                  reason="needs a running Docker daemon and Debian's "
                                         "busybox-static (.ci/run installs and starts them)")


def _steps(out: Outcome) -> list[dict[str, object]]:
    return out.job("j")["steps"]  # type: ignore[return-value]


@needs_docker
def test_a_docker_image_step_runs_with_the_runners_folders(tmp_path: Path) -> None:
    script = ('echo "ws=$GITHUB_WORKSPACE home=$HOME who=$INPUT_WHO pwd=$(pwd)"; '
              'echo "file=$(cat data.txt) event=$(grep -c after $GITHUB_EVENT_PATH)"; '
              'echo "said=yes" >> "$GITHUB_OUTPUT"; echo "FOO=from-action" >> "$GITHUB_ENV"; '
              'echo "host=${QMOI_HOST_ONLY:-absent}"')
    quoted = script.replace('"', '\\"')  # a .NET command line: backslash-quote is a quote
    repo = make_repo(tmp_path / "r", {"ci.yml": f"""
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - id: d
                uses: docker://{box_image()}
                with:
                  who: box
                  args: sh -c "{quoted}"
              - run: echo "said=${{{{ steps.d.outputs.said }}}} foo=$FOO"
        """}, files={"data.txt": "from-the-repo"})
    out = run_repo(repo)
    assert out.record.result == "success", out.annotations("j")
    logs = out.logs("j")
    assert "ws=/github/workspace home=/github/home who=box pwd=/github/workspace" in logs
    assert "file=from-the-repo event=1" in logs and "host=absent" in logs
    assert "said=yes foo=from-action" in logs
    assert leftovers(f"qmoi.job={out.record.run_id}")[0] == []


@needs_docker
def test_a_dockerfile_action_is_built_and_runs_its_parts(tmp_path: Path) -> None:
    action = """
        name: greet
        inputs:
          who: {default: world}
        runs:
          using: docker
          image: Dockerfile
          args: ["hello-${{ inputs.who }}"]
          env:
            FROM_RUNS: runs-env
          post-entrypoint: /bin/echo
        """
    dockerfile = f"""
        FROM {box_image()}
        COPY entry.sh /entry.sh
        ENTRYPOINT ["sh", "/entry.sh"]
        """
    entry = 'echo "main $1 env=$FROM_RUNS in=$(pwd)"\n'
    repo = make_repo(tmp_path / "r", {"ci.yml": f"""
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            container: {box_image()}
            steps:
              - name: greet
                uses: ./.github/actions/greet
                with:
                  who: box
        """}, files={".github/actions/greet/action.yml": textwrap.dedent(action),
                     ".github/actions/greet/Dockerfile": textwrap.dedent(dockerfile),
                     ".github/actions/greet/entry.sh": entry})
    out = run_repo(repo)
    assert out.record.result == "success", out.annotations("j")
    logs = out.logs("j")
    assert "main hello-box env=runs-env in=/github/workspace" in logs
    assert "hello-box" in logs  # the post part: /bin/echo with the same arguments
    names = [s["name"] for s in _steps(out)]
    assert "Post greet" in names
    # The build's lines are the action's parts', not the job container's set-up part.
    parts = {e.index for e in out.events
             if isinstance(e, StepStarted) and e.name in ("greet", "Post greet")}
    built = {e.index for e in out.events
             if isinstance(e, LogLine) and e.text.startswith("Dockerfile for action")}
    assert built == parts and len(parts) == 2


@needs_docker
def test_a_failing_container_fails_the_step(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": f"""
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - uses: docker://{box_image()}
                with:
                  entrypoint: sh
                  args: -c "exit 4"
        """})
    out = run_repo(repo)
    assert [s["outcome"] for s in _steps(out)] == ["failure"]
    assert any("failed with exit code 4" in note for note in out.annotations("j"))


@needs_docker
def test_a_folder_with_only_a_dockerfile_is_a_docker_action(tmp_path: Path) -> None:
    dockerfile = f'FROM {box_image()}\nENTRYPOINT ["echo", "raw-dockerfile"]\n'
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - uses: ./raw
        """}, files={"raw/Dockerfile": dockerfile})
    out = run_repo(repo)
    assert out.record.result == "success", out.annotations("j")
    assert "raw-dockerfile" in out.logs("j")


@needs_docker
def test_a_timed_out_container_action_leaves_no_container(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": f"""
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - timeout-minutes: 0.02
                uses: docker://{box_image()}
                with:
                  entrypoint: sh
                  args: -c "trap '' INT TERM; sleep 60"
        """})
    out = run_repo(repo)
    assert [s["outcome"] for s in _steps(out)] == ["failure"]
    assert any("timed out" in note for note in out.annotations("j"))
    assert leftovers(f"qmoi.job={out.record.run_id}")[0] == []
