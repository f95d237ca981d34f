"""Reusable workflows run for real: typed inputs and defaults, secrets (mapped and
inherit), outputs through on.workflow_call.outputs, caller matrix, nesting, errors."""

from __future__ import annotations

from pathlib import Path

from run_helpers import make_repo, run_repo

CALLEE = """
on:
  workflow_call:
    inputs:
      size: {type: number, required: true}
      flag: {type: boolean}
      word: {type: string, default: "w-${{ github.event_name }}"}
    secrets:
      token: {required: true}
    outputs:
      made: {value: "${{ jobs.build.outputs.thing }}"}
      status: {value: "${{ jobs.build.result }}"}
jobs:
  build:
    name: Build it
    runs-on: ubuntu-latest
    outputs:
      thing: ${{ steps.s.outputs.thing }}
    steps:
      - id: s
        run: |
          echo "size=${{ inputs.size }} flag=${{ inputs.flag }} word=${{ inputs.word }}"
          echo "secret-len=${#TOKEN} token=$TOKEN other=${{ secrets.OTHER }}"
          echo "thing=made-${{ inputs.size }}" >> "$GITHUB_OUTPUT"
        env:
          TOKEN: ${{ secrets.token }}
  after:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo "after sees ${{ needs.build.outputs.thing }}"
"""


def test_call_inputs_secrets_outputs_and_json_shape(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          call:
            uses: ./.github/workflows/lib.yml
            with: {size: 3}
            secrets: {token: "${{ secrets.MINE }}"}
          use:
            needs: call
            runs-on: ubuntu-latest
            steps:
              - env:
                  MADE: ${{ needs.call.outputs.made }}
                  STATUS: ${{ needs.call.outputs.status }}
                run: echo "caller got $MADE $STATUS"
        """, "lib.yml": CALLEE})
    out = run_repo(repo, secrets={"MINE": "s3cret", "OTHER": "nope"})
    assert out.record.result == "success", [j["result"] for j in out.record.to_json()["jobs"]]
    jobs = {job["key"]: job for job in out.record.to_json()["jobs"]}
    assert jobs["call"]["outputs"] == {"made": "made-3", "status": "success"}
    assert jobs["call"]["result"] == "success"
    assert jobs["call.build"]["name"] == "call / Build it"
    logs = out.logs("call.build")
    assert "size=3 flag=false word=w-push" in logs
    assert "secret-len=6 token=*** other=" in logs  # only the mapped secret reaches it
    assert "after sees made-3" in out.logs("call.after")
    assert "caller got made-3 success" in out.logs("use")


def test_inherit_matrix_and_nesting(tmp_path: Path) -> None:
    inner = """
        on:
          workflow_call:
            inputs: {n: {type: string}}
            outputs: {seen: {value: "${{ jobs.leaf.outputs.seen }}"}}
        jobs:
          leaf:
            runs-on: ubuntu-latest
            outputs: {seen: "${{ steps.x.outputs.seen }}"}
            steps:
              - id: x
                run: echo "seen=${{ inputs.n }}-${{ secrets.KEY != '' }}" >> "$GITHUB_OUTPUT"
    """
    middle = """
        on:
          workflow_call:
            inputs: {n: {type: string}}
        jobs:
          mid:
            uses: ./.github/workflows/inner.yml
            with: {n: "${{ inputs.n }}"}
            secrets: inherit
    """
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          fan:
            strategy:
              matrix: {n: [a, b]}
            uses: ./.github/workflows/middle.yml
            with: {n: "${{ matrix.n }}"}
            secrets: inherit
        """, "middle.yml": middle, "inner.yml": inner})
    out = run_repo(repo, secrets={"KEY": "k"})
    assert out.record.result == "success"
    keys = sorted(job["key"] for job in out.record.to_json()["jobs"])
    assert keys == ["fan-1", "fan-1.mid", "fan-1.mid.leaf", "fan-2", "fan-2.mid",
                    "fan-2.mid.leaf"]
    leaf = out.job("fan-2.mid.leaf")
    assert leaf["name"] == "fan (b) / mid / leaf"
    assert leaf["outputs"] == {"seen": "b-true"}


def test_call_errors_fail_the_caller_with_a_location(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          missing:
            uses: ./.github/workflows/nope.yml
          unknown:
            uses: ./.github/workflows/lib.yml
            with: {size: 1, bogus: 2}
          required:
            uses: ./.github/workflows/lib.yml
            secrets: {token: x}
          notcallable:
            uses: ./.github/workflows/plain.yml
          remote:
            uses: octo/repo/.github/workflows/x.yml@v1
        """, "lib.yml": CALLEE, "plain.yml": "on: workflow_dispatch\njobs:\n  j:\n    runs-on: x\n"
                                              "    steps:\n      - run: echo\n"})
    out = run_repo(repo)
    assert out.record.result == "failure"
    messages = {e.key: e.message for e in out.events
                if type(e).__name__ == "JobFinished"}  # type: ignore[attr-defined]
    assert "ci.yml:5:11:" in messages["missing"] and "was not found" in messages["missing"]
    assert "Invalid input, bogus is not defined" in messages["unknown"]
    assert "Input size is required, but not provided" in messages["required"]
    assert "is not a reusable workflow" in messages["notcallable"]
    assert "in another repository" in messages["remote"]


def test_nesting_limit(tmp_path: Path) -> None:
    loop = """
        on: {workflow_call: {}, push: {}}
        jobs:
          again:
            uses: ./.github/workflows/loop.yml
    """
    repo = make_repo(tmp_path / "r", {"loop.yml": loop})
    out = run_repo(repo)
    assert out.record.result == "failure"
    keys = [job["key"] for job in out.record.to_json()["jobs"]]
    # one call job in each of the ten workflows allowed (the top level and nine called
    # ones); the tenth one's call would be an eleventh level and fails
    assert len(keys) == 10
    deepest = out.job(keys[-1])
    assert deepest["result"] == "failure"
    messages = [e.message for e in out.events if type(e).__name__ == "JobFinished"]
    assert any("nested more than 10 levels" in (m or "") for m in messages)
