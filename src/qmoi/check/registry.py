"""The rule registry. Every module in ``qmoi.check.rules`` defines one rule class and
decorates it with ``@register``; nothing keeps a hand-written list of rules."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable

from qmoi.check.base import Rule

_RULES: dict[str, type[Rule]] = {}
_loaded = False
# The sorted rule tuple, rebuilt only when a rule registers: the driver asks for it per file.
_sorted: tuple[type[Rule], ...] | None = None


def register(rule: type[Rule]) -> type[Rule]:
    global _sorted
    if rule.code in _RULES and _RULES[rule.code] is not rule:
        raise ValueError(f"rule code {rule.code} is used twice")
    _RULES[rule.code] = rule
    _sorted = None
    return rule


def _load() -> None:
    global _loaded
    if _loaded:
        return
    from qmoi.check import rules

    for info in pkgutil.iter_modules(rules.__path__):
        importlib.import_module(f"{rules.__name__}.{info.name}")
    _loaded = True


def all_rules() -> tuple[type[Rule], ...]:
    global _sorted
    _load()
    if _sorted is None:
        _sorted = tuple(sorted(_RULES.values(), key=lambda r: r.code))
    return _sorted


def _matches(rule: type[Rule], names: Iterable[str]) -> bool:
    return any(rule.code.startswith(n) or rule.name == n for n in names)


def select_rules(
    select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> tuple[type[Rule], ...]:
    """Rules chosen by code (or code prefix) or name; ``ignore`` wins over ``select``."""
    chosen = list(select)
    dropped = list(ignore)
    return tuple(
        rule
        for rule in all_rules()
        if (not chosen or _matches(rule, chosen)) and not _matches(rule, dropped)
    )
