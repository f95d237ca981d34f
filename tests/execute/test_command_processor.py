"""What each workflow command does (ActionCommandManager.cs), as typed effects."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qmoi.execute._dotnet import trim_start
from qmoi.execute.command_processor import (
    DEPRECATED_COMMAND,
    STOP_TOKEN_DISABLED,
    UNSECURE_COMMAND_DISABLED,
    AddMask,
    AddMatcher,
    AddPath,
    Annotation,
    CommandProcessor,
    Debug,
    LineResult,
    LogLine,
    RemoveMatcher,
    SaveState,
    SetEnv,
    SetOutput,
    command_lines,
    relative_to_workspace,
    unsecure_opt_ins,
    validate_lines_and_columns,
)
from qmoi.execute.commands import REGISTERED_COMMANDS, parse_command


def run(line: str, **options: object) -> LineResult:
    return CommandProcessor(**options).process(line)  # type: ignore[arg-type]


def test_plain_lines_are_not_commands() -> None:
    assert run("hello") == LineResult(False)
    assert run("::nope::x") == LineResult(False)


def test_annotations_with_every_property() -> None:
    line = "::error file=src/a.py,line=3,endLine=3,col=2,endColumn=9,title=Boom::it%0Abroke"
    assert run(line).effects == (Annotation("error", "it\nbroke", "src/a.py", 3, 3, 2, 9, "Boom"),)
    assert run("::notice::n").effects == (Annotation("notice", "n"),)
    assert run("##[warning]w").effects == (Annotation("warning", "w"),)


def test_annotation_file_is_made_relative_to_the_workspace() -> None:
    result = run("::warning file=/w/repo/src/a.py::m", workspace="/w/repo")
    assert result.effects == (Annotation("warning", "m", "src/a.py"),)
    assert run("::warning file=/elsewhere/a.py::m", workspace="/w/repo").effects[0] == (
        Annotation("warning", "m", "/elsewhere/a.py"))


@pytest.mark.parametrize(
    ("file", "workspace", "expected"),
    [("/w/r/a", "/w/r", "a"), ("/w/r/a", "/w/r/", "a"), ("/w/r", "/w/r", "/w/r"),
     ("/w/rx/a", "/w/r", "/w/rx/a"), ("a/b", "/w/r", "a/b")],
)
def test_relative_to_workspace(file: str, workspace: str, expected: str) -> None:
    assert relative_to_workspace(file, workspace) == expected


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (("3", "5", "1", "2"), ("3", "5", None, None)),  # columns across lines dropped
        (("3", "3", "1", "2"), ("3", "3", "1", "2")),
        ((None, "4", None, None), ("4", "4", None, None)),  # start filled from end
        (("2", None, None, "7"), ("2", None, "7", "7")),
        ((None, None, "1", "2"), (None, None, None, None)),  # columns need a line
        (("5", "2", None, None), (None, None, None, None)),  # backwards lines dropped
        (("5", "5", "9", "2"), ("5", "5", None, None)),  # backwards columns dropped
        (("5", "05", "1", "1"), ("5", "05", None, None)),  # compared as strings
        (("x", "y", "z", None), ("x", "y", "z", None)),  # unparsable values pass through
    ],
)
def test_validate_lines_and_columns(given: tuple[str | None, ...],
                                    kept: tuple[str | None, ...]) -> None:
    assert validate_lines_and_columns(*given) == kept


def test_group_and_endgroup_write_markers() -> None:
    assert run("::group::Build %25").effects == (LogLine("##[group]Build %"),)
    assert run("::endgroup::ignored").effects == (LogLine("##[endgroup]"),)


def test_debug() -> None:
    assert run("::debug::details").effects == (Debug("details"),)


def test_add_mask() -> None:
    assert run("::add-mask::s3cr3t").effects == (AddMask("s3cr3t"),)
    assert run("::add-mask::s3cr3t", echo=True).effects == (
        LogLine("::add-mask::***"), AddMask("s3cr3t"))
    warning = "Can't add secret mask for empty string in ##[add-mask] command."
    assert run("::add-mask:: \t").effects == (Annotation("warning", warning),)


def test_echo_toggles_echo_of_later_commands() -> None:
    processor = CommandProcessor()
    assert processor.process("::echo::on").effects == (Debug("Setting echo command value to 'on'"),)
    assert processor.process("::set-output name=a::1").effects[0] == LogLine(
        "::set-output name=a::1")
    # Annotations, debug and add-mask are never echoed.
    assert processor.process("::warning::w").effects == (Annotation("warning", "w"),)
    assert processor.process("::echo:: OFF ").effects[0] == LogLine("::echo:: OFF ")
    assert processor.echo is False


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("::echo::", "Value cannot be null. (Parameter 'value')"),
        ("::echo::maybe", "Invalid echo command value. Possible values can be: 'on', 'off'. "
         "Current value is: 'maybe'."),
        ("::set-output::v", "Required field 'name' is missing in ##[set-output] command."),
        ("::save-state name=::v", "Required field 'name' is missing in ##[save-state] command."),
        ("::set-env name=A::1", UNSECURE_COMMAND_DISABLED.format("set-env")),
        ("::add-path::/opt/bin", UNSECURE_COMMAND_DISABLED.format("add-path")),
    ],
)
def test_failing_commands_fail_the_step(line: str, message: str) -> None:
    result = run(line)
    assert result.is_command and result.failed
    failure = Annotation("error", f"Unable to process command '{line}' successfully.")
    assert failure in result.effects
    assert result.effects[-1] == Annotation("error", message)


def test_deprecated_commands_still_work_with_a_warning() -> None:
    assert run("::set-output name=out::v").effects == (
        Annotation("warning", DEPRECATED_COMMAND.format("set-output")), SetOutput("out", "v"))
    assert run("::save-state name=s::v", deprecate_output_commands=False).effects == (
        SaveState("s", "v"),)


def test_unsecure_commands_when_allowed() -> None:
    allowed = {"allow_unsecure_commands": True}
    assert run("::set-env name=A::1", **allowed).effects == (SetEnv("A", "1"),)
    assert run("::add-path::/opt/bin", **allowed).effects == (AddPath("/opt/bin"),)
    blocked = run("::set-env name=node_options::--x", **allowed)
    assert blocked.effects == (Annotation(
        "error", "Can't update NODE_OPTIONS environment variable using ::set-env:: command."),)
    assert not blocked.failed
    missing = run("::set-env::1", **allowed)
    assert missing.failed and missing.effects[-1] == Annotation(
        "error", "Required field 'name' is missing in ##[set-env] command.")
    empty = run("::add-path::", **allowed)
    assert empty.effects[-1] == Annotation("error", "Value cannot be null. (Parameter 'path')")


@pytest.mark.parametrize(
    ("process_env", "env_context", "expected"),
    [
        ({}, {}, (False, False)),
        ({"ACTIONS_ALLOW_UNSECURE_COMMANDS": "true"}, {}, (True, False)),
        ({}, {"ACTIONS_ALLOW_UNSECURE_COMMANDS": " True "}, (True, False)),
        ({}, {"ACTIONS_ALLOW_UNSECURE_COMMANDS": "1"}, (False, False)),
        ({}, {"ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS": "1"}, (False, True)),
        ({"ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS": "$true"}, {}, (False, True)),
    ],
)
def test_unsecure_opt_ins(process_env: dict[str, str], env_context: dict[str, str],
                          expected: tuple[bool, bool]) -> None:
    assert unsecure_opt_ins(process_env, env_context) == expected


def test_stop_and_resume_commands() -> None:
    processor = CommandProcessor()
    stop = processor.process("::stop-commands::pause-token-123")
    echoed = LogLine("::stop-commands::pause-token-123")
    assert stop.effects[:2] == (AddMask("pause-token-123"), echoed)
    assert processor.process("::warning::ignored") == LineResult(False)
    assert processor.process("::add-mask::x") == LineResult(False)
    assert processor.process("plain") == LineResult(False)
    resume = processor.process("::PAUSE-TOKEN-123::")
    assert resume.is_command and resume.effects[0] == LogLine("::PAUSE-TOKEN-123::")
    assert processor.process("::warning::seen").effects == (Annotation("warning", "seen"),)


def test_short_stop_tokens_are_not_masked() -> None:
    assert AddMask("abcdef") not in run("::stop-commands::abcdef").effects
    assert AddMask("abcdefg") in run("::stop-commands::abcdefg").effects


@pytest.mark.parametrize("token", ["", "pause-logging", "Pause-Logging", "warning", "set-env"])
def test_weak_stop_tokens_are_refused(token: str) -> None:
    processor = CommandProcessor()
    result = processor.process(f"::stop-commands::{token}")
    assert result.failed and result.effects == (Annotation("error", STOP_TOKEN_DISABLED),)
    assert processor.stop_token is None
    assert processor.process("::warning::still processed").is_command


def test_weak_stop_tokens_when_allowed() -> None:
    processor = CommandProcessor(allow_unsecure_stop_tokens=True)
    assert not processor.process("::stop-commands::warning").failed
    assert processor.process("::error::not processed") == LineResult(False)
    assert processor.process("::warning::").is_command  # the token resumes
    empty = CommandProcessor(allow_unsecure_stop_tokens=True)
    empty.process("::stop-commands::")
    assert empty.process("::::") == LineResult(False)  # an empty token never resumes


def test_matchers() -> None:
    assert run("::add-matcher::m.json", workspace="/w").effects == (AddMatcher("/w/m.json"),)
    assert run("::add-matcher::/abs/m.json", workspace="/w").effects == (
        AddMatcher("/abs/m.json"),)
    assert run("::add-matcher::").effects == (
        Annotation("warning", "File path must be specified."),)
    assert run("::remove-matcher owner=eslint::").effects == (RemoveMatcher("eslint", None),)
    assert run("::remove-matcher::m.json").effects == (RemoveMatcher(None, "m.json"),)
    both = run("::remove-matcher owner=x::f").effects[0]
    assert isinstance(both, Annotation) and "Both values cannot be set." in both.message
    neither = run("::remove-matcher::").effects[0]
    assert isinstance(neither, Annotation) and "must be specified" in neither.message


def test_a_failing_command_is_echoed_before_its_errors() -> None:
    processor = CommandProcessor(echo=True)
    result = processor.process("::echo::bad")
    assert result.effects[0] == LogLine("::echo::bad")
    assert result.effects[1] == Annotation(
        "error", "Unable to process command '::echo::bad' successfully.")



_PIECES = [" ", "\t", ":", "#", "[", "]", "=", ",", "%", "a", "\u00a0", "add-mask",
           "warning", "stop-commands", "tok"]


@given(st.lists(st.sampled_from(_PIECES), max_size=20).map("".join),
       st.sampled_from(["", "tok", "::", "##["]))
def test_a_line_without_either_command_form_is_never_a_command(line: str, token: str) -> None:
    names = set(REGISTERED_COMMANDS) | ({token} if token else set())
    if parse_command(line, names) is not None:
        assert "::" in line or "##[" in line
        assert command_lines([line]) == [0]
    else:
        assert not CommandProcessor().process(line).is_command


def test_command_lines_are_the_lines_parse_command_may_read() -> None:
    lines = ["a", "::warning::x", "  ::error::y", "b std::vector", "x ##[group]y", "",
             "\u3000\t::debug::z", "::", "##[", ":: late", "a::b", "#[x]"]
    assert command_lines(lines) == [1, 2, 4, 6, 7, 8, 9]
    assert command_lines([]) == [] and command_lines(["plain"]) == []


@given(st.lists(st.text(alphabet=" \t\u00a0\u2028\r:#[ax", max_size=8), max_size=12))
def test_command_lines_find_every_line_that_may_be_a_command(lines: list[str]) -> None:
    maybe = [i for i, line in enumerate(lines)
             if trim_start(line).startswith("::") or "##[" in line]
    assert command_lines(lines) == maybe
