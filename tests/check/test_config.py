"""`.github/qmoi.yml`: parsing, validation with locations, and how the driver applies it."""

from __future__ import annotations

import pytest

from qmoi.check import Project, all_rules, check_source
from qmoi.check.config import (
    CONFIG_PATH,
    Config,
    Selection,
    check_config,
    choose_rules,
    parse_config,
)
from qmoi.diagnostics import Severity
from qmoi.source import SourceFile

# Two unknown keys (S101) and a step with neither run nor uses (S107 step-kind).
WORKFLOW = """on: push
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    runs_on: ubuntu-latest
    timeout: 5
    steps:
      - name: nothing
"""


def _lint(config: str | None, path: str = ".github/workflows/ci.yml",
          selection: Selection | None = None) -> list[tuple[str, str]]:
    files = () if config is None else ((CONFIG_PATH, config),)
    project = Project(files, path)
    found = check_source(SourceFile("ci.yml", WORKFLOW), "workflow", None, project,
                         selection=selection)
    return [(d.rule, d.severity.value) for d in found if d.code.startswith("S1")]


def _problems(text: str) -> list[tuple[str, str]]:
    """(offending text, message) of each problem, located in the file."""
    return [(text[p.span.start:p.span.end], p.message) for p in parse_config(text).problems]


def test_without_config_every_structural_rule_reports() -> None:
    assert _lint(None) == [("unknown-key", "error"), ("unknown-key", "error"),
                           ("step-kind", "error")]


def test_ignore_by_name_and_select_by_code_prefix() -> None:
    assert _lint("rules:\n  ignore: [unknown-key]\n") == [("step-kind", "error")]
    assert _lint("rules:\n  select: [S101]\n") == [("unknown-key", "error")] * 2
    assert _lint("rules:\n  select: S1\n  ignore: S107\n") == [("unknown-key", "error")] * 2


def test_severity_override_by_name_code_and_prefix() -> None:
    assert _lint("rules:\n  severity: {unknown-key: info, S1: warning}\n") == [
        ("unknown-key", "info"), ("unknown-key", "info"), ("step-kind", "warning")]
    assert Config(severity=(("S", "info"), ("S10", "warning"))).severity_for(
        "S101", "unknown-key") is Severity.WARNING


@pytest.mark.parametrize("pattern", [".github/workflows/ci.yml", "./.github/workflows/ci.yml",
                                     ".github/workflows/*.yml", "'*/ci.yml'"])
def test_per_path_ignores_match_exactly_or_by_fnmatch(pattern: str) -> None:
    config = f"paths:\n  {pattern}:\n    ignore: [step-kind]\n"
    assert _lint(config) == [("unknown-key", "error")] * 2
    assert _lint(config, path=".github/workflows/other.yaml")[-1] == ("step-kind", "error")


def test_command_line_select_wins_over_config_and_ignore_always_applies() -> None:
    config = "rules:\n  ignore: [unknown-key]\npaths:\n  '*':\n    ignore: [S]\n"
    assert _lint(config) == []
    assert _lint(config, selection=Selection(("unknown-key",))) == [("unknown-key", "error")] * 2
    assert _lint(None, selection=Selection((), ("S107",))) == [("unknown-key", "error")] * 2
    assert _lint("rules:\n  select: [S107]\n", selection=Selection(("S1",), ("S107",))) == [
        ("unknown-key", "error")] * 2


def test_choose_rules_keeps_registry_order() -> None:
    chosen = choose_rules(all_rules(), Config(ignore=("S1",)), None)
    assert chosen and not any(r.code.startswith("S1") for r in chosen)
    assert list(chosen) == sorted(chosen, key=lambda r: r.code)


def test_problems_are_located_and_the_rest_still_applies() -> None:
    text = ("rules:\n  select: [S, nope]\n  ignore: {a: b}\n  severity: {S101: loud, ghost: info}\n"
            "actions:\n  pinning: strict\n  trusted: [me/*]\nextra: 1\n"
            "self-hosted-runner:\n  labels: [gpu]\n  label: x\npaths:\n  a.yml: [x]\n"
            "  b.yml:\n    ignore: [S101]\n    select: [x]\n")
    assert _problems(text) == [
        ("extra", 'unknown key "extra"; expected one of rules, self-hosted-runner, actions, '
                  "paths, runners, qcity, fixer"),
        ("label", 'unknown key "label" in self-hosted-runner; expected one of labels'),
        ("nope", 'unknown rule "nope": not a rule name, code or code prefix'),
        ("{a: b}", "rules.ignore must be a list of strings, not a mapping"),
        ("loud", 'severity of "S101" must be one of error, warning, info, not "loud"'),
        ("ghost", 'unknown rule "ghost" in rules.severity'),
        ("strict", 'actions.pinning must be one of none, tag, sha, not "strict"'),
        ("[x]", 'paths."a.yml" must be a mapping with "ignore"'),
        ("select", 'unknown key "select" in paths."b.yml"; expected ignore'),
    ]
    config = parse_config(text)
    assert config.select == ("S", "nope")
    assert config.pinning == "none"
    assert config.trusted == ("me/*",)
    assert config.self_hosted_labels == ("gpu",)
    assert config.path_ignores == (("b.yml", ("S101",)),)


def test_defaults_and_empty_files() -> None:
    for text in ("", "# nothing\n", "rules:\n"):
        config = parse_config(text)
        assert config == Config() and config.problems == ()
    assert parse_config("actions: {pinning: sha}\n").trusted == ("actions/*", "github/*")


def test_config_file_as_a_lint_target() -> None:
    found = check_config(SourceFile(CONFIG_PATH, "rules:\n  ignore: [unknwn-key]\n"))
    assert [(d.code, d.rule, d.severity, d.span) for d in found] == [
        ("Q902", "invalid-config", Severity.ERROR, found[0].span)]
    assert "unknwn-key" in found[0].message
    broken = check_config(SourceFile(CONFIG_PATH, "rules: [\n"))
    assert [d.code[0] for d in broken] == ["P"]
    not_mapping = check_config(SourceFile(CONFIG_PATH, "- a\n"))
    assert [d.message for d in not_mapping] == [
        "the configuration must be a mapping, not a sequence"]


def test_a_broken_config_still_lets_workflows_be_checked() -> None:
    assert _lint("rules: [\n") == _lint(None)
    assert _lint("- just a list\n") == _lint(None)


def test_fixer_command_is_read_and_checked() -> None:
    assert parse_config("fixer:\n  command: ./fix.sh --diff\n").fixer_command == "./fix.sh --diff"
    assert parse_config("rules: {}\n").fixer_command is None
    assert _problems("fixer:\n  command: [a]\n  cmd: x\n") == [
        ("cmd", 'unknown key "cmd" in fixer; expected one of command'),
        ("[a]", "fixer.command must be a shell command"),
    ]
