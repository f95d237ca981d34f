"""Every dataclass in ``qmoi`` has a docstring of its own."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from types import ModuleType

import qmoi

# A module whose import fails only for want of an optional extra is skipped: ``ray`` (extra
# "ray", imported at the top of qmoi.runners.ray.*) is the one a qmoi module imports itself.
OPTIONAL = frozenset({"ray"})


def _modules() -> list[ModuleType]:
    found: list[ModuleType] = []
    for info in pkgutil.walk_packages(qmoi.__path__, "qmoi."):
        try:
            found.append(importlib.import_module(info.name))
        except ModuleNotFoundError as error:
            if (error.name or "").partition(".")[0] not in OPTIONAL:
                raise
    return found


def _undocumented(module: ModuleType) -> list[str]:
    return [f"{module.__name__}.{name}" for name, value in vars(module).items()
            if inspect.isclass(value) and dataclasses.is_dataclass(value)
            and value.__module__ == module.__name__
            and (value.__doc__ or "").startswith(f"{value.__name__}(")]


def test_every_dataclass_has_its_own_docstring() -> None:
    # Else @dataclass builds one from inspect.signature at import: ms of start-up for nothing.
    modules = _modules()
    assert len(modules) > 100
    offenders = [name for module in modules for name in _undocumented(module)]
    assert not offenders, "dataclasses without a docstring: " + ", ".join(offenders)
