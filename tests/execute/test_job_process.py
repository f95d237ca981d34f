"""Step processes: timeouts and cancellation stop the whole process group; output is split
into lines the way the runner reads it."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from qmoi.execute.process import Grace, LineSplitter, run_process
from qmoi.runners.base import CancelToken
from run_helpers import make_repo, run_repo


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state


def test_step_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    repo = make_repo(tmp_path / "r", {"ci.yml": f"""
        on: push
        jobs:
          j:
            runs-on: ubuntu-latest
            steps:
              - timeout-minutes: 0.02
                run: |
                  (trap '' INT TERM; sleep 30) &
                  echo $! > {pidfile}
                  sleep 30
              - if: always()
                run: echo after
        """})
    started = time.monotonic()
    out = run_repo(repo)
    took = time.monotonic() - started
    assert took < 6
    step = out.job("j")["steps"][0]  # type: ignore[index]
    assert step["outcome"] == "failure"
    assert any("has timed out after 0.02 minutes" in a for a in out.annotations("j"))
    assert "after" in out.logs("j")
    assert not _alive(int(pidfile.read_text()))


def test_cancel_token_interrupts_with_sigint_first(tmp_path: Path) -> None:
    token = CancelToken()
    lines: list[str] = []
    script = "trap 'echo got-int; exit 130' INT; echo ready; sleep 20 & wait"
    threading.Timer(0.3, token.cancel).start()
    done = run_process(["bash", "-c", script], env=dict(os.environ), cwd=str(tmp_path),
                       on_lines=lines.extend, token=token, grace=Grace(2, 1))
    assert done.stopped == "cancelled"
    assert lines == ["ready", "got-int"]


def test_background_process_does_not_hold_the_step(tmp_path: Path) -> None:
    token = CancelToken()
    started = time.monotonic()
    done = run_process(["bash", "-c", "sleep 5 & echo started"], env=dict(os.environ),
                       cwd=str(tmp_path), on_lines=lambda _: None, token=token)
    assert done.exit_code == 0 and time.monotonic() - started < 2


def test_line_splitter_handles_crlf_cr_and_split_utf8() -> None:
    splitter = LineSplitter()
    data = "a\r\nb\rc\nd€e".encode()
    lines: list[str] = []
    for i in range(len(data)):  # one byte at a time: CRLF and '€' are split across feeds
        lines += splitter.feed(data[i : i + 1])
    lines += splitter.close()
    assert lines == ["a", "b", "c", "d€e"]


def test_the_lines_of_one_read_are_passed_on_together(tmp_path: Path) -> None:
    reads: list[list[str]] = []
    # one write of four lines, then one of a line and an unterminated one (passed on at
    # the end); bash's printf would write line by line
    script = ("import os, time; os.write(1, b'a\\nb\\r\\nc\\rd\\n'); time.sleep(0.3); "
              "os.write(1, b'e\\nf')")
    done = run_process([sys.executable, "-c", script], env=dict(os.environ),
                       cwd=str(tmp_path), on_lines=reads.append, token=CancelToken())
    assert done.exit_code == 0
    assert reads == [["a", "b", "c", "d"], ["e"], ["f"]]
