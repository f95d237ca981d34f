"""SARIF 2.1.0 output: valid against the official schema, stable fingerprints, repo-relative
URIs, rule metadata from the docstrings."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from qmoi.check import all_rules, check_source
from qmoi.diagnostics import Located
from qmoi.report.files import ReportedFile, repo_relative
from qmoi.report.sarif import FINGERPRINT_KEY, SRCROOT, sarif_log
from qmoi.source import SourceFile

SCHEMA = Path(__file__).parent / "sarif-schema-2.1.0.json"
WORKFLOW = ("on: push\npermissions: {}\njobs:\n  build:\n    runs_on: ubuntu-latest\n"
            "    runs-on: ubuntu-latest\n    steps:\n      - run: make\n")


@cache
def _validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def _file(root: Path, rel: str, text: str) -> ReportedFile:
    path = root / rel
    source = SourceFile(rel, text)
    found = [Located.of(d, source) for d in check_source(source)]
    return ReportedFile(repo_relative(path, root), rel, path, source, found)


def _log(tmp_path: Path, *files: tuple[str, str]) -> dict[str, Any]:
    reported = [_file(tmp_path, rel, text) for rel, text in files]
    return sarif_log(reported, all_rules(), tmp_path)


def _results(log: dict[str, Any]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = log["runs"][0]["results"]
    return results


def test_the_log_is_valid_against_the_official_schema(tmp_path: Path) -> None:
    log = _log(tmp_path, (".github/workflows/ci.yml", WORKFLOW),
               (".github/workflows/bad.yml", "on: push\non: push\n"))
    errors = sorted(_validator().iter_errors(log), key=str)
    assert errors == []
    assert log["version"] == "2.1.0"


def test_the_schema_itself_is_the_vendored_official_one() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    assert _validator().is_valid({"version": "2.1.0", "runs": []})
    assert not _validator().is_valid({"version": "2.0.0", "runs": []})


def test_results_point_into_the_repository_and_at_their_rule(tmp_path: Path) -> None:
    log = _log(tmp_path, (".github/workflows/ci.yml", WORKFLOW))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    (result,) = [r for r in _results(log) if r["ruleId"] == "S101"]
    assert rules[result["ruleIndex"]]["id"] == "S101"
    assert rules[result["ruleIndex"]]["name"] == "unknown-key"
    assert result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": ".github/workflows/ci.yml",
                                            "uriBaseId": SRCROOT}
    assert location["region"] == {"startLine": 5, "startColumn": 5, "endLine": 5,
                                  "endColumn": 12}
    assert run["originalUriBaseIds"][SRCROOT]["uri"] == tmp_path.resolve().as_uri() + "/"
    assert result["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"] == {
        "text": "runs-on"}


def test_every_rule_is_described_with_its_default_level(tmp_path: Path) -> None:
    rules = _log(tmp_path)["runs"][0]["tool"]["driver"]["rules"]
    by_id = {r["id"]: r for r in rules}
    assert set(by_id) == {r.code for r in all_rules()}
    info = by_id["Q901"]
    assert info["defaultConfiguration"] == {"level": "note"}
    assert info["shortDescription"]["text"].startswith("An inline `# qmoi: ignore` comment")
    assert "**Why**" in info["help"]["markdown"]


def test_findings_of_no_registered_rule_get_a_descriptor(tmp_path: Path) -> None:
    log = _log(tmp_path, ("w.yml", "on: push\non: push\n"))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    (result,) = [r for r in _results(log) if r["ruleId"] == "P102"]
    assert rules[result["ruleIndex"]]["name"] == "yaml-syntax"


def _prints(log: dict[str, Any]) -> list[str]:
    return [r["partialFingerprints"][FINGERPRINT_KEY] for r in _results(log)]


def test_fingerprints_survive_lines_added_above_and_tell_duplicates_apart(
    tmp_path: Path,
) -> None:
    before = _prints(_log(tmp_path, ("ci.yml", WORKFLOW)))
    shifted = _prints(_log(tmp_path, ("ci.yml", "# a comment\n\n" + WORKFLOW)))
    assert before == shifted
    assert len(set(before)) == len(before)
    other_file = _prints(_log(tmp_path, ("other.yml", WORKFLOW)))
    assert not set(before) & set(other_file)
    twice = WORKFLOW.replace("runs_on: ubuntu-latest\n", "runs_on: ubuntu-latest\n"
                             "    runs_on: ubuntu-latest\n")
    dupes = [p for p, r in zip(_prints(_log(tmp_path, ("ci.yml", twice))),
                               _results(_log(tmp_path, ("ci.yml", twice))), strict=True)
             if r["ruleId"] == "S101"]
    assert len(set(dupes)) == len(dupes) >= 2


def test_a_file_outside_the_repository_gets_an_absolute_uri(tmp_path: Path) -> None:
    source = SourceFile("x.yml", "on: push\non: push\n")
    found = [Located.of(d, source) for d in check_source(source)]
    outside = ReportedFile(None, "x.yml", tmp_path / "x.yml", source, found)
    log = sarif_log([outside], all_rules(), None)
    uri = _results(log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri == {"uri": (tmp_path / "x.yml").resolve().as_uri()}
    assert "originalUriBaseIds" not in log["runs"][0]
    assert _validator().is_valid(log)
