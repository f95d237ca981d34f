"""The fork server the pool's workers come from (see ``qmoi.runners.pool.workers``).

A light module (the standard library only), so ``qmoi run`` can start the fork server
first thing — it imports the executor in a process of its own while the run reads its
workflows and opens the store — and the pool's first worker forks at once.

The server also imports the coordinator's main module and takes its ``sys.path``, which
Python 3.11's fork server means to do and does not (https://github.com/python/cpython/issues/
137996, https://github.com/python/cpython/issues/117378): without it every worker runs the
main module's imports again (55 ms of CPU per worker under bench/qcity_bench.py), and
modules found through a path the coordinator added are imported by every worker too.
This module is the first the server imports; the coordinator hands it both through the
server's environment (``os.putenv``, so ``os.environ`` — which workers and jobs copy —
never holds them).

When the coordinator compiles through ``qmoi.startcache`` (``qmoi run`` does), the server
uses the same file: importing the executor defines ~150 dataclasses, and compiling their
generated methods was ~40 % of the server's start (importing the worker and the executor:
175-183 ms of CPU, 103-105 ms with the cache), on the core the coordinator's own start
needs too. The server only reads the file; the coordinator saves it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from multiprocessing.context import ForkServerContext
from typing import Any

WORKER_MODULE = "qmoi.runners.pool.worker"
_MAIN = "QMOI_FORKSERVER_MAIN"
_PATH = "QMOI_FORKSERVER_PATH"
_CACHE = "QMOI_FORKSERVER_STARTCACHE"
_STARTING = threading.Lock()


def preload_of(factory: Callable[..., Any]) -> tuple[str, ...]:
    """The modules the fork server imports for workers made by ``factory``: the worker's
    and the factory's own (a ``functools.partial``'s function's)."""
    target = factory.func if isinstance(factory, functools.partial) else factory
    module = getattr(target, "__module__", None)
    extra = (module,) if isinstance(module, str) and module != "__main__" else ()
    return (WORKER_MODULE, *extra)


@functools.cache
def context(preload: tuple[str, ...]) -> ForkServerContext:
    """The fork server's context, the server started (once per coordinator process: the
    preload is effective only for the first one)."""
    found = multiprocessing.get_context("forkserver")
    assert isinstance(found, ForkServerContext)
    found.set_forkserver_preload([__name__, *preload])
    _start_server()
    return found


def warm_up(*modules: str) -> None:
    """Start the fork server now, preloading the worker module and ``modules`` (name the
    executor factory's module, as ``preload_of`` would)."""
    context((WORKER_MODULE, *modules))


def _start_server() -> None:
    from multiprocessing import forkserver, spawn

    from qmoi.startcache import installed_path

    main = spawn.get_preparation_data("qmoi").get("init_main_from_path")
    cache = installed_path()
    with _STARTING:
        os.putenv(_PATH, json.dumps(sys.path))
        if isinstance(main, str):
            os.putenv(_MAIN, main)
        if cache is not None:
            os.putenv(_CACHE, str(cache))
        try:
            forkserver.ensure_running()
        finally:
            os.unsetenv(_PATH)
            os.unsetenv(_MAIN)
            os.unsetenv(_CACHE)


def _prepare_server() -> None:
    """In the fork server: take the coordinator's ``sys.path`` and import its main module
    the way each worker would (``multiprocessing.spawn``), so workers inherit both."""
    path, main = os.environ.pop(_PATH, None), os.environ.pop(_MAIN, None)
    cache = os.environ.pop(_CACHE, None)
    if path is not None:
        sys.path[:] = [str(entry) for entry in json.loads(path)]
    if cache is not None:
        from pathlib import Path

        from qmoi.startcache import install

        install(Path(cache))
    if main is None:
        return
    from multiprocessing import process, spawn

    current: Any = process.current_process()
    current._inheriting = True
    # A main module that fails here is imported by each worker itself, as without this.
    with contextlib.suppress(Exception):
        spawn.import_main_path(main)
    del current._inheriting


if _PATH in os.environ:
    _prepare_server()
