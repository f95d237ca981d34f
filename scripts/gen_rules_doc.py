"""Regenerate docs/rules.md from the rules' docstrings (``--check``: only compare)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qmoi.check import all_rules
from qmoi.report.rulesmd import render_rules_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render_rules_markdown(all_rules())
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else None
    if args.check:
        if current != text:
            sys.stderr.write(f"{DOC} is stale; run: python scripts/gen_rules_doc.py\n")
            return 1
        return 0
    if current != text:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(text, encoding="utf-8")
        sys.stdout.write(f"wrote {DOC}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
