"""Compiled dataclass methods, kept between runs of ``qmoi run``.

``@dataclass`` writes the source of each class's methods (``__init__``, ``__eq__``,
``__hash__``, the frozen ``__setattr__`` …) and compiles it with ``exec`` every time the
class is defined; Python caches the bytecode of modules, not this. ``qmoi run`` defines
some 180 dataclasses before its first job and compiling ~700 generated functions was half
of its start-up (180 → 80 ms of imports, measured on the run's import set). ``install``
makes the ``dataclasses`` module's ``exec`` look the source text up in a cache of code
objects first (a code object is a pure function of its source text and compile flags, so
a hit is exactly what compiling would give) and ``save`` writes what was new.

The cache is a ``marshal`` file named for the interpreter's exact version (marshal and
bytecode change between versions), under ``sys.pycache_prefix`` when set, else under the
user's cache folder. Any problem reading or writing it only means compiling as usual.
"""

from __future__ import annotations

import dataclasses
import marshal
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from types import CodeType
from typing import Any

_MOST = 20_000  # entries; past this the cache starts over (sources come and go with edits)


class ClassCache:
    """Code objects by the source text ``dataclasses`` generated; ``new`` counts misses."""

    def __init__(self, path: Path, codes: dict[str, CodeType]) -> None:
        self.path = path
        self.codes = codes
        self.added: dict[str, CodeType] = {}

    @property
    def new(self) -> int:
        return len(self.added)

    def exec(self, source: Any, globals_: dict[str, Any] | None = None,
             locals_: Mapping[str, object] | None = None) -> None:
        if not isinstance(source, str):
            exec(source, globals_, locals_)
            return
        code = self.codes.get(source)
        if code is None:
            # dont_inherit: compile exactly as dataclasses' own exec would, without this
            # module's `from __future__ import annotations`.
            code = compile(source, "<string>", "exec", dont_inherit=True)
            self.codes[source] = self.added[source] = code
        exec(code, globals_, locals_)

    def save(self) -> None:
        """Write the cache if anything was added (atomically: another qmoi may read it)."""
        if not self.added:
            return
        codes = self.added if len(self.codes) > _MOST else self.codes
        import tempfile

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-classes-")
            with os.fdopen(fd, "wb") as handle:
                marshal.dump(codes, handle)
            os.replace(temp, self.path)
        except (OSError, ValueError):
            return
        self.added = {}


def cache_path() -> Path:
    name = f"qmoi-dataclasses-{sys.implementation.cache_tag}-{sys.hexversion:x}.marshal"
    if sys.pycache_prefix:
        return Path(sys.pycache_prefix) / name
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "qmoi" / name


def _load(path: Path) -> dict[str, CodeType]:
    try:
        with path.open("rb") as handle:
            data = marshal.load(handle)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, CodeType)}


_installed: ClassCache | None = None


def install(path: Path | None = None) -> ClassCache:
    """Route the ``dataclasses`` module's ``exec`` through the cache (once per process)."""
    global _installed
    if _installed is None:
        _installed = ClassCache(path or cache_path(), _load(path or cache_path()))
        # dataclasses calls exec by its global name: a module attribute shadows the builtin
        # for that module alone.
        dataclasses.exec = _installed.exec  # type: ignore[attr-defined]
    return _installed


def uninstall() -> None:
    global _installed
    if _installed is not None:
        del dataclasses.exec  # type: ignore[attr-defined]
        _installed = None
