"""The live views of ``qmoi run``: lines read together show as they would one by one (plain
and Rich, folded into groups); when the view's reader goes away it falls silent, the run
goes on and is saved."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qmoi.cli.run_view import PlainView, RichView, _print_lines
from qmoi.events import JobQueued, JobStarted, LogLine, LogLines, StepStarted
from run_helpers import ONE_STEP, make_repo


def test_the_view_falls_silent_when_its_pipe_is_closed() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    with open(write_end, "w", encoding="utf-8") as out:
        view = PlainView(out)
        view(JobQueued("j", "build", "build", "ci.yml", {}, 1.0))
        view(JobStarted("j", 1.0))  # the write fails: nobody reads
        view(JobStarted("j", 2.0))
        assert view.gone
        null = os.stat(os.devnull)
        assert os.fstat(out.fileno()).st_rdev == null.st_rdev  # what is left goes nowhere
        view.close()


def test_a_run_whose_reader_left_still_runs_to_its_end(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ci.yml": ONE_STEP})
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {**os.environ, "TMPDIR": str(tmp_path)}  # where a crash log would go
    try:
        done = subprocess.run([sys.executable, "-m", "qmoi.cli.main", "run"], cwd=repo,
                              stdout=write_end, stderr=subprocess.PIPE, text=True,
                              env=env, check=False, timeout=120)
    finally:
        os.close(write_end)
    assert done.returncode == 0 and "internal error" not in done.stderr
    assert not list(tmp_path.glob("qmoi-crash-*"))
    runs = list((repo / ".qmoi" / "runs").iterdir())
    assert len(runs) == 1
    assert '"result": "success"' in (runs[0] / "result.json").read_text(encoding="utf-8")


_TEXTS = ("compiling a.c", "", "warning: x  ", "ü ✓ wide 漢字", "a\ttab",
          ":smile: [b]not markup[/b]", "x" * 150, "word " * 40)


def _shown(view_class: type[PlainView], batched: bool, texts: tuple[str, ...] = _TEXTS) -> str:
    out = io.StringIO()
    view = view_class(out)
    view(JobQueued("j", "build", "build", "ci.yml", {}, 1.0))
    view(StepStarted("j", 0, "", "Run make", 1.0))
    if batched:
        view(LogLines("j", 0, texts, 2.0))
    else:
        for text in texts:
            view(LogLine("j", 0, text, 2.0))
    view(LogLine("j", 0, "done", 3.0))
    view.close()
    return out.getvalue()


@pytest.mark.parametrize("view_class", [PlainView, RichView])
def test_lines_read_together_show_as_the_same_lines_one_by_one(
        view_class: type[PlainView]) -> None:
    shown = _shown(view_class, True)
    assert shown == _shown(view_class, False)
    assert "[build]   | compiling a.c\n[build]   | \n[build]   | warning: x" in shown


def test_the_plain_view_writes_the_lines_of_a_read_at_once() -> None:
    writes: list[str] = []

    class Out(io.StringIO):
        def write(self, text: str) -> int:
            writes.append(text)
            return len(text)

    view = PlainView(Out())
    view(LogLines("j", 0, ("a", "b", "c"), 1.0))
    assert writes == ["[]   | a\n[]   | b\n[]   | c\n"]


def test_the_rich_view_folds_the_lines_of_a_read_into_their_group() -> None:
    out = io.StringIO()
    view = RichView(out)
    view(JobQueued("j", "build", "build", "ci.yml", {}, 1.0))
    view(LogLine("j", 0, "Setup", 1.0, "group"))
    view(LogLines("j", 0, ("one", "two", "three"), 1.1))
    view(LogLine("j", 0, "four", 1.2))
    view(LogLine("j", 0, "", 1.3, "endgroup"))
    view(LogLines("j", 0, ("after", "end"), 1.4))
    view.close()
    shown = out.getvalue()
    assert "[build]   ▸ Setup (4 lines folded)\n[build]   | after\n[build]   | end\n" in shown
    assert "one" not in shown


@pytest.mark.parametrize("text", [
    "short\nlines\n\nonly", "x" * 39 + "\n" + "y" * 40, "x" * 41, "tab\there", "漢字 " * 9,
    "trailing   \n   leading", ":smile: and \x1b[1mbold\x1b[0m", "word " * 12])
def test_printing_lines_at_once_looks_as_rich_prints_them(text: str) -> None:
    from rich.console import Console

    def console(out: io.StringIO) -> Console:
        return Console(file=out, highlight=False, force_terminal=True, width=40)

    fast, usual = io.StringIO(), io.StringIO()
    _print_lines(console(fast), text)
    console(usual).print(text, markup=False)
    assert fast.getvalue() == usual.getvalue()
