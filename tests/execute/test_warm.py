"""A ``run`` step's shell started while the step before runs (qmoi.execute.warm): the step
sees exactly what a cold start shows it, and every change the step before makes (its
environment files, its folder, a killed shell) sends the step to a cold start."""

from __future__ import annotations

from pathlib import Path

import pytest

from qmoi.events import LogLine, LogLines
from qmoi.execute.warm import can_warm
from run_helpers import Outcome, make_repo, run_repo

# Everything a script can see of how its shell started, but its start time.
REPORT = r"""
  echo "underscore=$_"
  echo "opts=$- shellopts=$SHELLOPTS bashenv=${BASH_ENV-unset} seconds=$SECONDS"
  [ "$0" = "$RUNNER_TEMP/${0##*/}" ] && echo "zero=the script"
  [ -p /dev/stdin ] && echo "stdin=pipe"
  cat; echo "cat=$?"
  set -- /proc/$$/fd/*; echo "fds=${@##*/}"  # in this shell: a subshell's pipe races
  echo "pwd=$PWD"
  env | LC_ALL=C sort | grep -v '^GITHUB_ACTION='
  shopt | tr -s ' \t' ' '
  echo "start=$(cut -d' ' -f22 /proc/$$/stat)"
"""
NOW = "echo \"now=$(cut -d' ' -f22 /proc/self/stat)\""  # clock ticks since boot


def _workflow(steps: str) -> str:
    return f"""
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
{steps}
        """


def _step_lines(out: Outcome, index: int) -> list[str]:
    lines: list[str] = []
    for event in out.events:
        if isinstance(event, LogLines) and event.index == index:
            lines += event.texts
        elif isinstance(event, LogLine) and event.index == index and event.style == "out":
            lines.append(event.text)
    return lines


def _value(lines: list[str], name: str) -> str:
    return next(line.split("=", 1)[1] for line in lines if line.startswith(f"{name}="))


def _indent(script: str) -> str:
    return "\n".join("                  " + line for line in script.strip().splitlines())


def _steps(out: Outcome) -> list[dict[str, object]]:
    return out.job("j")["steps"]  # type: ignore[return-value]


