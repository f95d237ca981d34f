"""The start cache: classes made through it behave exactly as without it (the same
generated methods, compiled without this module's future flags), patterns match as
without it, a second process compiles nothing, and a damaged cache file is only a miss."""

from __future__ import annotations

import dataclasses
import inspect
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from qmoi import startcache as classcache  # the first version cached classes only


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[classcache.StartCache]:
    installed = classcache.install(tmp_path / "classes.marshal")
    try:
        yield installed
    finally:
        classcache.uninstall()


def _make() -> type:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Point:
        x: int
        y: int = 0
        tags: tuple[str, ...] = ()

    return Point


def test_classes_behave_as_without_the_cache(cache: classcache.StartCache) -> None:
    point = _make()
    again = _make()  # the same sources: compiled once
    assert cache.new >= len(cache.codes) > 0
    a, b = point(1, 2), point(1, 2)
    assert a == b and hash(a) == hash(b) and repr(a).endswith("Point(x=1, y=2, tags=())")
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.x = 3  # type: ignore[misc]
    assert again(1) != point(1)  # distinct classes still
    # Compiled as dataclasses itself compiles (no inherited `from __future__` flags).
    classcache.uninstall()
    plain = _make()
    for name in ("__init__", "__eq__", "__setattr__", "__hash__", "__repr__"):
        mine, theirs = getattr(point, name), getattr(plain, name)
        assert mine.__code__.co_flags == theirs.__code__.co_flags, name
        assert mine.__code__.co_code == theirs.__code__.co_code, name
        assert inspect.signature(mine) == inspect.signature(theirs), name


def test_a_second_process_compiles_nothing(tmp_path: Path) -> None:
    path = tmp_path / "classes.marshal"
    code = (
        "import sys; from pathlib import Path; from qmoi import startcache as classcache\n"
        f"cache = classcache.install(Path({str(path)!r}))\n"
        "import dataclasses\n"
        "@dataclasses.dataclass(frozen=True)\n"
        "class A:\n    a: int\n    b: str = ''\n"
        "assert A(1) == A(1, '') and A(2).b == ''\n"
        "import re\n"
        "p = re.compile(r'(?P<key>[a-z]+)=(\\d+)|x', re.I)\n"
        "m = p.match('Abc=12'); assert m and m['key'] == 'Abc' and m.group(2) == '12'\n"
        "assert p.groupindex == {'key': 1} and p.flags & re.I\n"
        "print(cache.new); cache.save()\n")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.strip() for _ in range(2)]
    assert int(runs[0]) > 0 and runs[1] == "0"


def test_a_damaged_cache_is_a_miss(tmp_path: Path) -> None:
    path = tmp_path / "classes.marshal"
    path.write_bytes(b"\x00not marshal")
    installed = classcache.install(path)
    try:
        assert installed.codes == {}
        point = _make()
        assert point(1) == point(1, 0)
        installed.save()
    finally:
        classcache.uninstall()
    reloaded = classcache.install(path)
    try:
        assert reloaded.codes and reloaded.new == 0
    finally:
        classcache.uninstall()


def test_a_truncated_cache_is_a_miss(tmp_path: Path) -> None:
    # The file is decoded from its bytes at once: a short read (a writer replaced by a
    # crash, a full disk) must still be a miss, not an error.
    import marshal

    path = tmp_path / "classes.marshal"
    whole = marshal.dumps({"classes": {"x = 1\n": compile("x = 1\n", "<string>", "exec")},
                           "patterns": {}})
    path.write_bytes(whole[: len(whole) // 2])
    installed = classcache.install(path)
    try:
        assert installed.codes == {} and installed.patterns == {}
    finally:
        classcache.uninstall()


def test_the_cache_is_named_for_the_interpreter(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path))
    path = classcache.cache_path()
    assert path.parent == tmp_path and sys.implementation.cache_tag in path.name
    assert f"{sys.hexversion:x}" in path.name


def test_patterns_behave_as_without_the_cache(cache: classcache.StartCache) -> None:
    import re

    samples = [(r"(?P<name>\w+)\s*=\s*(?P<value>.*)", 0), (rb"\x00(ab)+", 0),
               (r"^(?:a|b)*c$", re.MULTILINE | re.IGNORECASE), (r"[^\W\d_]+", re.ASCII)]
    compiled = []
    for text, flags in samples:
        re.purge()  # re's own in-process cache must not answer
        compiled.append(re.compile(text, flags))
    assert len(cache.patterns) >= len(samples)
    for (text, flags), first in zip(samples, compiled, strict=True):
        re.purge()
        again = re.compile(text, flags)  # from the cache now
        assert again is not first and again.pattern == first.pattern
        assert (again.flags, again.groups, again.groupindex) == (
            first.flags, first.groups, first.groupindex)
    assert re.compile(r"(?P<name>\w+)\s*=\s*(?P<value>.*)").match("k = v")["value"] == "v"
    assert re.compile(rb"\x00(ab)+").fullmatch(b"\x00abab")
    assert re.compile(r"^(?:a|b)*c$", re.M | re.I).search("x\nABc")
    assert re.compile(r"[^\W\d_]+", re.A).findall("ab1é_c") == ["ab", "c"]


def test_entries_no_run_uses_are_dropped(tmp_path: Path) -> None:
    import marshal

    path = tmp_path / "classes.marshal"
    stale = {f"def x{i}(): pass": compile("pass", "<string>", "exec") for i in range(60)}
    path.write_bytes(marshal.dumps({"classes": stale, "patterns": {}}))
    installed = classcache.install(path)
    try:
        _make()
        installed.save()
    finally:
        classcache.uninstall()
    kept = marshal.loads(path.read_bytes())["classes"]
    assert kept and not set(kept) & set(stale)


def _saved(path: Path) -> dict[str, object]:
    import marshal

    data = marshal.loads(path.read_bytes())
    assert isinstance(data, dict)
    return data


def test_entries_another_run_used_lately_are_kept(tmp_path: Path) -> None:
    # A run that uses fewer entries (qmoi run -n after qmoi run) neither drops the others
    # nor rewrites the file for them; an entry left unused for _KEEP saves is dropped.
    import marshal

    path = tmp_path / "classes.marshal"
    other = {f"def y{i}(): pass": compile("pass", "<string>", "exec") for i in range(60)}
    path.write_bytes(marshal.dumps({"classes": other, "patterns": {}, "generation": 3,
                                    "stamps": [3] * len(other)}))
    before = path.read_bytes()
    installed = classcache.install(path)
    try:
        installed.save()  # nothing new, nothing stale: the file stays as it was
        assert path.read_bytes() == before
        _make()
        installed.save()
    finally:
        classcache.uninstall()
    data = _saved(path)
    assert data["generation"] == 4 and set(other) <= set(data["classes"])  # type: ignore[arg-type]
    stamps = data["stamps"]
    assert isinstance(stamps, list) and isinstance(data["classes"], dict)
    by_key = dict(zip(data["classes"], stamps, strict=True))  # no patterns here
    assert {by_key[k] for k in other} == {3} and set(stamps) == {3, 4}
    for _ in range(classcache._KEEP):  # saves by runs that compile something each time
        installed = classcache.install(path)
        try:
            installed.codes.pop(next(k for k in installed.codes if k not in other))
            _make()
            installed.save()
        finally:
            classcache.uninstall()
    data = _saved(path)
    kept = data["classes"]
    assert isinstance(kept, dict) and kept and not set(kept) & set(other)
