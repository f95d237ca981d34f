"""The run recorder's files: a log per step part (made when it starts, complete when it
ends, written in pieces while it runs), the job's own log, summaries, events and result."""

from __future__ import annotations

import json
from pathlib import Path

from qmoi.events import Annotation, LogLine, LogLines, StepFinished, StepStarted
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


def _saved(folder: Path, lines_event: bool) -> tuple[str, str]:
    texts = ("plain", "", 'quote " and \\ back', "ü ✓ \u2028", "tab\there", "\x00\x1b[31m")
    recorder = RunRecorder(folder)
    recorder.add(StepStarted("j\"k", 2, "", "Run", 1.0))
    if lines_event:
        recorder.add(LogLines("j\"k", 2, texts, 1.25))
    else:
        for text in texts:
            recorder.add(LogLine("j\"k", 2, text, 1.25))
    recorder.add(LogLine("j\"k", 2, "last", 1.5))
    recorder.close()
    log = (folder / "logs" / "j\"k" / "003.log").read_text(encoding="utf-8")
    return log, (folder / "events.jsonl").read_text(encoding="utf-8")


def test_lines_read_together_are_saved_as_one_line_each(tmp_path: Path) -> None:
    # The step log and events.jsonl are what a LogLine per line would have made.
    together = _saved(tmp_path / "together", True)
    alone = _saved(tmp_path / "alone", False)
    assert together == alone
    log, events = together
    assert log.split("\n")[1:3] == ["plain", ""]
    records = [json.loads(line) for line in events.split("\n")[:-1]]  # not at U+2028
    assert [r["type"] for r in records] == ["step_started"] + ["log"] * 7
    assert records[3]["text"] == 'quote " and \\ back'
