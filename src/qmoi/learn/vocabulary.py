"""What failure lines look like, as data: weighted patterns the extractor scores lines with.

Weights are hand-set from what build tools print (not fitted to any corpus): strong signals are
lines a tool writes only when something went wrong; weak ones are words that also appear in
harmless output; negative ones are false friends ("0 errors") and noise (downloads, progress).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Cue:
    """A pattern and the score it adds to a line that matches it. ``needles`` are lower-case
    substrings one of which any match contains: a cheap test that skips most lines, since a
    regular expression without a literal prefix scans slowly over a million log lines."""

    name: str
    pattern: re.Pattern[str]
    weight: float
    needles: tuple[str, ...]

    def matches(self, text: str, lowered: str) -> bool:
        return any(needle in lowered for needle in self.needles) and bool(
            self.pattern.search(text))


def _cue(name: str, needles: str, pattern: str, weight: float, flags: int = 0) -> Cue:
    return Cue(name, re.compile(pattern, flags), weight, tuple(needles.split("|")))


# Any of these words makes a line an "error-word line" (the baseline's notion, too).
ERROR_WORDS = re.compile(
    r"error|fail|exception|traceback|fatal|panic|cannot|can't|could not|unable to|not found"
    r"|no such file|denied|abort|segmentation fault|killed|timed? ?out|undefined|assert", re.I)

CUES: tuple[Cue, ...] = (
    # Compiler and linter diagnostics: file:line[:col]: error: message.
    _cue("diagnostic", "error", r"^\S+?:\d+(?::\d+)?:?\s*(?:fatal )?error\b", 4.0, re.I),
    _cue("error-label", "error",
         r"(?:^|[\s\[(])(?:fatal )?error(?:\[\w+\])?\s*[:!\]]", 3.0, re.I),
    _cue("error-prefix", "error|fatal", r"^\W{0,3}(?:ERROR|Error|FATAL|Fatal|fatal)\b", 2.5),
    _cue("traceback", "traceback", r"^\s*Traceback \(most recent call last\)", 3.0),
    _cue("exception", "error|exception|failure|panic",
         r"^\s*(?:[\w.$]+\.)?\w*(?:Error|Exception|Failure|Panic)\b(?::|$)", 3.0),
    _cue("caused-by", "caused by", r"^\s*Caused by:", 2.0),
    _cue("test-fail", "fail|not ok|) |✖|✗|×",
         r"--- FAIL|^\s*FAIL\b|\[FAIL\]|\bFAILED\b|\bFAILURES?\b|^\s*not ok\b"
         r"|\*\*\* ?FAILED|^\s*\d+\) \S|[✖✗×] ", 3.0),
    _cue("assertion", "assert|e  |expected|actual|received",
         r"\bassert(?:ion)?\w*\b|^\s*E\s{2,}\S|expected\b.*\b(?:got|but|to|was|actual)\b"
         r"|^\s*(?:Expected|Actual|Received)\b", 2.0, re.I),
    _cue("panic", "panic|segmentation|core dumped|killed|aborted",
         r"\bpanic(?:ked)?\b|segmentation fault|core dumped|\bKilled\b|\bAborted\b", 3.0, re.I),
    _cue("npm-err", "err!", r"^npm ERR!|^\s*ERR!", 1.5),
    _cue("elixir-error", "** (", r"^\s*\*\* \(\w+", 3.0),
    _cue("cannot", "cannot|can't|could not|couldn't|unable|failed to|not found|no such|denied"
         "|undefined|not defined|unresolved|not available|illegal|invalid|unexpected|refused"
         "|installable|conflict",
         r"\b(?:cannot|can't|could not|couldn't|unable to|failed to|not found|"
         r"no such file|permission denied|undefined (?:reference|method|variable|symbol|index)|"
         r"is not defined|unresolved|not available|illegal|invalid|unexpected|refused|"
         r"not installable|conflict)\b", 2.0, re.I),
    _cue("fail-word", "fail|error|exception|fatal", r"fail|error|exception|fatal", 1.0, re.I),
    _cue("make-error", "make", r"^make(?:\[\d+\])?: \*\*\*", 1.5),
    _cue("exit-status", "exit|returned non-zero|non-zero exit",
         r"exit(?:ed)? (?:with|code|status)\s*:?\s*[1-9]\d*|returned non-zero|non-zero exit",
         1.5, re.I),
    _cue("issue-mark", ":-(|violation|mismatch|differ|missing",
         r":-\(|\bviolation\b|\bmismatch\b|\bdiffer|\bmissing\b", 1.0, re.I),
)

# Anchored at the line start, so cheap enough to try on every line (no needles gate them).
ANCHORED_CUES: tuple[Cue, ...] = (
    # A tool's "path:line[:col]:" report, whatever it says after it (linters, checkers).
    _cue("location", "", r"^\S+\.\w+:\d+(?::\d+)?:", 1.5),
)

# One pass that rules out most lines before any cue runs.
CUE_GATE = re.compile("|".join(sorted({re.escape(n) for cue in CUES for n in cue.needles},
                                      key=len, reverse=True)))

# False friends and noise: subtract from a line's score.
ANTI_CUES: tuple[Cue, ...] = (
    _cue("zero-count", "error|fail|issue",
         r"\b(?:0|no|zero) (?:errors?|failures?|failed|issues?)\b|error-free"
         r"|\b(?:errors?|failures?|failed)\s*[:=]\s*0\b|without errors?", -4.0, re.I),
    _cue("flag", "error|fail",
         r"-W(?:no-)?error|--\w*error\w*|errorprone|error_?reporting|\w+_error\.\w+"
         r"|/\w*(?:error|fail)\w*/", -1.5, re.I),
    _cue("pass", "pass|ok|succe",
         r"\b(?:PASS(?:ED)?|OK|ok|passed|succeeded|success(?:ful)?)\b", -2.0),
    _cue("skip", "skip|xfail|ignored|pending",
         r"^\W*(?:SKIP|skip|XFAIL|xfail)|\bskipped\b|\bignored\b|\bpending\b", -2.0),
    _cue("warning", "warn|deprecat", r"\bwarn(?:ing)?s?\b|\bdeprecat", -1.0, re.I),
    _cue("download", "download|fetch|get:|hit:|ign:|collecting|installing|unpacking|setting up"
         "|preparing|selecting|resolving|receiving|requirement|processing|building|compiling"
         "|checking|reading|remote:|cloning|extracting|retrieving",
         r"^\s*(?:Downloading|Downloaded|Download|Fetching|Fetched|Get:\d|Hit:\d|"
         r"Ign:\d|Collecting|Installing|Unpacking|Setting up|Preparing|Selecting|Resolving|"
         r"Receiving|Requirement already|Processing|Building|Compiling|Checking|Reading|"
         r"remote:|Cloning|Extracting|Retrieving)\b", -1.5),
    _cue("progress", "%|####|====|>>>>|....|----|/",
         r"\d+(?:\.\d+)?\s?%|[#=>.\-]{8,}|\d+/\d+\s*\[", -1.0),
    _cue("echo", "$ |+ |> |run ", r"^\$ |^\+ |^> |^Run ", -1.5),
)

# A runner or tool saying a command ended badly: the failure explanation is just above it.
EXIT_ANCHOR = re.compile(
    r"exited with ([1-9]\d*)\.?\s*$|failed and exited with [1-9]|failed \d+ times"
    r"|Process completed with exit code [1-9]\d*"
    r"|^make(?:\[\d+\])?: \*\*\* .*Error \d+|^\*\*\* Failed \*\*\*"
    r"|returned a non-zero code|returned non-zero exit status", re.I)

# The whole build's verdict line: a summary, never an explanation.
BUILD_VERDICT = re.compile(r"^Done\. Your build exited with \d+\.?$")

# A header that names what failed just before its details (pytest "___ test_x ___", a
# failing test's name): kept as context in front of the details.
HEADER = re.compile(r"^_{3,} .* _{3,}$|^={3,} .* ={3,}$|^-{3,} .* -{3,}$|^\s*\d+\) \S")
