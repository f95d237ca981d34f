"""Every known-failures row with a log signature classifies a realistic GitHub job log to
itself; the bundled data matches what the generator makes of the reference table."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from qmoi.learn.classify import explain
from qmoi.learn.repairs import FailureClass, RepairKind
from qmoi.learn.signatures import known_failures

REPO = Path(__file__).resolve().parents[2]
TS = "2025-03-04T10:11:12.1234567Z "

# The message each row's job prints, written out as GitHub shows it (not derived from the regex).
MESSAGES: dict[str, str] = {
    "1": "##[warning]The `set-output` command is deprecated and will be disabled soon. Please "
         "upgrade to using Environment Files.",
    "2": "##[warning]The `save-state` command is deprecated and will be disabled soon. Please "
         "upgrade to using Environment Files.",
    "3": "##[error]Unable to process command '::set-env name=PATH::/opt/bin' successfully.\n"
         "##[error]The `set-env` command is disabled. Please upgrade to using Environment Files "
         "or opt into unsecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_COMMANDS`"
         " environment variable to `true`.",
    "4": "##[error]Unable to process command '::add-path::/home/runner/.local/bin' successfully."
         "\n##[error]The `add-path` command is disabled.",
    "5": "##[warning]Node.js 12 actions are deprecated. Please update the following actions to "
         "use Node.js 16: actions/checkout@v2, actions/setup-node@v2. For more information see: "
         "https://github.blog/changelog/2022-09-22-github-actions-all-actions-will-begin-running"
         "-on-node16-instead-of-node12/.",
    "6": "##[warning]Node.js 16 actions are deprecated. Please update the following actions to "
         "use Node.js 20: actions/checkout@v3. For more information see: https://github.blog/"
         "changelog/2023-09-22-github-actions-transitioning-from-node-16-to-node-20/.",
    "7": "##[warning]Node.js 20 actions are deprecated. The following actions are running on "
         "Node.js 20 and may not work as expected: actions/checkout@v4. Actions will be forced "
         "to run with Node.js 24 by default starting June 2nd, 2026. Node.js 20 will be removed",
    "8": "##[error]This request has been automatically failed because it uses a deprecated "
         "version of `actions/upload-artifact: v2`. Learn more: https://github.blog/changelog/"
         "2024-02-13-deprecation-notice-v1-and-v2-of-the-artifact-actions/",
    "9": "##[error]This request has been automatically failed because it uses a deprecated "
         "version of `actions/download-artifact: v3`. Learn more: https://github.blog/",
    "10": "##[error]Failed to CreateArtifact: Received non-retryable error: Failed request: (409)"
          " Conflict: an artifact with this name already exists on the workflow run",
    "11": "##[error]This request has been automatically failed because it uses a deprecated "
          "version of `actions/cache: v2`. Please update your workflow to use v3/v4 of "
          "actions/cache to avoid interruptions.",
    "12": "##[error]This is a scheduled Ubuntu-18.04 brownout. The Ubuntu-18.04 environment is "
          "deprecated and will be removed on April 1st, 2023.",
    "13": "##[error]This is a scheduled Ubuntu 20.04 brownout. Ubuntu 20.04 LTS runner will be "
          "removed on 2025-04-15.",
    "14": "##[error]This is a scheduled macOS-11 brownout. The macOS-11 environment is "
          "deprecated and will be removed on June 28th, 2024.",
    "15": "##[warning]The macOS-12 environment is deprecated, consider switching to macOS-13, "
          "macOS-14 (macos-latest) or macOS-15. For more details, see https://github.com/",
    "16": "##[error]This is a scheduled macos-13 brownout. The macOS-13 based runner images are "
          "being deprecated, consider switching to macOS-15 (macos-15-intel) or macOS 15 arm64 "
          "(macos-latest) instead.",
    "17": "##[error]This is a scheduled Windows Server 2019 brownout. The windows-2019 runner "
          "image is being deprecated, consider switching to windows-2022(windows-latest) or "
          "windows-2025 instead.",
    "18": "##[error]Unable to resolve action `actions/setup-python@1.1.0`, unable to find "
          "version `1.1.0`",
    "19": "Invalid workflow file: .github/workflows/ci.yml#L12\n"
          "You have an error in your yaml syntax on line 12",
    "20": "RequestError [HttpError]: Resource not accessible by integration\n"
          "##[error]Resource not accessible by integration",
    "21": "##[error]The job running on runner GitHub Actions 2 has exceeded the maximum "
          "execution time of 360 minutes.",
    "22": "##[error]The runner has received a shutdown signal. This can happen when the runner "
          "service is stopped, or a manually started runner is canceled.",
    "23": "OSError: [Errno 28] No space left on device: '/home/runner/work/_temp'\n"
          "##[error]Process completed with exit code 1.",
    "24": "Error: API rate limit exceeded for 20.1.2.3. (But here's the good news: "
          "Authenticated requests get a higher rate limit.)\n"
          "##[error]Process completed with exit code 1.",
}

# Rows the reference describes without a log message of their own.
WITHOUT_LOG_SIGNATURE = {"17b", "25"}


def github_log(body: str) -> str:
    """A job log as GitHub serves it: set-up group, the step, timestamps on every line."""
    lines = ["##[group]Runner Image", "Image: ubuntu-24.04", "##[endgroup]",
             "##[group]Run ./ci.sh", "./ci.sh", "shell: /usr/bin/bash -e {0}", "##[endgroup]",
             "Installing...", "Done installing 12 packages", *body.split("\n")]
    return "".join(f"{TS}{line}\n" for line in lines)


def test_every_row_is_in_the_data() -> None:
    ids = [s.id for s in known_failures().signatures]
    assert ids == [*(str(n) for n in range(1, 18)), "17b", *(str(n) for n in range(18, 26))]
    assert {s.id for s in known_failures().signatures if not s.patterns} == WITHOUT_LOG_SIGNATURE


@pytest.mark.parametrize("row", sorted(MESSAGES, key=lambda r: int(r)))
def test_each_signature_row_classifies_its_log(row: str) -> None:
    explanation = explain(github_log(MESSAGES[row]))
    signature = next(s for s in known_failures().signatures if s.id == row)
    assert explanation.signature == f"known-failures#{row}"
    assert explanation.failure_class is signature.failure_class
    assert explanation.repair == signature.repair
    assert explanation.lines, "the matching line is among the explaining lines"
    assert any(MESSAGES[row].split("\n")[0][-30:] in p.text for p in explanation.lines)


def test_exit_137_is_out_of_memory_not_a_lost_runner() -> None:
    explanation = explain(github_log("Running 8 workers\n"
                                     "##[error]Process completed with exit code 137."))
    assert explanation.signature == "known-failures#22"
    assert explanation.failure_class is FailureClass.RESOURCES


def test_a_cancellation_with_another_error_is_not_a_lost_runner() -> None:
    log = github_log("FAILED tests/test_a.py::test_x - assert 1 == 2\n"
                     "##[error]Process completed with exit code 1.\n"
                     "##[error]The operation was canceled.")
    assert explain(log).signature != "known-failures#22"
    alone = explain(github_log("building...\n##[error]The operation was canceled."))
    assert alone.signature == "known-failures#22"
    assert alone.failure_class is FailureClass.TRANSIENT


def test_warning_rows_do_not_hide_the_real_failure() -> None:
    log = github_log(MESSAGES["6"] + "\n"
                     "error[E0425]: cannot find value `x` in this scope\n"
                     " --> src/main.rs:2:5\n"
                     "error: could not compile `demo` due to previous error\n"
                     "##[error]Process completed with exit code 101.")
    explanation = explain(log)
    assert explanation.failure_class is FailureClass.COMPILATION
    alone = explain(github_log(MESSAGES["6"]))
    assert alone.signature == "known-failures#6"
    assert alone.repair.kind is RepairKind.BUMP_ACTION


def test_the_never_apply_list_names_the_escape_hatches() -> None:
    never = known_failures().never_apply
    for token in ("ACTIONS_ALLOW_UNSECURE_COMMANDS", "ACTIONS_ALLOW_USE_UNSECURE_NODE_VERSION",
                  "pull_request_target", "@main", "deleting tests"):
        assert token in never


def test_retired_labels_are_parameters_of_row_17b() -> None:
    raw = json.loads((REPO / "src/qmoi/data/known_failures.json").read_text("utf-8"))
    row = next(r for r in raw["signatures"] if r["id"] == "17b")
    assert "ubuntu-20.04" in row["params"]["retired_labels"]
    assert "macos-13" in row["params"]["retired_labels"]


def test_the_bundled_data_is_what_the_generator_makes(shared: Path) -> None:
    spec = importlib.util.spec_from_file_location("gen_known_failures",
                                                  REPO / "scripts/gen_known_failures.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    markdown = (shared / "reference" / "known-failures.md").read_text("utf-8")
    bundled = json.loads((REPO / "src/qmoi/data/known_failures.json").read_text("utf-8"))
    assert generator.generate(markdown) == bundled
