"""Realistic failed-job logs of each class, as the tools print them."""

from __future__ import annotations

import pytest

from qmoi.learn.classify import explain
from qmoi.learn.repairs import FailureClass, RepairKind

C = FailureClass
TS = "2024-05-06T07:08:09.0000000Z "


def gh(command: str, output: str, code: int = 1) -> str:
    """A GitHub job log of one failing ``run:`` step."""
    lines = ["##[group]Run actions/checkout@v4", "Syncing repository: octo/demo", "##[endgroup]",
             f"##[group]Run {command}", command, "shell: /usr/bin/bash -e {0}", "##[endgroup]",
             *output.strip("\n").split("\n"), f"##[error]Process completed with exit code {code}."]
    return "".join(f"{TS}{line}\n" for line in lines)


PYTEST = """\
============================= test session starts ==============================
collected 42 items

tests/test_api.py ........F.....                                         [ 33%]
tests/test_util.py ............................                          [100%]

=================================== FAILURES ===================================
_______________________________ test_parse_date ________________________________

    def test_parse_date():
>       assert parse_date("2024-02-30") is None
E       AssertionError: assert datetime.date(2024, 3, 1) is None
E        +  where datetime.date(2024, 3, 1) = parse_date('2024-02-30')

tests/test_api.py:57: AssertionError
=========================== short test summary info ============================
FAILED tests/test_api.py::test_parse_date - AssertionError: assert datetime.date(2024, 3, 1)
========================= 1 failed, 41 passed in 1.92s =========================
"""

GO_TEST = """\
go: downloading github.com/stretchr/testify v1.9.0
=== RUN   TestSum
--- PASS: TestSum (0.00s)
=== RUN   TestDivide
    divide_test.go:19: Divide(1, 0) = 0, want error
--- FAIL: TestDivide (0.00s)
FAIL
FAIL	example.com/calc	0.004s
FAIL
"""

CARGO_TEST = """\
   Compiling demo v0.1.0 (/home/runner/work/demo/demo)
    Finished test [unoptimized + debuginfo] target(s) in 2.31s
     Running unittests src/lib.rs (target/debug/deps/demo-1a2b3c)
running 3 tests
test tests::adds ... ok
test tests::splits ... FAILED
test tests::joins ... ok

failures:

---- tests::splits stdout ----
thread 'tests::splits' panicked at src/lib.rs:22:9:
assertion `left == right` failed
  left: 2
 right: 3

failures:
    tests::splits

test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out
error: test failed, to rerun pass `--lib`
"""

JEST = """\
> demo@1.0.0 test
> jest

PASS src/sum.test.js
FAIL src/format.test.js
  ● formatPrice › rounds to cents

    expect(received).toBe(expected) // Object.is equality

    Expected: "1.99"
    Received: "1.985"

      at Object.<anonymous> (src/format.test.js:7:33)

Tests:       1 failed, 5 passed, 6 total
"""

TSC = """\
> demo@1.0.0 build
> tsc -p tsconfig.json

src/index.ts(12,7): error TS2322: Type 'string' is not assignable to type 'number'.
src/index.ts(30,3): error TS2304: Cannot find name 'fetchUser'.
"""

GCC = """\
gcc -O2 -Wall -Werror -c src/main.c -o build/main.o
src/main.c: In function 'main':
src/main.c:14:5: error: implicit declaration of function 'prnitf' [-Wimplicit-function-declaration]
   14 |     prnitf("hello\\n");
      |     ^~~~~~
make: *** [Makefile:8: build/main.o] Error 1
"""

RUSTC = """\
   Compiling demo v0.1.0 (/home/runner/work/demo/demo)
error[E0308]: mismatched types
 --> src/main.rs:4:18
  |
4 |     let x: u32 = "three";
  |            ---   ^^^^^^^ expected `u32`, found `&str`
error: could not compile `demo` (bin "demo") due to 1 previous error
"""

RUFF_FORMAT = """\
Would reformat: src/demo/cli.py
Would reformat: src/demo/core.py
2 files would be reformatted, 14 files already formatted
"""

BLACK = """\
would reformat /home/runner/work/demo/demo/src/app.py
Oh no! 💥 💔 💥
1 file would be reformatted, 20 files would be left unchanged.
"""

PRETTIER = """\
Checking formatting...
[warn] src/App.tsx
[warn] src/index.css
[warn] Code style issues found in 2 files. Run Prettier with --write to fix.
"""

GOFMT = """\
internal/server/handler.go
internal/server/routes.go
"""

CARGO_FMT = """\
Diff in /home/runner/work/demo/demo/src/main.rs at line 1:
-fn main() { println!("hi"); }
+fn main() {
+    println!("hi");
+}
"""

OOM = """\
<--- Last few GCs --->
[1812:0x5d0b0e0]    61234 ms: Mark-sweep 2042.1 (2083.4) -> 2039.9 (2083.9) MB
FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory
 1: 0xb7a940 node::Abort() [node]
Aborted (core dumped)
"""

APT_NETWORK = """\
Reading package lists...
Err:1 http://azure.archive.ubuntu.com/ubuntu jammy-updates/main amd64 libssl-dev amd64 3.0.2
  Could not connect to azure.archive.ubuntu.com:80 (52.252.75.106), connection timed out
E: Failed to fetch http://azure.archive.ubuntu.com/ubuntu/pool/main/o/openssl/libssl-dev.deb
E: Unable to fetch some archives, maybe run apt-get update or try with --fix-missing?
"""

PIP_NETWORK = """\
Collecting requests==2.32.3
  WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ReadTimeoutError("HTTPSConnectionPool(host='pypi.org', port=443): Read timed out. (read timeout=15)")': /simple/requests/
ERROR: Could not install packages due to an OSError: HTTPSConnectionPool(host='files.pythonhosted.org', port=443): Max retries exceeded with url: /packages/requests.whl (Caused by ReadTimeoutError("Read timed out."))
"""  # noqa: E501