@pytest.mark.parametrize("shell", ["", "shell: bash"])  # the runner's two bash templates
def test_a_warm_step_sees_what_a_cold_one_sees(tmp_path: Path, shell: str) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": _workflow(f"""
              - {shell or "name: cold"}
                run: |
{_indent(REPORT)}
              - run: |
                  sleep 1.05
                  {NOW}
              - {shell or "name: warm"}
                run: |
{_indent(REPORT)}
        """)})
    out = run_repo(repo)
    assert [s["outcome"] for s in _steps(out)] == ["success"] * 3
    cold, warm = _step_lines(out, 0), _step_lines(out, 2)
    # The third step's bash was running before the second step ended: it started warm.
    assert int(_value(warm, "start")) < int(_value(_step_lines(out, 1), "now")) - 10
    assert int(_value(cold, "start")) <= int(_value(warm, "start"))
    assert [line for line in warm if not line.startswith("start=")] == \
        [line for line in cold if not line.startswith("start=")]
    assert "stdin=pipe" in cold and "cat=0" in cold and "seconds=0" in warm[1]
    assert "bashenv=unset" in warm[1] and "zero=the script" in warm


def _started_after_previous(out: Outcome, index: int) -> bool:
    return int(_value(_step_lines(out, index), "start")) >= \
        int(_value(_step_lines(out, index - 1), "now"))


def test_a_step_that_changes_the_environment_gets_a_fresh_shell(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": _workflow(f"""
              - run: |
                  sleep 0.3
                  echo "FOO=from-env-file" >> "$GITHUB_ENV"
                  echo "/opt/added" >> "$GITHUB_PATH"
                  {NOW}
              - run: |
                  echo "foo=$FOO"
                  echo "first=${{PATH%%:*}}"
                  echo "start=$(cut -d' ' -f22 /proc/$$/stat)"
        """)})
    out = run_repo(repo)
    lines = _step_lines(out, 1)
    assert _value(lines, "foo") == "from-env-file"
    assert _value(lines, "first") == "/opt/added"
    assert _started_after_previous(out, 1)


def test_a_folder_made_again_gets_a_fresh_shell(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": _workflow(f"""
              - run: |
                  sleep 0.3
                  rm -rf sub && mkdir sub && touch sub/new
                  {NOW}
              - working-directory: sub
                run: |
                  echo "files=$(ls)"
                  echo "start=$(cut -d' ' -f22 /proc/$$/stat)"
        """)}, files={"sub/old": "x"})
    out = run_repo(repo)
    assert _value(_step_lines(out, 1), "files") == "new"
    assert _started_after_previous(out, 1)


def test_a_killed_warm_shell_is_replaced(tmp_path: Path) -> None:
    # The step before kills every other step shell of the job, the waiting one included.
    repo = make_repo(tmp_path / "r", {"ci.yml": _workflow(f"""
              - run: |
                  sleep 0.3
                  for pid in $(pgrep -f "$RUNNER_TEMP/.*[.]sh"); do
                    [ "$pid" = "$$" ] || kill -9 "$pid"
                  done
                  {NOW}
              - run: |
                  echo "ran=yes"
                  echo "start=$(cut -d' ' -f22 /proc/$$/stat)"
        """)})
    out = run_repo(repo)
    assert [s["outcome"] for s in _steps(out)] == ["success", "success"]
    assert _value(_step_lines(out, 1), "ran") == "yes"
    assert _started_after_previous(out, 1)


def test_the_timeout_of_a_warm_step_counts_from_its_turn(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": _workflow("""
              - run: sleep 1
              - timeout-minutes: 0.01
                run: sleep 0.2; echo in-time
        """)})
    out = run_repo(repo)
    assert [s["outcome"] for s in _steps(out)] == ["success", "success"]
    assert "in-time" in _step_lines(out, 1)


# A later job lists the shells still waiting with a script of job `a` of the same run (a
# pool worker runs both jobs, so a shell job `a` leaked would still be alive then).
_LIST_A = """
          b:
            needs: a
            if: always()
            runs-on: ubuntu-latest
            steps:
              - run: echo "left=$(pgrep -f "${RUNNER_TEMP%/jobs/*}/jobs/a/temp/.*[.]sh" | wc -l)"
"""


@pytest.mark.parametrize("second", ["if: false\n                run: echo never",
                                    "uses: ./missing-action",
                                    "run: exit 3"])
def test_a_shell_no_step_takes_is_killed(tmp_path: Path, second: str) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": f"""
        on: push
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - run: sleep 0.3
              - {second}
        {_LIST_A}"""})
    out = run_repo(repo)
    assert "never" not in out.logs("a")
    assert out.logs("b") == ["left=0"]


@pytest.mark.parametrize(("executable", "args", "env", "expected"), [
    ("/usr/bin/bash", "-e {0}", {}, True),
    ("/usr/bin/bash", "--noprofile --norc -e -o pipefail {0}", {}, True),
    ("/usr/bin/sh", "-e {0}", {}, False),
    ("/usr/bin/bash", "--posix {0}", {}, False),
    ("/usr/bin/bash", "-e {0}", {"POSIXLY_CORRECT": "y"}, False),
    ("/usr/bin/bash", "-e {0}", {"BASH_ENV": "/etc/x"}, False),
    ("/usr/bin/bash", "-e {0}", {"SHELLOPTS": "xtrace"}, False),
    ("/usr/bin/bash", "-e {0}", {"BASHOPTS": "extglob"}, False),
    ("/usr/bin/bash", "-e {0}", {"SECONDS": "100"}, False),
])
def test_which_shells_may_start_warm(executable: str, args: str, env: dict[str, str],
                                     expected: bool) -> None:
    assert can_warm(executable, args, env) is expected
