"""A step that prints a lot, workflow commands among its lines, through ``qmoi run`` on
threads and on QCity's pool: every line is shown and saved once, in order, masked from the
line after its ``::add-mask::``, with its commands' effects where they were printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qmoi.execute.command_processor import _PAUSED
from run_helpers import commit, make_repo

WORKFLOW = """
    on: push
    jobs:
      j:
        runs-on: ubuntu-latest
        steps:
          - run: python3 gen.py
"""

# One write of all of it: the commands fall inside the reads of the output.
GENERATOR = """
import os
lines = [f"line {n}" for n in range(2500)]
lines[2000:2000] = ["::warning::careful", "::stop-commands::tok-123456", "::error::shown",
                    "::tok-123456::", "::notice::noted"]
lines[1500:1500] = ["::group::Inside", "grouped pw-7x9", "::endgroup::"]
lines[700:700] = ["pw-7x9 before", "::add-mask::pw-7x9", "after pw-7x9", "pw-7x9"]
os.write(1, ("\\n".join(lines) + "\\nlast").encode())
"""


def _expected() -> list[tuple[str | None, str]]:
    """(shown, saved) for each line of the step, in order (shown None: not shown)."""
    rows: list[tuple[str | None, str]] = [(f"| line {n}", f"line {n}") for n in range(2500)]
    rows[2000:2000] = [("Warning: careful", "##[warning]careful"),
                       ("| ::stop-commands::***", "::stop-commands::***"),
                       (None, f"##[debug]{_PAUSED}"),
                       ("| ::error::shown", "::error::shown"),
                       ("| ::***::", "::***::"), (None, "##[debug]Resume processing commands"),
                       ("Notice: noted", "##[notice]noted")]
    rows[1500:1500] = [("▸ Inside", "##[group]Inside"), ("| grouped ***", "grouped ***"),
                       (None, "##[endgroup]")]
    rows[700:700] = [("| pw-7x9 before", "pw-7x9 before"), ("| after ***", "after ***"),
                     ("| ***", "***")]
    return [*rows, ("| last", "last")]


@pytest.mark.parametrize("runners", ["inline", "local"])
def test_a_long_output_with_commands_is_shown_and_saved_line_by_line(
        tmp_path: Path, runners: str) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": WORKFLOW})
    (repo / "gen.py").write_text(GENERATOR, encoding="utf-8")
    commit(repo, "gen")
    done = subprocess.run([sys.executable, "-m", "qmoi.cli.main", "run", "--runners", runners],
                          cwd=repo, capture_output=True, text=True, check=False, timeout=120,
                          env={**os.environ, "TMPDIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    expected = _expected()
    shown = [line.removeprefix("[j]   ") for line in done.stdout.splitlines()
             if line.startswith("[j]   ") and not line.startswith("[j]   >")]
    assert shown[:-1] == [row[0] for row in expected if row[0] is not None]
    [run] = list((repo / ".qmoi" / "runs").iterdir())
    saved = (run / "logs" / "j" / "001.log").read_text(encoding="utf-8").split("\n")
    assert saved == ["##[step]Run python3 gen.py", *(row[1] for row in expected), ""]
    records = [json.loads(line) for line in
               (run / "events.jsonl").read_text(encoding="utf-8").split("\n")[:-1]]
    logged = [r["text"] for r in records if r["type"] == "log" and r["style"] == "out"]
    not_out = {"::stop-commands::***", "::***::"}  # echoed commands
    assert logged == [row[1] for row in expected
                      if not row[1].startswith("##[") and row[1] not in not_out]
    assert "pw-7x9" not in done.stdout.replace("pw-7x9 before", "")
