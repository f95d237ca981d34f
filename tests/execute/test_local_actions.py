"""Local actions run for real: composite (inputs, defaults, outputs, env, nesting, if,
grouped logs, shell required) and node actions (INPUT_*, pre/post, STATE_*)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from run_helpers import make_repo, run_repo

COMPOSITE = """
name: greet
inputs:
  who: {description: who, required: true}
  Greeting: {description: word, default: "hello ${{ github.event_name }}"}
outputs:
  said: {description: text, value: "${{ steps.say.outputs.text }}"}
runs:
  using: composite
  steps:
    - id: say
      shell: bash
      run: |
        echo "text=${{ inputs.greeting }} ${{ inputs.who }}" >> "$GITHUB_OUTPUT"
        same=$([ "$GITHUB_ACTION_PATH" = "${{ github.action_path }}" ] && echo y)
        echo "outer=$OUTER path-ok=$same"
        echo "no-input-env=${INPUT_WHO:-unset}"
    - if: failure()
      shell: bash
      run: echo never
    - shell: bash
      env: {INNER: in}
      run: echo "inner=$INNER sees ${{ steps.say.outputs.text }}"
"""


def test_composite_inputs_defaults_outputs_env_and_groups(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - id: g
                uses: ./.github/actions/greet
                env: {OUTER: out}
                with: {who: world}
              - run: echo "got ${{ steps.g.outputs.said }}"
        """}, {".github/actions/greet/action.yml": COMPOSITE})
    out = run_repo(repo)
    assert out.record.result == "success", out.annotations("j")
    logs = out.logs("j")
    assert "got hello push world" in logs
    assert "outer=out path-ok=y" in logs
    assert "no-input-env=unset" in logs
    assert "inner=in sees hello push world" in logs
    assert "never" not in logs
    groups = [e.text for e in out.events if getattr(e, "style", "") == "group"]
    assert groups[0].startswith("Run echo \"text=")
    steps = out.job("j")["steps"]
    assert steps[0]["outputs"] == {"said": "hello push world"}  # type: ignore[index]


def test_nested_composite_failure_and_status_functions(tmp_path: Path) -> None:
    inner = """
        name: inner
        runs:
          using: composite
          steps:
            - shell: bash
              run: exit 3
            - if: failure()
              shell: bash
              run: echo "inner saw failure"
    """
    outer = """
        name: outer
        runs:
          using: composite
          steps:
            - uses: ./inner
            - if: always()
              shell: bash
              run: echo "outer status ${{ github.action_status }}"
    """
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - id: o
                uses: ./outer
                continue-on-error: true
              - run: echo "after ${{ steps.o.outcome }} ${{ steps.o.conclusion }}"
        """}, {"inner/action.yml": inner, "outer/action.yml": outer})
    out = run_repo(repo)
    logs = out.logs("j")
    assert "inner saw failure" in logs
    assert "outer status failure" in logs
    assert "after failure success" in logs
    assert out.record.result == "success"


def test_composite_run_step_without_shell_is_a_located_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - uses: ./bad
        """}, {"bad/action.yml": "runs:\n  using: composite\n  steps:\n    - run: echo x\n"})
    out = run_repo(repo)
    assert out.record.result == "failure"
    [message] = out.annotations("j")
    assert "bad (action.yml):4:7: Required property is missing: shell" in message


def test_missing_local_action_and_docker_action_fail_clearly(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.setenv("QMOI_CONTAINER_ENGINE", "none")  # as on a machine without one
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - uses: ./nothing-here
              - if: always()
                uses: ./boxed
              - if: always()
                uses: docker://alpine:3
        """}, {"boxed/action.yml": "runs:\n  using: docker\n  image: Dockerfile\n"})
    out = run_repo(repo)
    notes = out.annotations("j")
    assert "Did you forget to run actions/checkout" in notes[0]
    assert "needs Docker or Podman" in notes[1] and "./boxed" in notes[1]
    assert "needs Docker or Podman" in notes[2]


NODE_ACTION = """
name: js
inputs:
  num-octocats: {default: "1"}
  who am i: {required: false}
runs:
  using: node20
  main: main.js
  post: post.js
  post-if: success()
"""
MAIN_JS = """
const fs = require('fs');
console.log(`octocats=${process.env['INPUT_NUM-OCTOCATS']} who=${process.env['INPUT_WHO_AM_I']}`);
fs.appendFileSync(process.env.GITHUB_STATE, 'saved=from-main\\n');
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'out=js\\n');
console.log('::warning::careful');
"""
POST_JS = "console.log(`post sees ${process.env.STATE_saved}`);\n"


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_node_action_inputs_state_and_post(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - id: js
                uses: ./js
                with: {who am i: me, extra: 1}
              - run: echo "out=${{ steps.js.outputs.out }}"
        """}, {"js/action.yml": NODE_ACTION, "js/main.js": MAIN_JS, "js/post.js": POST_JS})
    out = run_repo(repo)
    assert out.record.result == "success", out.annotations("j")
    logs = out.logs("j")
    assert "octocats=1 who=me" in logs
    assert "out=js" in logs
    assert logs[-1] == "post sees from-main"
    notes = out.annotations("j")
    assert "careful" in notes
    assert any(n.startswith("Unexpected input(s) 'extra'") for n in notes)
    names = [s["name"] for s in out.job("j")["steps"]]  # type: ignore[index]
    assert names[-1] == "Post Run ./js"


def test_node_action_without_node_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - uses: ./js
        """}, {"js/action.yml": "runs:\n  using: node24\n  main: m.js\n", "js/m.js": ""})
    empty = tmp_path / "bin"
    empty.mkdir()
    for tool in ("bash", "git", "sh"):
        found = shutil.which(tool)
        assert found is not None
        (empty / tool).symlink_to(found)
    monkeypatch.setenv("PATH", str(empty))
    out = run_repo(repo)
    [message] = out.annotations("j")
    assert "needs Node.js, but no 'node' was found on PATH" in message
    assert "node24" in message
