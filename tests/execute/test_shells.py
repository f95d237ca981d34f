"""Shell templates, defaults, argv splitting and script fix-ups (ScriptHandlerHelpers.cs)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qmoi.execute.shells import (
    INVALID_SHELL,
    ShellCommand,
    ShellError,
    fix_up_script,
    format_arguments,
    host_which,
    parse_shell_option,
    resolve_shell,
    script_extension,
    split_arguments,
)


def which_from(*found: str):  # type: ignore[no-untyped-def]
    table = {name: f"/usr/bin/{name}" for name in found}
    return table.get


ALL = which_from("bash", "sh", "pwsh", "powershell", "python", "cmd", "perl")


@pytest.mark.parametrize(
    ("shell", "argv"),
    [
        ("bash", ("/usr/bin/bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "/t/s.sh")),
        ("sh", ("/usr/bin/sh", "-e", "/t/s.sh")),
        ("pwsh", ("/usr/bin/pwsh", "-command", ". '/t/s.ps1'")),
        ("powershell", ("/usr/bin/powershell", "-command", ". '/t/s.ps1'")),
        ("python", ("/usr/bin/python", "/t/s.py")),
        ("perl {0}", ("/usr/bin/perl", "/t/s")),
        ("bash -x {0} extra", ("/usr/bin/bash", "-x", "/t/s.sh", "extra")),
        ("BASH", ("/usr/bin/BASH", "--noprofile", "--norc", "-e", "-o", "pipefail", "/t/s.sh")),
    ],
)
def test_builtin_and_custom_templates(shell: str, argv: tuple[str, ...]) -> None:
    which = which_from("bash", "sh", "pwsh", "powershell", "python", "perl", "BASH")
    command = resolve_shell(shell, os_name="Linux", which=which)
    path = "/t/s" + command.extension
    assert command.argv(path) == argv


@pytest.mark.parametrize(
    ("shell", "extension"),
    [("bash", ".sh"), ("sh", ".sh"), ("pwsh", ".ps1"), ("powershell", ".ps1"),
     ("python", ".py"), ("cmd", ".cmd"), ("PwSh", ".ps1"), ("perl", ""), ("/bin/bash", "")],
)
def test_script_extension(shell: str, extension: str) -> None:
    assert script_extension(shell) == extension


def test_cmd_template_is_a_windows_command_line() -> None:
    command = resolve_shell("cmd", os_name="Windows", which=ALL)
    expected = r'/D /E:ON /V:OFF /S /C "CALL "D:\a\_temp\x.cmd""'
    assert command.arguments(r"D:\a\_temp\x.cmd") == expected
    assert command.command_line("C:/x.cmd").startswith("/usr/bin/cmd /D /E:ON")
    spaced = resolve_shell("cmd", os_name="Windows", which=lambda n: r"C:\Program Files\cmd.exe")
    assert spaced.command_line("x").startswith('"C:\\Program Files\\cmd.exe" /D')


def test_default_shell_on_linux_is_bash_with_the_sh_template() -> None:
    command = resolve_shell(None, os_name="Linux", which=ALL)
    assert (command.shell, command.executable) == ("sh", "/usr/bin/bash")
    assert command.arg_format == "-e {0}"
    assert command.argv("/t/a.sh") == ("/usr/bin/bash", "-e", "/t/a.sh")
    assert command.display == "shell: /usr/bin/bash -e {0}"
    assert command.script_name("guid") == "guid.sh"


def test_default_shell_falls_back_to_sh_then_fails() -> None:
    command = resolve_shell("", os_name="macOS", which=which_from("sh"))
    assert command.argv("/t/a.sh") == ("/usr/bin/sh", "-e", "/t/a.sh")
    with pytest.raises(ShellError, match="File not found: 'sh'"):
        resolve_shell(None, os_name="Linux", which=which_from())


def test_default_shell_on_windows_prefers_pwsh_then_powershell() -> None:
    assert resolve_shell(None, os_name="Windows", which=ALL).executable == "/usr/bin/pwsh"
    fallback = resolve_shell(None, os_name="Windows", which=which_from("powershell"))
    assert (fallback.shell, fallback.extension) == ("powershell", ".ps1")
    with pytest.raises(ShellError, match="File not found: 'powershell'"):
        resolve_shell(None, os_name="Windows", which=which_from())


def test_container_steps_do_not_locate_the_shell() -> None:
    command = resolve_shell("bash", os_name="Linux", which=which_from(), on_host=False)
    assert command.executable == "bash"
    assert resolve_shell(None, os_name="Linux", on_host=False).executable == "sh"
    assert resolve_shell(None, os_name="Windows", on_host=False).executable == "pwsh"


@pytest.mark.parametrize("shell", ["fish", "bash -c echo", " bash", "zsh -e"])
def test_unknown_shell_without_placeholder_is_a_clear_error(shell: str) -> None:
    with pytest.raises(ShellError) as caught:
        resolve_shell(shell, os_name="Linux", which=ALL)
    assert caught.value.message == INVALID_SHELL
    assert str(caught.value).startswith(f"shell: {shell}: Invalid shell option")


def test_custom_shell_not_on_path() -> None:
    with pytest.raises(ShellError, match="File not found: 'nushell'"):
        resolve_shell("nushell {0}", os_name="Linux", which=ALL)


def test_parse_shell_option_splits_on_the_first_space_only() -> None:
    assert parse_shell_option("bash") == ("bash", "")
    assert parse_shell_option("bash -c 'a b' {0}") == ("bash", "-c 'a b' {0}")
    assert parse_shell_option("bash\t{0}") == ("bash\t{0}", "")
    assert resolve_shell("bash   ", os_name="Linux", which=ALL).arg_format.startswith("--noprofile")


def test_script_path_quotes_are_escaped() -> None:
    command = resolve_shell("python", os_name="Linux", which=ALL)
    assert command.arguments('/t/a"b.py') == '/t/a\\"b.py'
    assert command.argv('/t/a"b.py') == ("/usr/bin/python", '/t/a"b.py')


def test_a_path_with_spaces_splits_like_the_runner() -> None:
    # The runner does not quote {0} for bash/sh, so a spaced temp dir breaks the command.
    command = resolve_shell("sh", os_name="Linux", which=ALL)
    assert command.argv("/my dir/a.sh") == ("/usr/bin/sh", "-e", "/my", "dir/a.sh")
    quoted = resolve_shell('sh -e "{0}"', os_name="Linux", which=ALL)
    assert quoted.argv("/my dir/a.sh") == ("/usr/bin/sh", "-e", "/my dir/a.sh")


@pytest.mark.parametrize(
    ("template", "expected"),
    [("{0}", "P"), ("a {0} {0}", "a P P"), ("{{0}} {0}", "{0} P"), ("x}}y", "x}y")],
)
def test_format_arguments(template: str, expected: str) -> None:
    assert format_arguments(template, "P") == expected


@pytest.mark.parametrize("template", ["{1} {0}", "{0} {", "} {0}", "{0:x}"])
def test_format_arguments_rejects_other_placeholders(template: str) -> None:
    with pytest.raises(ShellError, match="Input string was not in a correct format"):
        format_arguments(template, "P")
    with pytest.raises(ShellError):
        resolve_shell(f"bash {template}", os_name="Linux", which=ALL).arguments("/x")


@pytest.mark.parametrize(
    ("arguments", "argv"),
    [
        ("a b\tc", ["a", "b", "c"]),
        ('"a b" c', ["a b", "c"]),
        ('a"b c"d', ["ab cd"]),
        (r"a\\b", [r"a\\b"]),
        (r'a\"b', ['a"b']),
        (r'a\\"b c"', [r"a\b c"]),
        (r'"a""b"', ['a"b']),
        ('""', [""]),
        ("  ", []),
        ("-command \". '/x y.ps1'\"", ["-command", ". '/x y.ps1'"]),
    ],
)
def test_split_arguments_follows_dotnet(arguments: str, argv: list[str]) -> None:
    assert split_arguments(arguments) == argv


@given(st.lists(st.text(alphabet="ab \\\"'", min_size=1), max_size=5))
def test_split_arguments_inverts_msvc_quoting(args: list[str]) -> None:
    import subprocess

    assert split_arguments(subprocess.list2cmdline(args)) == args


@pytest.mark.parametrize(
    ("shell", "os_name", "expected"),
    [
        ("bash", "Linux", "echo hi\n"),
        ("cmd", "Windows", "@echo off\r\necho hi\r\n"),
        ("pwsh", "Linux", "$ErrorActionPreference = 'stop'\necho hi\n\n"
         "if ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }"),
        ("powershell", "Windows", "$ErrorActionPreference = 'stop'\r\necho hi\r\n\r\n"
         "if ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }"),
        ("PWSH", "Linux", "echo hi\n"),
        ("sh", "Windows", "echo hi\r\n"),
    ],
)
def test_fix_up_script(shell: str, os_name: str, expected: str) -> None:
    assert fix_up_script(shell, "echo hi\n", os_name=os_name) == expected  # type: ignore[arg-type]


def test_windows_normalises_mixed_newlines() -> None:
    assert fix_up_script("python", "a\r\nb\nc", os_name="Windows") == "a\r\nb\r\nc"


def test_host_which_searches_the_given_path(tmp_path) -> None:  # type: ignore[no-untyped-def]
    tool = tmp_path / "mytool"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    assert host_which(str(tmp_path))("mytool") == str(tool)
    assert host_which(str(tmp_path))("absent-tool") is None


_TEMPLATE_PARTS = st.sampled_from(['{0}', '"{0}"', "'{0}'", ' ', '\t', '"', '\\', '\\"', '""',
                                   '{{', '}}', '-e', 'x', ". '", "\x00"])
_PATH_TEXT = st.text(alphabet=st.sampled_from("/ab._-{}'é \t\"\\"), min_size=1, max_size=12)


@given(st.lists(_TEMPLATE_PARTS, min_size=1, max_size=8), _PATH_TEXT)
def test_argv_of_a_template_split_once_equals_splitting_each_time(
        parts: list[str], path: str) -> None:
    template = "".join(parts)
    if "{0}" not in template:
        template += " {0}"
    command = ShellCommand("custom", "/bin/tool", template, "")
    try:
        expected = ("/bin/tool", *split_arguments(command.arguments(path)))
    except ShellError:
        with pytest.raises(ShellError):
            command.argv(path)
        return
    assert command.argv(path) == expected


def test_host_which_finds_what_shutil_which_finds(  # type: ignore[no-untyped-def]
        tmp_path, monkeypatch) -> None:
    import shutil

    folders = {name: tmp_path / name for name in ("a", "b", "c", "d")}
    for folder in folders.values():
        folder.mkdir()
    (folders["a"] / "tool").write_text("not executable\n")
    (folders["b"] / "tool").mkdir()  # a folder, even an executable one, is not a program
    (folders["c"] / "tool").write_text("#!/bin/sh\n")
    (folders["c"] / "tool").chmod(0o755)
    (folders["d"] / "tool").symlink_to(folders["c"] / "tool")
    (folders["d"] / "dangling").symlink_to(tmp_path / "nowhere")
    monkeypatch.chdir(folders["c"])  # an empty PATH entry means the current folder
    orders = ["a:b:c:d", "d:c", "a:b", "", ":", "a::b", "a:a:c", "missing:d", "b", "c/:d",
              "a/:d//", "/", "c:c/"]
    for order in orders:
        path = ":".join(str(folders[p.rstrip("/")]) + "/" * (len(p) - len(p.rstrip("/")))
                        if p.rstrip("/") in folders else p for p in order.split(":"))
        for name in ("tool", "dangling", "absent"):
            assert host_which(path)(name) == shutil.which(name, path=path), (order, name)
