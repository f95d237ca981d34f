"""A job's run steps share one built environment while its layers stay the same: each
step still gets its own GITHUB_ACTION, and any change of a layer is seen by the next step."""

from __future__ import annotations

from pathlib import Path

from run_helpers import make_repo, run_repo


def test_each_step_sees_its_action_name_and_every_layer_change(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": """
        on: push
        env: {W: wf}
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - run: echo "1 $GITHUB_ACTION W=$W X=${X-unset}"
              - run: echo "2 $GITHUB_ACTION" && echo "X=from-env-file" >> "$GITHUB_ENV"
              - id: named
                run: echo "3 $GITHUB_ACTION X=$X"
              - env: {X: step, GITHUB_ACTION: mine}
                run: echo "4 $GITHUB_ACTION X=$X"
              - run: |
                  echo "5 $GITHUB_ACTION X=$X"
                  mkdir -p "$RUNNER_TEMP/bin" && echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
              - run: echo "6 $GITHUB_ACTION ${PATH%%:*}" | sed "s|$RUNNER_TEMP|TEMP|"
              - run: echo "X=again" >> "$GITHUB_ENV"
              - run: echo "8 X=$X W=$W"
        """})
    out = run_repo(repo)
    assert out.record.result == "success"
    logs = out.logs("j")
    assert "1 __run W=wf X=unset" in logs
    assert "2 __run_2" in logs
    assert "3 named X=from-env-file" in logs
    assert "4 __run_3 X=step" in logs  # GITHUB_ACTION is the runner's, whatever env says
    assert "5 __run_4 X=from-env-file" in logs
    assert "6 __run_5 TEMP/bin" in logs
    assert "8 X=again W=wf" in logs
