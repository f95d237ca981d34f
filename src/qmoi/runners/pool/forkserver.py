"""The fork server the pool's workers come from (see ``qmoi.runners.pool.workers``).

A light module (the standard library only), so ``qmoi run`` can start the fork server
first thing — it imports the executor in a process of its own while the run reads its
workflows and opens the store — and the pool's first worker forks at once.
"""

from __future__ import annotations

import functools
import multiprocessing
from collections.abc import Callable
from multiprocessing.context import ForkServerContext
from typing import Any

WORKER_MODULE = "qmoi.runners.pool.worker"


def preload_of(factory: Callable[..., Any]) -> tuple[str, ...]:
    """The modules the fork server imports for workers made by ``factory``: the worker's
    and the factory's own (a ``functools.partial``'s function's)."""
    target = factory.func if isinstance(factory, functools.partial) else factory
    module = getattr(target, "__module__", None)
    extra = (module,) if isinstance(module, str) and module != "__main__" else ()
    return (WORKER_MODULE, *extra)


@functools.cache
def context(preload: tuple[str, ...]) -> ForkServerContext:
    found = multiprocessing.get_context("forkserver")
    assert isinstance(found, ForkServerContext)
    # Effective only before the fork server first starts (once per coordinator process).
    found.set_forkserver_preload(list(preload))
    return found


def warm_up(*modules: str) -> None:
    """Start the fork server now, preloading the worker module and ``modules`` (name the
    executor factory's module, as ``preload_of`` would)."""
    context((WORKER_MODULE, *modules))
    from multiprocessing import forkserver

    forkserver.ensure_running()
