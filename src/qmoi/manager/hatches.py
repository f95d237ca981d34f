"""Escape hatches a repair must never apply: the "never" list of the known-failures table
(``qmoi/data/known_failures.json``), checked on the unified diff a repair would make."""

from __future__ import annotations

import difflib
import re
from itertools import pairwise

from qmoi.learn.signatures import known_failures

# Hatches that work by taking something away rather than adding it.
_REMOVED = {"permissions:"}
_DELETING_TESTS = "deleting tests"
_TEST_PATH = re.compile(r"(?:^|/)(?:tests?|spec|__tests__)/|(?:^|/)test_[^/]*$|_test\.[^/]+$"
                        r"|\.(?:test|spec)\.[^/]+$")


def escape_hatches(diff: str) -> list[str]:
    """The escape hatches ``diff`` would apply (empty when it is clean)."""
    added = [line[1:] for line in diff.splitlines()
             if line.startswith("+") and not line.startswith("+++")]
    removed = [line[1:] for line in diff.splitlines()
               if line.startswith("-") and not line.startswith("---")]
    found: list[str] = []
    for token in known_failures().never_apply:
        if token == _DELETING_TESTS:
            if _deletes_tests(diff):
                found.append("deleting tests")
        elif token in _REMOVED:
            if any(token in line for line in removed) and not any(token in line
                                                                   for line in added):
                found.append(f"removing {token}")
        elif any(token in line for line in added) and not any(token in line for line in removed):
            found.append(token)
    return found


def _deletes_tests(diff: str) -> bool:
    lines = diff.splitlines()
    for before, after in pairwise(lines):
        if before.startswith("--- ") and after.strip() == "+++ /dev/null":
            name = before[4:].split("\t")[0].strip().removeprefix("a/")
            if _TEST_PATH.search(name):
                return True
    return False


def text_diff(path: str, before: str, after: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True),
                                        after.splitlines(keepends=True),
                                        f"a/{path}", f"b/{path}"))
