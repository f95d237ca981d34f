"""Heuristic failure signatures, as data: what common tools print when they fail, the class
that output means, and (for format gates) the tool's fix mode.

Each heuristic votes with its weight for every picked line it matches; the class with the most
weight wins (ties go to the earlier class in ``PRIORITY``). Specific, unambiguous wording gets a
high weight; words that also appear in other failures a low one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qmoi.learn.repairs import FailureClass, Repair, formatter

C = FailureClass


@dataclass(frozen=True, slots=True)
class Heuristic:
    """A tool's failure wording, the failure class it votes for and how strongly."""

    name: str
    failure_class: FailureClass
    pattern: re.Pattern[str]
    weight: float
    repair: Repair | None = None


def _h(name: str, failure_class: FailureClass, pattern: str, weight: float,
       repair: Repair | None = None, flags: int = 0) -> Heuristic:
    return Heuristic(name, failure_class, re.compile(pattern, flags), weight, repair)


_I = re.IGNORECASE

HEURISTICS: tuple[Heuristic, ...] = (
    # -- resources
    _h("out-of-memory", C.RESOURCES,
       r"out of memory|OutOfMemoryError|Cannot allocate memory|\bMemoryError\b|oom-kill"
       r"|JavaScript heap out of memory|std::bad_alloc|exit code 137|signal: killed"
       r"|^\s*Killed\s*$", 6.0),
    _h("disk-full", C.RESOURCES,
       r"No space left on device|\bENOSPC\b|Disk quota exceeded|not enough (?:disk )?space", 6.0),
    # -- transient
    _h("network-error", C.TRANSIENT,
       r"Connection reset by peer|\bECONNRESET\b|\bETIMEDOUT\b|\bEAI_AGAIN\b|socket hang up"
       r"|Could not resolve host|Temporary failure in name resolution|Name or service not known"
       r"|TLS handshake timeout|Network is unreachable|Connection timed out|Read timed out"
       r"|i/o timeout|ReadTimeoutError|ConnectTimeoutError|Max retries exceeded"
       r"|RemoteDisconnected|Remote end closed connection|unexpected EOF"
       r"|Received fatal alert|fatal: unable to access|No route to host|Failed to fetch https?://"
       r"|Unable to fetch some archives|Hash Sum mismatch|Could not connect to", 5.0),
    _h("server-error", C.TRANSIENT,
       r"\b50[0234]\b.{0,40}(?:Server Error|Bad Gateway|Service Unavailable|Gateway Time)"
       r"|HTTP(?: Error|/\d(?:\.\d)?) 50[0234]|returned error: 50[0234]|status code 50[0234]",
       5.0),
    _h("rate-limit", C.TRANSIENT, r"rate limit|too many requests|\b429\b", 5.0, flags=_I),
    _h("runner-lost", C.TRANSIENT,
       r"lost communication with the server|received a shutdown signal"
       r"|No output has been received in the last|exceeded the maximum (?:execution )?time"
       r"|The operation was canceled", 4.0),
    # -- dependency resolution and installation
    _h("pip-resolution", C.DEPENDENCY,
       r"No matching distribution found|Could not find a version that satisfies"
       r"|ResolutionImpossible|conflicting dependencies|Failed building wheel"
       r"|Failed to build .* wheel|pip's dependency resolver", 5.0),
    _h("npm-resolution", C.DEPENDENCY,
       r"\bERESOLVE\b|Could not resolve dependency|No matching version found|npm ERR! 404"
       r"|\bETARGET\b|Couldn't find (?:any versions|package)|peer dep", 5.0),
    _h("jvm-resolution", C.DEPENDENCY,
       r"Could not resolve dependencies|Could not find artifact|Could not transfer artifact"
       r"|Could not resolve all (?:files|dependencies|artifacts)|Failed to collect dependencies",
       5.0),
    _h("cargo-resolution", C.DEPENDENCY,
       r"failed to select a version|no matching package named|failed to load source for"
       r" dependency", 5.0),
    _h("go-resolution", C.DEPENDENCY,
       r"cannot find module providing package|unknown revision|missing go\.sum entry"
       r"|go: .*: reading .*: 404", 5.0),
    _h("package-resolution", C.DEPENDENCY,
       r"PackagesNotFoundError|UnsatisfiableError|ResolvePackageNotFound"
       r"|Your requirements could not be resolved|Could not find gem|Bundler could not find"
       r"|Gem::MissingSpecError|could not find compatible versions|Unable to locate package"
       r"|has no installation candidate|unmet dependencies|An error occured while installing"
       r"|error while installing", 5.0),
    _h("missing-module", C.DEPENDENCY,
       r"ModuleNotFoundError|ImportError: No module named|Cannot find module '"
       r"|Can't resolve '|LoadError: cannot load such file", 2.5),
    # -- compilation
    _h("compiler-error", C.COMPILATION,
       r"^\S+?:\d+(?::\d+)?: (?:fatal )?error:|undefined reference to|collect2: error"
       r"|ld returned \d+ exit status|error\[E\d{4}\]|could not compile `|error TS\d+:"
       r"|error CS\d{4}|error: cannot find symbol|COMPILATION ERROR|Compilation failed"
       r"|compile\w*(?:Java|Kotlin|Scala) FAILED|\[ERROR\] \S+\.java:\[\d+|^e: \S+\.kt"
       r"|\[error\] \S+\.scala:\d+|\bSyntaxError:|\bIndentationError:|\bCompileError\b"
       r"|error generated\.|errors generated\.", 4.0),
    _h("go-compile", C.COMPILATION,
       r"\bundefined: \w+|declared (?:and|but) not used|imported and not used"
       r"|cannot use .* as .* (?:value|type)", 3.5),
    # -- lint and format gates (the tool decides the repair)
    # ruff before 0.12 prints "Would reformat: <path>", later "unformatted: File would be
    # reformatted"; its summary ends "already formatted" with no full stop, where black's
    # ends "would be left unchanged." (https://github.com/astral-sh/ruff/issues/9132).
    _h("ruff-format", C.LINT,
       r"^Would reformat: |^unformatted: File would be reformatted"
       r"|files? would be reformatted(?:, \d+ files? already formatted)?$|ruff format",
       6.0, formatter("ruff format", "ruff format .")),
    _h("ruff-check", C.LINT, r"fixable with the `--fix` option|\bruff check\b", 6.0,
       formatter("ruff", "ruff check --fix .")),
    _h("black", C.LINT, r"^would reformat |Oh no! 💥|files? would be reformatted\b.*\.$", 6.0,
       formatter("black", "black .")),
    _h("isort", C.LINT, r"Imports are incorrectly sorted", 6.0, formatter("isort", "isort .")),
    _h("prettier", C.LINT,
       r"Code style issues (?:found|were found)|Forgot to run Prettier|\bprettier --check", 6.0,
       formatter("prettier", "prettier --write .")),
    _h("eslint", C.LINT, r"✖ \d+ problems? \(\d+ errors?|^\s*\d+:\d+\s+error\s+.+\s{2,}[\w/@-]+$"
       r"|\beslint\b", 5.0, formatter("eslint", "eslint --fix .")),
    _h("gofmt", C.LINT, r"\bgofmt\b|\bgoimports\b|not gofmt-?ed|is not goimported", 5.0,
       formatter("gofmt", "gofmt -w .")),
    _h("cargo-fmt", C.LINT, r"^Diff in \S+\.rs at line \d+|\bcargo fmt\b|\brustfmt\b", 6.0,
       formatter("cargo fmt", "cargo fmt --all")),
    _h("rubocop", C.LINT, r"offenses? detected|inspected, \d+ offenses?|\brubocop\b", 5.0,
       formatter("rubocop", "rubocop -a")),
    _h("clang-format", C.LINT, r"\bclang-format\b", 5.0,
       formatter("clang-format", "clang-format -i $(git ls-files '*.c' '*.cc' '*.cpp' '*.h')")),
    _h("standard", C.LINT, r"standard: Use JavaScript Standard Style", 5.0,
       formatter("standard", "standard --fix")),
    _h("lint-report", C.LINT,
       r"^\S+\.py:\d+:\d+: [EWFC]\d{3} |\bflake8\b|\bpylint\b|\bshellcheck\b|\bgolint\b"
       r"|\bclippy\b|\bswiftlint\b|\bViolation\b|\blint(?:er|ing)?\b.*(?:fail|error|found)"
       r"|Line (?:too )?long|longer than \d+ characters|trailing whitespace|\bcodespell\b",
       3.0, flags=_I),
    # -- tests
    _h("test-failure", C.TEST,
       r"^=+ .*\bfailed\b.*=+$|^FAILED \S+::|^E\s{2,}\S|^--- FAIL: |^FAIL\s+\S+\s+[\d.]+s$"
       r"|^test result: FAILED|^test \S+ \.\.\. FAILED|Tests run: \d+, Failures: [1-9]"
       r"|Tests run: \d+, Failures: \d+, Errors: [1-9]|There (?:was|were) \d+ failures?"
       r"|^FAILURES!|\[FAIL\]|\*\*\* FAILED \*\*\*|Failed tests:|Tests in error:"
       r"|\d+ examples?, [1-9]\d* failures?|\d+ tests?, [1-9]\d* failures?|\d+ failing$"
       r"|^Tests:\s+\d+ failed|\btests? failed\b|^not ok \d+|AssertionError|assert(?:ion)? failed"
       r"|> \w+ FAILED$|^\s*\d+\) test|panicked at", 4.0),
    # -- misconfiguration
    _h("command-or-file", C.MISCONFIGURATION,
       r"command not found|No such file or directory|Permission denied"
       r"|is not recognized as an internal or external command|flag provided but not defined"
       r"|[Uu]nrecognized (?:option|argument)|unknown (?:option|flag|command)|Illegal switch"
       r"|Invalid workflow file|Unable to resolve action|Resource not accessible", 2.5),
    # -- deprecation (other than the known signatures)
    _h("deprecated", C.DEPRECATION,
       r"is deprecated and (?:will be|has been) removed|no longer supported|has been removed in",
       2.0),
)

# Ties between classes go to the more specific, more actionable reading.
PRIORITY: tuple[FailureClass, ...] = (
    C.RESOURCES, C.TRANSIENT, C.DEPENDENCY, C.LINT, C.COMPILATION, C.TEST,
    C.MISCONFIGURATION, C.DEPRECATION, C.UNKNOWN,
)
