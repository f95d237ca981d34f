"""``qmoi lint`` without Typer: the fast parser takes the usual forms, gives every other
form to Typer, and both paths give the same output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qmoi import startcache
from qmoi.cli.app import run as typer_run
from qmoi.cli.lint import Format, parse_fast
from qmoi.cli.main import main

BROKEN = ("on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
          "    runs_on: ubuntu-22.04\n    steps:\n"
          "      - run: echo ${{ github.event.issue.title }}\n")


def test_the_usual_forms_are_parsed() -> None:
    options = parse_fast(["-f", "json", "--select=S101,X101", "--ignore", "Z701", "--no-cache",
                          "--no-shellcheck", "a.yml", "--", "-odd.yml"])
    assert options == {"paths": [Path("a.yml"), Path("-odd.yml")], "output": Format.JSON,
                       "select": ["S101,X101"], "ignore": ["Z701"], "fix": False,
                       "unsafe": False, "no_cache": True, "shellcheck": False}
    assert parse_fast([]) == {"paths": [], "output": Format.TEXT, "select": [], "ignore": [],
                              "fix": False, "unsafe": False, "no_cache": False,
                              "shellcheck": None}
    fixing = parse_fast(["--fix", "--unsafe", "--shellcheck"])
    assert fixing is not None and fixing["fix"] and fixing["unsafe"] and fixing["shellcheck"]


@pytest.mark.parametrize("argv", [
    ["--help"], ["-h"], ["--format", "xml"], ["--format"], ["--select"], ["-fjson"],
    ["-f=json"], ["--no-cache=1"], ["--frobnicate"], ["--select", "--no-cache"],
])
def test_every_other_form_goes_to_typer(argv: list[str]) -> None:
    assert parse_fast(argv) is None


def test_fast_and_typer_paths_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "ci.yml").write_text(BROKEN, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for output in ("text", "json", "sarif", "github"):
        argv = ["lint", "--no-cache", "--no-shellcheck", "--format", output]
        assert main(argv) == 1
        fast = capsys.readouterr().out
        assert typer_run(argv) == 1
        assert capsys.readouterr().out == fast and fast
    assert not startcache.installed()  # an in-process lint leaves the interpreter as it was


def test_a_lint_process_imports_no_typer(tmp_path: Path) -> None:
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "ci.yml").write_text(BROKEN, encoding="utf-8")
    code = ("import sys; from qmoi.cli.main import main; code = main(['lint', '--no-cache']);"
            "print(code, 'typer' in sys.modules, 'click' in sys.modules, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, check=True,
                          env={"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(tmp_path / "c")})
    assert done.stderr.split()[-3:] == ["1", "False", "False"]
    assert "[unknown-key]" in done.stdout or "runs_on" in done.stdout


def test_a_lint_process_ends_with_all_its_output_and_cache_written(tmp_path: Path) -> None:
    # As the qmoi entry point (main() with no argv), a lint ends through exit_now: the
    # whole report, the exit code and the result cache must survive the skipped tear-down.
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    for n in range(30):  # enough files for the forked checkers
        (folder / f"ci{n}.yml").write_text(BROKEN, encoding="utf-8")
    code = "import sys; from qmoi.cli.main import main; sys.argv = ['qmoi', 'lint', '--format', " \
           "'json']; sys.exit(main())"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin",
                                          "XDG_CACHE_HOME": str(tmp_path / "c")})
    assert done.returncode == 1, done.stderr
    found = json.loads(done.stdout)
    assert {item["path"] for item in found} == {f".github/workflows/ci{n}.yml" for n in range(30)}
    assert list((tmp_path / ".qmoi" / "cache").glob("lint-*.json"))
