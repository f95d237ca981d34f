"""The corpus evaluation: chunk location, scoring, and the hit-rate floor QMOI must keep."""

from __future__ import annotations

from pathlib import Path

import pytest

from qmoi.learn.evaluate import (
    evaluate,
    last_error_lines,
    last_lines,
    load_corpus,
    locate_chunk,
    qmoi_lines,
    score,
)
from qmoi.learn.logtext import read_log

# Measured on the development split (see bench/explain_eval.py): every 5th log hits 0.697,
# the whole split 0.734. Floors sit a little below so unrelated noise does not flake.
SAMPLE_STRIDE = 5
SAMPLE_FLOOR = 0.65
FULL_FLOOR = 0.70


def test_a_chunk_is_located_across_blank_lines_and_colours() -> None:
    lines = read_log("a\nTraceback:\n\n\x1b[31m  boom\x1b[0m\nValueError: x\nb\n")
    assert locate_chunk(lines, "Traceback:\n\n  boom\n\nValueError: x") == {2, 4, 5}
    assert locate_chunk(lines, "not in the log") == frozenset()


def test_scores_are_hit_precision_and_recall_by_line() -> None:
    result = score([1, 2, 3, 4], frozenset({3, 4, 5, 6, 7}))
    assert (result.hit, result.precision, result.recall) == (True, 0.5, 0.4)
    assert score([], frozenset({1})).hit is False


def test_the_baselines_take_the_tail() -> None:
    lines = read_log("".join(f"line {i}\n" for i in range(30)) + "error: x\n\nend\n")
    assert last_lines(lines)[-1] == 33 and len(last_lines(lines)) == 20
    assert last_error_lines(lines) == [31]


def _corpus(shared: Path) -> Path:
    folder = shared / "corpus" / "logs" / "logchunks"
    if not (folder / "labels.jsonl").is_file():
        pytest.skip("the labelled log corpus is not available")
    return folder


def test_qmoi_keeps_its_hit_rate_on_a_corpus_sample(shared: Path) -> None:
    corpus = load_corpus(_corpus(shared), stride=SAMPLE_STRIDE)
    qmoi = evaluate(corpus, qmoi_lines)
    assert qmoi.hit_rate >= SAMPLE_FLOOR
    assert qmoi.hit_rate > evaluate(corpus, last_lines).hit_rate
    assert qmoi.precision > 2 * evaluate(corpus, last_error_lines).precision


@pytest.mark.slow
def test_qmoi_keeps_its_hit_rate_on_the_whole_corpus(shared: Path) -> None:
    corpus = load_corpus(_corpus(shared))
    assert len(corpus) >= 330
    assert evaluate(corpus, qmoi_lines).hit_rate >= FULL_FLOOR
