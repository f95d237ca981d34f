"""Failure-line extraction on small logs: the lines that explain, not just the tail."""

from __future__ import annotations

from qmoi.learn.extract import LIMIT, extract


def numbers(log: str) -> list[int]:
    return [p.line for chunk in extract(log) for p in chunk.lines]


def travis(output: list[str], tail: int = 30) -> str:
    """A Travis log: setup chatter, the failing command, then after_failure noise."""
    lines = [f"Setting up package {i}" for i in range(40)]
    lines += ["travis_time:start:1\r\x1b[0K$ make test", *output,
              'travis_time:end:1\r\x1b[0K\x1b[31;1mThe command "make test" exited with 2.\x1b[0m']
    lines += [f"cache upload {i}: ok" for i in range(tail)]
    lines += ["", "Done. Your build exited with 1."]
    return "\n".join(lines) + "\n"


def test_a_python_traceback_is_picked_down_to_its_exception() -> None:
    log = travis(["running tests", "Traceback (most recent call last):",
                  '  File "app.py", line 3, in <module>', "    main()",
                  '  File "app.py", line 2, in main', "    raise ValueError('bad config')",
                  "ValueError: bad config", "all done"])
    text = {p.text for chunk in extract(log) for p in chunk.lines}
    assert "ValueError: bad config" in text
    assert "Traceback (most recent call last):" in text
    assert "Done. Your build exited with 1." not in text


def test_the_failure_is_found_before_a_long_tail_of_cleanup_output() -> None:
    log = travis(["src/db.c:42:7: error: 'conn' undeclared (first use in this function)",
                  "   42 |   if (conn == NULL)", "      |       ^~~~"], tail=200)
    picked = numbers(log)
    assert 42 in picked          # the diagnostic: line 41 is the command, 42 starts its output
    assert 43 in picked and 44 in picked   # its source line and caret come with it
    assert max(picked) < 50


def test_original_line_numbers_survive_ansi_and_blank_lines() -> None:
    log = "setup\n\n\x1b[32mok\x1b[0m\n\nFATAL ERROR: disk exploded\n"
    chunks = extract(log)
    assert [(p.line, p.text) for c in chunks for p in c.lines][-1] == (
        5, "FATAL ERROR: disk exploded")


def test_false_friends_and_warnings_are_not_picked() -> None:
    log = travis(["Build finished with 0 errors", "warning: unused variable 'x'",
                  "Compiling with -Werror enabled", "test_error_handling ... ok",
                  "FAIL: test_login (tests.test_auth.AuthTest)",
                  "AssertionError: 401 != 200"])
    text = [p.text for chunk in extract(log) for p in chunk.lines]
    assert "AssertionError: 401 != 200" in text
    assert "Build finished with 0 errors" not in text
    assert "test_error_handling ... ok" not in text


def test_a_line_repeated_many_times_loses_to_the_one_real_error() -> None:
    output = ["retrying connection... error (attempt)" for _ in range(50)]
    output += ["npm ERR! code ELIFECYCLE", "npm ERR! errno 1",
               "npm ERR! demo@1.0.0 build: `webpack`"]
    picked = {p.text for chunk in extract(travis(output)) for p in chunk.lines}
    assert "npm ERR! code ELIFECYCLE" in picked


def test_at_most_twenty_lines_in_contiguous_chunks() -> None:
    output = [f"src/f{i}.c:{i}:1: error: expected ';'" for i in range(60)]
    chunks = extract(travis(output))
    lines = [p.line for c in chunks for p in c.lines]
    assert 0 < len(lines) <= LIMIT
    for chunk in chunks:
        numbers_in = [p.line for p in chunk.lines]
        assert numbers_in == sorted(numbers_in)


def test_without_error_words_the_lines_before_the_failing_exit_are_picked() -> None:
    log = travis(["Checking links...", "> Links", "  1. 301 https://a.example -> https://b.example",
                  "  2. 404 https://c.example/gone"])
    picked = {p.text for chunk in extract(log) for p in chunk.lines}
    assert "2. 404 https://c.example/gone" in {t.strip() for t in picked}


def test_an_empty_or_quiet_log_gives_nothing() -> None:
    assert extract("") == ()
    assert extract("\n\n   \n") == ()
