"""Jobs run for real on the host (real git worktrees, real bash): env precedence, outputs,
environment files, workflow commands, masking, continue-on-error, conditions."""

from __future__ import annotations

from pathlib import Path

from run_helpers import git, make_repo, run_repo


def test_env_precedence_and_default_variables(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        env: {A: wf, B: wf, C: wf, D: wf, GITHUB_SHA: mine}
        jobs:
          j:
            runs-on: ubuntu-latest
            env: {B: job, C: job, D: job}
            steps:
              - run: echo "C=from-file" >> "$GITHUB_ENV"
              - env: {D: step}
                run: |
                  echo "A=$A B=$B C=$C D=$D"
                  echo "ctx=${{ env.C }}"
                  test "$GITHUB_SHA" = "$(git rev-parse HEAD)" && echo sha-ok
                  test "$CI" = true && test "$GITHUB_ACTIONS" = true && echo ci-ok
                  test "$GITHUB_WORKSPACE" = "$PWD" && echo ws-ok
                  test -d "$RUNNER_TEMP" && echo temp-ok
                  test -f README.md && echo files-ok
        """}, {"README.md": "hi\n"})
    out = run_repo(repo)
    assert out.record.result == "success"
    logs = out.logs("j")
    assert "A=wf B=job C=from-file D=step" in logs
    assert "ctx=from-file" in logs
    for marker in ("sha-ok", "ci-ok", "ws-ok", "temp-ok", "files-ok"):
        assert marker in logs


def test_outputs_between_steps_and_jobs_with_heredoc(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          make:
            runs-on: ubuntu-latest
            outputs:
              one: ${{ steps.s.outputs.one }}
              many: ${{ steps.s.outputs.many }}
              empty: ${{ steps.s.outputs.missing }}
            steps:
              - id: s
                run: |
                  echo "one=1" >> "$GITHUB_OUTPUT"
                  { echo "many<<EOF"; echo "line a"; echo "line b"; echo "EOF"; } \
                    >> "$GITHUB_OUTPUT"
              - run: echo "step sees ${{ steps.s.outputs.one }}"
          use:
            needs: make
            runs-on: ubuntu-latest
            steps:
              - run: |
                  echo "got ${{ needs.make.outputs.one }}"
                  echo "${{ needs.make.outputs.many }}" | wc -l
        """})
    out = run_repo(repo)
    make = out.job("make")
    assert make["outputs"] == {"one": "1", "many": "line a\nline b"}
    steps = make["steps"]
    assert steps[0]["outputs"] == {"one": "1", "many": "line a\nline b"}  # type: ignore[index]
    assert "step sees 1" in out.logs("make")
    assert "got 1" in out.logs("use")
    assert "2" in [line.strip() for line in out.logs("use")]


def test_github_path_prepends_for_later_steps(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  mkdir -p "$RUNNER_TEMP/bin"
                  printf '#!/bin/sh\\necho from-tool\\n' > "$RUNNER_TEMP/bin/mytool"
                  chmod +x "$RUNNER_TEMP/bin/mytool"
                  echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
              - run: mytool
        """})
    out = run_repo(repo)
    assert out.record.result == "success"
    assert "from-tool" in out.logs("j")


def test_secrets_are_masked_including_each_line_and_add_mask(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            outputs:
              leak: ${{ steps.s.outputs.leak }}
              fine: ${{ steps.s.outputs.fine }}
            steps:
              - id: s
                env:
                  TOKEN: ${{ secrets.TOKEN }}
                  KEY: ${{ secrets.KEY }}
                run: |
                  echo "token is $TOKEN"
                  echo "$KEY"
                  echo "::add-mask::runtime-value"
                  echo "and runtime-value here"
                  echo "leak=$TOKEN" >> "$GITHUB_OUTPUT"
                  echo "fine=ok" >> "$GITHUB_OUTPUT"
        """})
    out = run_repo(repo, secrets={"TOKEN": "s3cr3t-tok", "KEY": "first-line\nsecond-line"})
    logs = out.logs("j")
    assert "token is ***" in logs
    assert logs.count("***") >= 2  # each line of the multi-line secret
    assert "and *** here" in logs
    joined = "\n".join(logs)
    assert "s3cr3t" not in joined and "first-line" not in joined and "runtime-value" not in joined
    job = out.job("j")
    assert job["outputs"] == {"fine": "ok"}  # a value holding a secret is dropped
    assert any("may contain secret" in a for a in out.annotations("j"))
    saved = "\n".join(p.read_text() for p in (repo / ".qmoi").rglob("*.log"))
    assert "s3cr3t" not in saved and "second-line" not in saved