PIP_RESOLUTION = """\
Collecting numpy==1.10.4
ERROR: Could not find a version that satisfies the requirement numpy==1.10.4 (from versions: 1.21.0, 1.26.4)
ERROR: No matching distribution found for numpy==1.10.4
"""  # noqa: E501

NPM_RESOLUTION = """\
npm ERR! code ERESOLVE
npm ERR! ERESOLVE unable to resolve dependency tree
npm ERR! Found: react@18.3.1
npm ERR! Could not resolve dependency:
npm ERR! peer react@"^16.8.0" from react-dom@16.14.0
npm ERR! A complete log of this run can be found in: /home/runner/.npm/_logs/debug-0.log
"""

COMMAND_NOT_FOUND = """\
./scripts/build.sh: line 4: yarnn: command not found
"""

CASES = [
    ("pytest -q", PYTEST, C.TEST, RepairKind.RERUN_FLAKY),
    ("go test ./...", GO_TEST, C.TEST, RepairKind.RERUN_FLAKY),
    ("cargo test", CARGO_TEST, C.TEST, RepairKind.RERUN_FLAKY),
    ("npm test", JEST, C.TEST, RepairKind.RERUN_FLAKY),
    ("npm run build", TSC, C.COMPILATION, RepairKind.MANUAL),
    ("make", GCC, C.COMPILATION, RepairKind.MANUAL),
    ("cargo build", RUSTC, C.COMPILATION, RepairKind.MANUAL),
    ("ruff format --check .", RUFF_FORMAT, C.LINT, RepairKind.FORMATTER),
    ("black --check .", BLACK, C.LINT, RepairKind.FORMATTER),
    ("npx prettier --check .", PRETTIER, C.LINT, RepairKind.FORMATTER),
    ('test -z "$(gofmt -l .)" || (gofmt -l . && exit 1)', GOFMT, C.LINT, RepairKind.FORMATTER),
    ("cargo fmt --check", CARGO_FMT, C.LINT, RepairKind.FORMATTER),
    ("npm run build", OOM, C.RESOURCES, RepairKind.RETRY),
    ("sudo apt-get install -y libssl-dev", APT_NETWORK, C.TRANSIENT, RepairKind.RETRY),
    ("pip install -r requirements.txt", PIP_NETWORK, C.TRANSIENT, RepairKind.RETRY),
    ("pip install -r requirements.txt", PIP_RESOLUTION, C.DEPENDENCY, RepairKind.RETRY),
    ("npm ci", NPM_RESOLUTION, C.DEPENDENCY, RepairKind.RETRY),
    ("./scripts/build.sh", COMMAND_NOT_FOUND, C.MISCONFIGURATION, RepairKind.WORKFLOW_PATCH),
]


@pytest.mark.parametrize(("command", "output", "expected", "repair"), CASES,
                         ids=[f"{c[2].value}-{c[0].split()[0]}-{i}" for i, c in enumerate(CASES)])
def test_sample_logs_classify(command: str, output: str, expected: FailureClass,
                              repair: RepairKind) -> None:
    explanation = explain(gh(command, output))
    assert explanation.failure_class is expected, explanation
    assert explanation.repair.kind is repair
    assert explanation.signature is not None
    assert 0 < len(explanation.lines) <= 20


@pytest.mark.parametrize(("command", "output", "fix"), [
    ("ruff format --check .", RUFF_FORMAT, "ruff format ."),
    ("black --check .", BLACK, "black ."),
    ("npx prettier --check .", PRETTIER, "prettier --write ."),
    ('test -z "$(gofmt -l .)"', GOFMT, "gofmt -w ."),
    ("cargo fmt --check", CARGO_FMT, "cargo fmt --all"),
])
def test_a_format_gate_is_repaired_by_its_own_fix_mode(command: str, output: str,
                                                        fix: str) -> None:
    assert explain(gh(command, output)).repair.command == fix


RUFF_FORMAT_NEW = """\
unformatted: File would be reformatted
 --> src/demo/cli.py:1:1
  |
1 | x=1
  |
1 file would be reformatted, 3 files already formatted
"""


@pytest.mark.parametrize(("output", "fix"), [
    (RUFF_FORMAT, "ruff format ."),
    (RUFF_FORMAT_NEW, "ruff format ."),
    ("2 files would be reformatted\n", "ruff format ."),
    (BLACK, "black ."),
    ("All done! ✨ 🍰 ✨\n1 file would be reformatted.\n", "black ."),
])
def test_the_formatter_is_told_from_its_output_when_the_command_hides_it(output: str,
                                                                          fix: str) -> None:
    # A `make check` step names neither tool: ruff's summary (no full stop, "already
    # formatted") and black's ("would be left unchanged.") must not be taken for each other.
    assert explain(gh("make check", output)).repair.command == fix


def test_the_pytest_failure_lines_are_the_assertion_not_the_summary_banner() -> None:
    explanation = explain(gh("pytest -q", PYTEST))
    texts = [p.text for p in explanation.lines]
    assert any(t.startswith("E       AssertionError") for t in texts)
    assert not any("test session starts" in t for t in texts)


def test_a_log_without_any_failure_signal_is_unknown() -> None:
    explanation = explain("hello\nworld\n")
    assert explanation.failure_class is C.UNKNOWN
    assert explanation.signature is None
    assert explanation.repair.kind is RepairKind.MANUAL


def test_an_empty_log_is_unknown_with_no_lines() -> None:
    explanation = explain("")
    assert explanation.failure_class is C.UNKNOWN
    assert explanation.lines == ()
