"""The seams of ARCHITECTURE.md: early stages never import later ones, nothing imports
the CLI or the web app, and ``qmoi --version`` stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "qmoi"

# Stage order; a module may import its own stage and earlier ones only.
ORDER = ["parse", "expr", "model", "check", "fix", "plan", "schedule", "runners", "execute",
         "store", "report", "learn", "sync", "manager"]
# Dependency-free modules every stage may use (``data`` holds bundled JSON tables).
FOUNDATION = {"source", "diagnostics", "errors", "__init__", "data"}
ADAPTERS = {"cli", "web"}
STATIC = {"parse", "expr", "model", "check", "fix"}


def _stage(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "qmoi" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def _violations() -> list[str]:
    bad: list[str] = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        own = rel.parts[0].removesuffix(".py")
        for module in _imports(path):
            target = _stage(module)
            if target is None or target == own:
                continue
            if target in ADAPTERS and own not in ADAPTERS:
                bad.append(f"{rel} imports the adapter {module}")
            elif own in FOUNDATION and target not in FOUNDATION:
                bad.append(f"{rel} (foundation) imports {module}")
            elif own in ORDER and target in ORDER and ORDER.index(target) > ORDER.index(own):
                bad.append(f"{rel} ({own}) imports the later stage {module}")
            elif own in STATIC and target not in STATIC | FOUNDATION:
                bad.append(f"{rel} ({own}) imports {module}, outside the static stages")
    return bad


def test_no_stage_imports_a_later_one_and_nothing_imports_adapters() -> None:
    assert _violations() == []


def test_the_checker_itself_catches_a_backward_import(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("from qmoi.manager import loop\nimport qmoi.cli.main\n")
    assert _imports(bad) == ["qmoi.manager", "qmoi.cli.main"]
    assert _stage("qmoi.manager") == "manager"


def test_version_does_not_import_heavy_modules() -> None:
    code = (
        "import sys; from qmoi.cli.main import main; main(['--version']);"
        "heavy = [m for m in ('typer', 'rich', 'yaml', 'qmoi.check', 'qmoi.parse') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["qmoi 0.1.0", "[]"]