def test_continue_on_error_gives_outcome_and_conclusion(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - id: bad
                continue-on-error: true
                run: exit 3
              - id: next
                run: echo "outcome=${{ steps.bad.outcome }} conclusion=${{ steps.bad.conclusion }}"
        """})
    out = run_repo(repo)
    assert out.record.result == "success"
    steps = out.job("j")["steps"]
    assert steps[0]["outcome"] == "failure" and steps[0]["conclusion"] == "success"  # type: ignore[index]
    assert "outcome=failure conclusion=success" in out.logs("j")
    assert "Process completed with exit code 3." in out.annotations("j")


def test_step_if_status_functions_after_a_failure(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - run: "false"
              - id: skipped
                run: echo never
              - if: failure()
                run: echo on-failure
              - if: always()
                run: echo always
              - if: success()
                run: echo never-either
        """})
    out = run_repo(repo)
    assert out.record.result == "failure"
    assert out.job("j")["result"] == "failure"
    logs = out.logs("j")
    assert "on-failure" in logs and "always" in logs
    assert "never" not in logs and "never-either" not in logs
    outcomes = [s["outcome"] for s in out.job("j")["steps"]]  # type: ignore[attr-defined]
    assert outcomes == ["failure", "skipped", "success", "success", "skipped"]


def test_workflow_commands_deprecated_and_disabled(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - id: old
                run: |
                  echo "::set-output name=v::legacy"
                  echo "::error file=a.py,line=3::broken"
                  echo "::stop-commands::pausetoken1"
                  echo "::warning::not a command now"
                  echo "::pausetoken1::"
                  echo "::notice::back"
              - if: always()
                run: echo "::set-env name=X::y"
        """})
    out = run_repo(repo)
    old = out.job("j")["steps"][0]  # type: ignore[index]
    assert old["outputs"] == {"v": "legacy"}
    notes = out.annotations("j")
    assert any("set-output` command is deprecated" in n for n in notes)
    assert "broken" in notes and "back" in notes
    assert "::warning::not a command now" in out.logs("j")
    assert any("set-env` command is disabled" in n for n in notes)
    assert out.job("j")["steps"][1]["outcome"] == "failure"  # type: ignore[index]


def test_step_summary_and_working_directory(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        defaults:
          run:
            working-directory: sub
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  basename "$PWD"
                  echo "# Title" >> "$GITHUB_STEP_SUMMARY"
              - working-directory: .
                run: test -d sub && echo at-root
        """}, {"sub/file.txt": "x"})
    out = run_repo(repo)
    assert out.record.result == "success"
    assert out.logs("j")[:1] == ["sub"] and "at-root" in out.logs("j")
    summaries = list((repo / ".qmoi" / "runs").rglob("summaries/j/*.md"))
    assert [p.read_text() for p in summaries] == ["# Title\n"]


def test_uses_steps_fail_clearly(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          uses:
            runs-on: ubuntu-latest
            steps:
              - uses: some/action@v1
        """})
    out = run_repo(repo)
    assert out.record.result == "failure"
    assert ("action some/action@v1 is not in the action cache; fetch it once while online "
            "with: qmoi actions pull some/action@v1") in out.annotations("uses")


def test_matrix_legs_get_their_own_checkouts_in_parallel(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        jobs:
          leg:
            runs-on: ubuntu-latest
            strategy:
              matrix: {n: [1, 2, 3, 4, 5, 6, 7, 8]}
            steps:
              - run: |
                  test "$(git rev-parse HEAD)" = "$GITHUB_SHA"
                  test ! -e mine && echo "${{ matrix.n }}" > mine
        """})
    out = run_repo(repo, capacity=8)
    assert out.record.result == "success"
    assert len(out.record.jobs) == 8
    # every job's worktree was removed again
    assert len(git(repo, "worktree", "list").splitlines()) == 1
