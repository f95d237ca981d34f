"""The run recorder's files: a log per step part (made when it starts, complete when it
ends, written in pieces while it runs), the job's own log, summaries, events and result."""

from __future__ import annotations

import json
from pathlib import Path

from qmoi.events import Annotation, LogLine, StepFinished, StepStarted
from qmoi.execute.recorder import RunRecorder


def _finished(index: int, summary: str | None = None) -> StepFinished:
    return StepFinished("j", index, "", "success", "success", {}, 2.0, summary)


def test_each_part_log_holds_its_header_lines_and_annotations(tmp_path: Path) -> None:
    recorder = RunRecorder(tmp_path)
    recorder.add(StepStarted("j", 0, "", "Run echo", 1.0))
    log = tmp_path / "logs" / "j" / "001.log"
    assert log.exists()  # there as soon as the part starts
    recorder.add(LogLine("j", 0, "hello ü", 1.1))
    recorder.add(LogLine("j", 0, "title", 1.2, "group"))
    recorder.add(Annotation("j", 0, "warning", "careful", 1.3, file="a.py", line=3))
    recorder.add(_finished(0, "# sum"))
    recorder.add(Annotation("j", -1, "error", "job level", 1.4))
    recorder.close({"result": "success"})
    assert log.read_text(encoding="utf-8") == (
        "##[step]Run echo\nhello ü\n##[group]title\n##[warning file=a.py,line=3]careful\n")
    assert (tmp_path / "logs" / "j" / "job.log").read_text(encoding="utf-8") == \
        "##[error]job level\n"
    assert (tmp_path / "summaries" / "j" / "001.md").read_text(encoding="utf-8") == "# sum"
    events = (tmp_path / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["type"] for line in events] == [
        "step_started", "log", "log", "annotation", "step_finished", "annotation"]
    assert json.loads((tmp_path / "result.json").read_text(encoding="utf-8")) == \
        {"result": "success"}


def test_a_long_part_is_written_while_it_runs(tmp_path: Path) -> None:
    recorder = RunRecorder(tmp_path)
    recorder.add(StepStarted("j", 0, "", "Run", 1.0))
    log = tmp_path / "logs" / "j" / "001.log"
    lines = [f"line {n:05d}" for n in range(3000)]
    for line in lines:
        recorder.add(LogLine("j", 0, line, 1.1))
    written = log.stat().st_size
    assert 0 < written < len("##[step]Run\n") + sum(len(line) + 1 for line in lines)
    recorder.add(_finished(0))
    assert log.read_text(encoding="utf-8").splitlines() == ["##[step]Run", *lines]
    recorder.close()


def test_close_writes_parts_that_never_finished(tmp_path: Path) -> None:
    recorder = RunRecorder(tmp_path)
    recorder.add(StepStarted("k", 4, "", "Run sleep", 1.0))
    recorder.add(LogLine("k", 4, "started", 1.1))
    recorder.close()
    assert (tmp_path / "logs" / "k" / "005.log").read_text(encoding="utf-8") == \
        "##[step]Run sleep\nstarted\n"
