"""What the interpreter compiles afresh at every start of ``qmoi run``, kept between runs:
the methods ``@dataclass`` generates and the regular expressions modules compile.

Python caches the bytecode of modules, not these. ``@dataclass`` writes the source of
each class's methods (``__init__``, ``__eq__``, ``__hash__``, the frozen ``__setattr__``
…) and compiles it with ``exec`` whenever the class is defined; ``re.compile`` parses each
pattern and assembles its program in Python. ``qmoi run`` defines some 180 dataclasses
and compiles some 50 patterns before its first job: compiling ~700 generated functions
was half of its imports (180 → 80 ms), the patterns another ~8%.

``install`` routes both through a cache: the ``dataclasses`` module's ``exec`` first looks
the generated source up among code objects (a code object is a pure function of its
source text and compile flags, so a hit is exactly what compiling would give), and
``re``'s compiler first looks the pattern and flags up among the arguments its last step
passes to ``_sre.compile`` (the assembled program: again a pure function of the
pattern, the flags and the interpreter version). ``save`` writes what was new.

The cache is a ``marshal`` file named for the interpreter's exact version (marshal,
bytecode and ``_sre`` programs change between versions), under ``sys.pycache_prefix`` when
set, else under the user's cache folder. Any problem reading or writing it only means
compiling as usual; an interpreter whose internals differ is left alone.
"""

from __future__ import annotations

import dataclasses
import marshal
import os
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from types import CodeType
from typing import Any

_STALE = 50  # stale entries that make a run rewrite the file without them
# Saves of the file an entry may go unused through before it is stale. Each run keeps what
# it used, but ``qmoi run -n`` or ``-l`` uses ~300 of a real run's ~730 entries: were the
# others dropped at once, the next real run would compile them again (~40 ms) and rewrite
# the file, and so on at every switch. An entry of an edited source ages out instead.
_KEEP = 8

Key = str | tuple[Any, int]  # a generated source, or a pattern's (text, flags)

Pattern = tuple[Any, int]  # (pattern text, flags) as re.compile got them
Program = tuple[Any, ...]  # _sre.compile's arguments after the pattern


class _Recorder(threading.local):
    args: tuple[Any, ...] | None = None


class StartCache:
    """Code objects by the source text ``dataclasses`` generated, ``_sre`` programs by
    pattern and flags; ``new`` counts what was compiled for want of an entry."""

    def __init__(self, path: Path, codes: dict[str, CodeType],
                 patterns: dict[Pattern, Program], stamps: list[int] | None = None,
                 generation: int = 0) -> None:
        self.path = path
        self.codes = codes
        self.patterns = patterns
        # The file's save count when each entry was last used, in the order of the codes
        # then the patterns as loaded (a list: nothing to build at a run's start); none
        # for a file from before stamps, whose entries count as stale.
        self._stamps = stamps or []
        self._loaded = (len(codes), len(patterns))
        self.generation = generation
        self.new = 0
        self._used_codes: set[str] = set()
        self._used_patterns: set[Pattern] = set()
        self._recorder = _Recorder()

    # ------------------------------------------------------------------ dataclasses

    def exec(self, source: Any, globals_: dict[str, Any] | None = None,
             locals_: Mapping[str, object] | None = None) -> None:
        if not isinstance(source, str):
            exec(source, globals_, locals_)
            return
        code = self.codes.get(source)
        self._used_codes.add(source)
        if code is None:
            # dont_inherit: compile exactly as dataclasses' own exec would, without this
            # module's `from __future__ import annotations`.
            code = self.codes[source] = compile(source, "<string>", "exec", dont_inherit=True)
            self.new += 1
        exec(code, globals_, locals_)

    # ------------------------------------------------------------------ re

    def compiler(self, original: Any, sre: Any, debug: int) -> Any:
        """A ``re._compiler.compile`` that asks the cache first."""

        def compile_pattern(pattern: Any, flags: int = 0) -> Any:
            if not isinstance(pattern, str | bytes) or flags & debug:
                return original(pattern, flags)
            key = (pattern, flags)
            program = self.patterns.get(key)
            self._used_patterns.add(key)
            if program is not None:
                return sre.compile(pattern, *program)
            self._recorder.args = None
            compiled = original(pattern, flags)
            args = self._recorder.args
            if args is not None and args[0] is pattern:
                # The program's opcodes are int subclasses (named constants): plain ints
                # for marshal, which _sre reads the same.
                self.patterns[key] = tuple([int(op) for op in arg] if isinstance(arg, list)
                                           else arg for arg in args[1:])
                self.new += 1
            return compiled

        return compile_pattern

    def record(self, args: tuple[Any, ...]) -> None:
        self._recorder.args = args

    # ------------------------------------------------------------------ file

    def save(self) -> None:
        """Write the file if this process compiled anything, or if many entries went
        unused for ``_KEEP`` saves (sources change as qmoi is edited or upgraded: a smaller
        file loads faster); without the stale entries, this process's stamped as used;
        atomically, as another qmoi may be reading it."""
        now = self.generation + 1
        unused: set[Key] = {*(self.codes.keys() - self._used_codes),
                            *(self.patterns.keys() - self._used_patterns)}
        if not self.new and len(unused) <= _STALE:
            return  # the usual run: nothing to add, too little to drop
        stamps = self.stamps()
        stale = {k for k in unused if stamps.get(k, -_KEEP) <= now - _KEEP}
        if not self.new and len(stale) <= _STALE:
            return
        import tempfile

        codes = {k: v for k, v in self.codes.items() if k not in stale}
        patterns = {k: v for k, v in self.patterns.items() if k not in stale}
        kept: list[Key] = [*codes, *patterns]
        data: dict[str, Any] = {
            "classes": codes, "patterns": patterns, "generation": now,
            "stamps": [stamps[k] if k in unused else now for k in kept]}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-start-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(marshal.dumps(data))
            os.replace(temp, self.path)
        except (OSError, ValueError):
            return
        self.new = 0

    def stamps(self) -> dict[Key, int]:
        """Each loaded entry's stamp, by key."""
        if not self._stamps:
            return {}
        codes, patterns = self._loaded
        keys: list[Key] = [*list(self.codes)[:codes], *list(self.patterns)[:patterns]]
        return dict(zip(keys, self._stamps, strict=True))


