"""Generate ``src/qmoi/data/known_failures.json`` from the known-failures reference table.

Every table row of the markdown becomes one signature: its number, severity, the Python ``re``
patterns of the "Signature regex" cell, cause, fix text, sources, plus what the markdown only
says in prose and the repair loop needs as data (failure class, fix kind, whether the fix is
auto-applicable), kept in ``JUDGEMENTS`` below. The "never auto-apply" escape hatches at the end
of the document become the ``never_apply`` list.

    python scripts/gen_known_failures.py [/work/shared/reference/known-failures.md] [-o OUT]

The output is deterministic, so regenerating it gives a reviewable diff.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_INPUT = Path("/work/shared/reference/known-failures.md")
DEFAULT_OUTPUT = REPO / "src" / "qmoi" / "data" / "known_failures.json"

# The doc: "`{ACTIONS}` = comma-separated `owner/repo@ref` list captured by group 1".
ACTIONS_PLACEHOLDER = "{ACTIONS}"
ACTIONS_GROUP = "(.+?)"

# Per row: (class, fix_kind, auto_applicable, pattern-level class overrides). The table gives
# the fix as prose; these are the decisions the repair loop acts on.
#   fix_kind: rewrite-command (workflow command → environment file), bump-action,
#   rewrite-runs-on, workflow-patch, retry, manual.
JUDGEMENTS: dict[str, tuple[str, str, bool, dict[int, str]]] = {
    "1": ("deprecation", "rewrite-command", True, {}),
    "2": ("deprecation", "rewrite-command", True, {}),
    "3": ("deprecation", "rewrite-command", True, {}),
    "4": ("deprecation", "rewrite-command", True, {}),
    "5": ("deprecation", "bump-action", True, {}),
    "6": ("deprecation", "bump-action", True, {}),
    "7": ("deprecation", "bump-action", True, {}),
    "8": ("deprecation", "bump-action", True, {}),
    "9": ("deprecation", "bump-action", True, {}),
    "10": ("misconfiguration", "workflow-patch", True, {}),
    "11": ("deprecation", "bump-action", True, {}),
    "12": ("deprecation", "rewrite-runs-on", True, {}),
    "13": ("deprecation", "rewrite-runs-on", True, {}),
    "14": ("deprecation", "rewrite-runs-on", True, {}),
    "15": ("deprecation", "rewrite-runs-on", True, {}),
    "16": ("deprecation", "rewrite-runs-on", True, {}),
    "17": ("deprecation", "rewrite-runs-on", True, {}),
    "17b": ("deprecation", "rewrite-runs-on", True, {}),
    # The closest existing tag needs the action's tag list: a suggestion, not a silent edit.
    "18": ("misconfiguration", "bump-action", False, {}),
    "19": ("misconfiguration", "workflow-patch", False, {}),
    # The minimal permission depends on the failing API call, which the log rarely names.
    "20": ("misconfiguration", "workflow-patch", False, {}),
    "21": ("transient", "manual", False, {}),
    # Exit code 137 is the kernel's OOM kill (128 + SIGKILL); the other two are a lost runner.
    "22": ("transient", "retry", True, {1: "resources"}),
    "23": ("resources", "workflow-patch", False, {}),
    "24": ("transient", "retry", True, {}),
    "25": ("misconfiguration", "manual", False, {}),
}

# Rows the doc describes without a log message (a static check, or an annotation whose text it
# does not quote); they stay in the data with no patterns.
RETIRED_LABELS_ROW = "17b"


def split_cells(row: str) -> list[str]:
    """Table cells of ``| a | b |``; ``\\|`` is an escaped pipe (GFM), also inside code spans."""
    body = row.strip().removeprefix("|").removesuffix("|")
    cells = re.split(r"(?<!\\)\|", body)
    return [cell.strip().replace("\\|", "|") for cell in cells]


def code_spans(cell: str) -> list[tuple[str, str]]:
    """``(text_before, code)`` for each top-level code span; spans inside a parenthesised
    aside of the prose (``(often `403 -` in front of it)``) are notes, not signatures."""
    found: list[tuple[str, str]] = []
    depth, pos, prose = 0, 0, ""
    while pos < len(cell):
        if cell[pos] != "`":
            depth += {"(": 1, ")": -1}.get(cell[pos], 0)
            prose += cell[pos]
            pos += 1
            continue
        ticks = re.match(r"`+", cell[pos:])
        assert ticks is not None
        fence = ticks.group(0)
        end = _closing_fence(cell, pos + len(fence), fence)
        if end < 0:
            prose += fence
            pos += len(fence)
            continue
        code = cell[pos + len(fence): end]
        code = _unpad(code)
        if depth == 0:
            found.append((prose, code))
            prose = ""
        pos = end + len(fence)
    found.append((prose, ""))
    return found


def _unpad(code: str) -> str:
    """GFM strips one space on both sides; the doc also pads only the side where the code
    starts or ends with a backtick (row 8's "... `actions/cache: v2` "), which is padding too."""
    if code.startswith(" ") and code.endswith(" ") and code.strip():
        return code[1:-1]
    if code.endswith("` "):
        code = code[:-1]
    if code.startswith(" `"):
        code = code[1:]
    return code


def _closing_fence(cell: str, start: int, fence: str) -> int:
    for match in re.finditer(r"`+", cell[start:]):
        if match.group(0) == fence:
            return start + match.start()
    return -1


def patterns_of(cell: str, previous: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The alternatives of a "Signature regex" cell."""
    same = re.fullmatch(r"same pattern with `([^`]+)`", cell)
    if same:
        # Row 9 reuses row 8's message with another version in the last group.
        return [{**p, "regex": re.sub(r": \([^`]*\)`$", f": ({same.group(1)[2:]})`", p["regex"])}
                for p in previous]
    pieces = code_spans(cell)
    result: list[dict[str, Any]] = []
    for index, (_, code) in enumerate(pieces[:-1]):
        after = pieces[index + 1][0]
        regex = code.replace(ACTIONS_PLACEHOLDER, ACTIONS_GROUP)
        re.compile(regex)
        # Row 22: "The operation was canceled." only means a lost runner "with no other error".
        result.append({"regex": regex, "alone": "with no other error" in after})
    return result


def severity_of(cell: str) -> str:
    """W (warning), E (fails) or B (fails in brownouts, then always): the cell's first letter."""
    letter = cell.strip()[:1]
    if letter not in {"W", "E", "B"}:
        raise ValueError(f"unknown severity {cell!r}")
    return letter


def parse_rows(markdown: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    section = ""
    previous: list[dict[str, Any]] = []
    for line in markdown.splitlines():
        heading = re.match(r"## ([A-Z])\. (.+)", line)
        if heading:
            section = heading.group(2).strip()
        cells = split_cells(line) if line.startswith("|") else []
        if len(cells) != 6 or not re.fullmatch(r"\d+[a-z]?", cells[0]):
            continue
        number, sev, signature, cause, fix, sources = cells
        patterns = patterns_of(signature, previous)
        previous = patterns
        rows.append(row_record(number, section, sev, signature, patterns, cause, fix, sources))
    return rows


def row_record(number: str, section: str, sev: str, signature: str,
               patterns: list[dict[str, Any]], cause: str, fix: str,
               sources: str) -> dict[str, Any]:
    failure_class, fix_kind, auto, overrides = JUDGEMENTS[number]
    for index, override in overrides.items():
        patterns[index] = {**patterns[index], "class": override}
    params: dict[str, Any] = {}
    if number == RETIRED_LABELS_ROW:
        labels = re.search(r"\{([^}]+)\}", cause)
        assert labels is not None
        params["retired_labels"] = [label.strip() for label in labels.group(1).split(",")]
    return {
        "id": number,
        "section": section,
        "severity": severity_of(sev),
        "severity_note": sev,
        "signature": signature,
        "patterns": patterns,
        "cause": cause,
        "fix": fix,
        "fix_kind": fix_kind,
        "auto_applicable": auto,
        "class": failure_class,
        "params": params,
        "sources": re.findall(r"https?://[^\s;,)]+", sources),
    }


def parse_never(markdown: str) -> list[dict[str, str | None]]:
    """The "Never auto-apply escape hatches" list: each item's text and its literal token."""
    match = re.search(r"\*\*Never auto-apply escape hatches\*\*:(.+?)(?:\n\d+\.|\Z)", markdown,
                      re.DOTALL)
    if match is None:
        raise ValueError("the 'Never auto-apply escape hatches' list is missing")
    body = " ".join(match.group(1).split()).rstrip(".")
    items: list[dict[str, str | None]] = []
    for raw in body.split(","):
        token = re.search(r"`([^`]+)`", raw)
        items.append({"text": raw.replace("`", "").strip(),
                      "token": token.group(1) if token else None})
    return items


def generate(markdown: str) -> dict[str, Any]:
    rows = parse_rows(markdown)
    missing = set(JUDGEMENTS) - {row["id"] for row in rows}
    if missing:
        raise ValueError(f"rows judged here but missing from the table: {sorted(missing)}")
    return {"signatures": rows, "never_apply": parse_never(markdown)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("markdown", nargs="?", type=Path, default=DEFAULT_INPUT)
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    data = generate(args.markdown.read_text(encoding="utf-8"))
    args.output.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n",
                           encoding="utf-8")
    sys.stdout.write(f"{len(data['signatures'])} signatures -> {args.output}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
