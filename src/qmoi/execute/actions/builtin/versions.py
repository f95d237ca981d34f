"""Version specs as the setup-* actions read them (node-semver ranges; setup-python also
takes ``3.x`` and ``3.12-dev``): ``3.11`` (any 3.11.*), ``3.x``, ``3.11.4``, ``>=3.10 <3.13``,
``^1.21``, ``~17.0``, ``1.2 - 1.4``, alternatives with ``||``; ``latest``, ``stable``, ``lts/*``,
``node`` and ``*`` take any version. A spec this module cannot read raises ``ValueError``.
"""

from __future__ import annotations

import re

Version = tuple[int, ...]
_ANY = {"", "*", "x", "latest", "stable", "current", "node", "lts/*", "oldstable"}
_COMPARATOR = re.compile(r"^(>=|<=|>|<|=|\^|~>|~)?\s*v?([0-9xX*]+(?:\.[0-9xX*]+)*)$")
_NUMBER = re.compile(r"\d+(?:\.\d+)*")


def parse_version(text: str) -> Version | None:
    """The first dotted number in ``text`` (``v20.1.0`` → (20, 1, 0), ``go1.22.3`` →
    (1, 22, 3), ``17.0.9+9`` → (17, 0, 9))."""
    found = _NUMBER.search(text)
    return tuple(int(part) for part in found.group(0).split(".")) if found else None


def display(version: Version) -> str:
    return ".".join(str(part) for part in version)


def _partial(text: str) -> list[int | None]:
    """``3.x`` → [3, None]; components after a wildcard are wildcards too."""
    parts: list[int | None] = []
    for piece in text.split("."):
        if piece in ("x", "X", "*") or (parts and parts[-1] is None):
            parts.append(None)
        else:
            parts.append(int(piece))
    while parts and parts[-1] is None:
        parts.pop()
    return parts


def _pad(parts: list[int], length: int = 3) -> Version:
    return tuple(parts + [0] * max(0, length - len(parts)))


def _bump(parts: list[int]) -> Version:
    """The smallest version above every version matching the partial ``parts``."""
    if not parts:
        return (1 << 30,)
    return _pad([*parts[:-1], parts[-1] + 1])


def _cmp(version: Version, other: Version) -> int:
    width = max(len(version), len(other))
    a, b = _pad(list(version), width), _pad(list(other), width)
    return (a > b) - (a < b)


def _comparator(version: Version, op: str, parts: list[int]) -> bool:
    low = _pad(parts)
    if op in ("", "="):
        return list(version[: len(parts)]) == parts
    if op == ">=":
        return _cmp(version, low) >= 0
    if op == ">":
        return _cmp(version, _bump(parts)) >= 0 if len(parts) < 3 else _cmp(version, low) > 0
    if op == "<":
        return _cmp(version, low) < 0
    if op == "<=":
        return _cmp(version, _bump(parts)) < 0 if len(parts) < 3 else _cmp(version, low) <= 0
    if op == "^":
        first = next((i for i, part in enumerate(parts) if part != 0), len(parts) - 1)
        top = _bump(parts[: first + 1]) if parts else (1 << 30,)
        return _cmp(version, low) >= 0 and _cmp(version, top) < 0
    # ~ and ~>: patch-level changes when a minor is given, else minor-level
    top = _bump(parts[:2] if len(parts) > 1 else parts[:1])
    return _cmp(version, low) >= 0 and _cmp(version, top) < 0


def _tokens(alternative: str) -> list[str]:
    text = re.sub(r"(>=|<=|>|<|=|\^|~>|~)\s+", r"\1", alternative.replace(",", " "))
    hyphen = re.fullmatch(r"\s*(\S+)\s+-\s+(\S+)\s*", text)
    if hyphen:
        return [f">={hyphen.group(1)}", f"<={hyphen.group(2)}"]
    return text.split()


def satisfies(version: Version, spec: str) -> bool:
    """Whether ``version`` matches ``spec``."""
    text = spec.strip().lower()
    if text in _ANY:
        return True
    text = re.sub(r"-(dev|beta|alpha|rc)\S*$", "", text)  # 3.12-dev: the 3.12 line
    for alternative in text.split("||"):
        if all(_matches(version, token) for token in _tokens(alternative)):
            return True
    return False


def _matches(version: Version, token: str) -> bool:
    if token.lower() in _ANY:
        return True
    found = _COMPARATOR.match(token)
    if found is None:
        raise ValueError(f"cannot read the version spec {token!r}")
    op, parts = found.group(1) or "", _partial(found.group(2))
    if any(part is None for part in parts):
        raise ValueError(f"cannot read the version spec {token!r}")
    return _comparator(version, op, [p for p in parts if p is not None])


def best(versions: list[Version], spec: str) -> Version | None:
    """The highest of ``versions`` matching ``spec``."""
    matching = [v for v in versions if satisfies(v, spec)]
    return max(matching) if matching else None