class _SreProxy:
    """``_sre`` as ``re._compiler`` sees it: ``compile`` tells the cache its arguments."""

    def __init__(self, sre: Any, cache: StartCache) -> None:
        self._sre, self._cache = sre, cache

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sre, name)

    def compile(self, *args: Any) -> Any:
        self._cache.record(args)
        return self._sre.compile(*args)


def cache_path(command: str = "run") -> Path:
    """One file per command: each keeps what its runs used lately, and a file shared by
    two commands would hold, and load, both sets."""
    suffix = "" if command == "run" else f"-{command}"
    name = f"qmoi-start{suffix}-{sys.implementation.cache_tag}-{sys.hexversion:x}.marshal"
    if sys.pycache_prefix:
        return Path(sys.pycache_prefix) / name
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "qmoi" / name


def _load(path: Path) -> tuple[dict[str, CodeType], dict[Pattern, Program], list[int], int]:
    """The file's codes, programs, stamps and save count; empty on any problem."""
    try:
        # loads on the bytes, not load on the file: load reads the file through a method
        # call per object it decodes (~40 µs a code object, 27 ms for a run's cache,
        # against 4 ms for the whole of it from bytes).
        data = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}, {}, [], 0
    if not isinstance(data, dict):
        return {}, {}, [], 0
    classes, patterns = data.get("classes"), data.get("patterns")
    codes = {k: v for k, v in classes.items() if isinstance(k, str)
             and isinstance(v, CodeType)} if isinstance(classes, dict) else {}
    programs = {k: v for k, v in patterns.items() if isinstance(k, tuple) and len(k) == 2
                and isinstance(v, tuple)} if isinstance(patterns, dict) else {}
    stamps, generation = data.get("stamps"), data.get("generation")
    # aligned with the entries as written: any entry filtered out above voids them
    whole = isinstance(classes, dict) and isinstance(patterns, dict) \
        and len(codes) + len(programs) == len(classes) + len(patterns)
    if not whole or not isinstance(stamps, list) or not isinstance(generation, int) \
            or len(stamps) != len(codes) + len(programs):
        return codes, programs, [], 0
    return codes, programs, stamps, generation


_installed: StartCache | None = None
_originals: dict[str, Any] = {}


def install(path: Path | None = None) -> StartCache:
    """Route dataclass methods and regular expressions through the cache (once per
    process)."""
    global _installed
    if _installed is None:
        where = path or cache_path()
        _installed = StartCache(where, *_load(where))
        # dataclasses calls exec by its global name: a module attribute shadows the
        # builtin for that module alone.
        dataclasses.exec = _installed.exec  # type: ignore[attr-defined]
        _install_re(_installed)
    return _installed


def _install_re(cache: StartCache) -> None:
    import re

    compiler = getattr(re, "_compiler", None)
    original, sre = getattr(compiler, "compile", None), getattr(compiler, "_sre", None)
    debug = getattr(compiler, "SRE_FLAG_DEBUG", None)
    if compiler is None or original is None or sre is None or not isinstance(debug, int):
        return  # another interpreter's internals: compile as usual
    _originals.update(compile=original, sre=sre)
    compiler._sre = _SreProxy(sre, cache)
    compiler.compile = cache.compiler(original, sre, debug)


def installed() -> bool:
    return _installed is not None


def installed_path() -> Path | None:
    """The file of the cache installed in this process, or None."""
    return None if _installed is None else _installed.path


def uninstall() -> None:
    global _installed
    if _installed is not None:
        del dataclasses.exec  # type: ignore[attr-defined]
        if _originals:
            import re

            re._compiler.compile = _originals.pop("compile")  # type: ignore[attr-defined]
            re._compiler._sre = _originals.pop("sre")  # type: ignore[attr-defined]
        _installed = None
