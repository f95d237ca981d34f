"""``qmoi run``'s fast option parser: ``qmoi.cli.run.main`` reads its arguments without
Typer (see ``qmoi.cli.run``), and leaves every form this parser does not take to Typer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# The fast parser's options (argparse itself took longer to import than to use): each
# flag → its ``run_workflows`` keyword, by kind.
_LISTS = {"--workflows": "workflows", "-W": "workflows", "--job": "jobs", "-j": "jobs",
          "--matrix": "matrix", "--input": "inputs", "--secret": "secrets", "-s": "secrets",
          "--var": "variables"}
_PATHS = {"--eventpath": "event_path", "-e": "event_path", "--secret-file": "secret_file",
          "--env-file": "env_file", "--var-file": "var_file"}
_VALUES = {"--max-parallel": "max_parallel", "--runners": "runners"}
_FLAGS = {"--list": "list_only", "-l": "list_only", "--graph": "graph", "-g": "graph",
          "--dry-run": "dry_run", "-n": "dry_run", "--json": "as_json"}


def _defaults() -> dict[str, Any]:
    return {"event": "push", **{dest: [] for dest in _LISTS.values()},
            **{dest: None for dest in _PATHS.values()}, "max_parallel": None,
            "runners": "auto", **{dest: False for dest in _FLAGS.values()}}


def parse_fast(argv: list[str]) -> dict[str, Any] | None:
    """``qmoi run`` arguments as ``run_workflows`` keywords; None when Typer must read them
    (help, an unknown option, a bad value, any form this parser does not take: Typer
    gives the proper message or reads it)."""
    options, positional, rest = _defaults(), [], list(argv)
    while rest:
        arg = rest.pop(0)
        if arg in ("--help", "-h"):
            return None
        if arg == "--":
            positional.extend(rest)
            break
        if not arg.startswith("-") or arg == "-":
            positional.append(arg)
            continue
        if arg.startswith("--"):
            name, given, attached = arg.partition("=")
        else:
            name, given, attached = arg[:2], arg[2:], arg[2:]
        if name in _FLAGS:
            flags = [name] + [f"-{letter}" for letter in attached] if given else [name]
            if (arg.startswith("--") and given) or any(flag not in _FLAGS for flag in flags):
                return None
            options.update({_FLAGS[flag]: True for flag in flags})
            continue
        if name not in _LISTS and name not in _PATHS and name not in _VALUES:
            return None
        if not given:
            if not rest or (rest[0].startswith("-") and rest[0] != "-"):
                return None
            attached = rest.pop(0)
        if name in _LISTS:
            options[_LISTS[name]].append(attached)
        elif name in _PATHS:
            options[_PATHS[name]] = Path(attached)
        elif name == "--max-parallel":
            try:
                options["max_parallel"] = int(attached)
            except ValueError:
                return None
        else:
            options[_VALUES[name]] = attached
    if len(positional) > 1:
        return None
    if positional:
        options["event"] = positional[0]
    options["workflows"] = [Path(item) for item in options["workflows"]]
    return options
