"""Stage 8: where jobs run. ``LocalPool`` (``qmoi.runners.pool``, the default) runs them in
worker processes; ``InlineRunner`` on threads of this process (handy for debugging); the
Ray backend implements the same ``qmoi.schedule.Runner`` protocol.

A runner calls a ``JobExecutor`` (``qmoi.execute`` provides the host one) and passes it a
``CancelToken``; both are defined in ``qmoi.runners.base``.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qmoi.runners.base import CancelToken, JobExecutor, default_capacity
    from qmoi.runners.inline import InlineRunner
    from qmoi.runners.pool import LocalPool, PoolConfig

__all__ = ["CancelToken", "InlineRunner", "JobExecutor", "LocalPool", "PoolConfig",
           "default_capacity"]

_HOMES = {"CancelToken": "base", "JobExecutor": "base", "default_capacity": "base",
          "InlineRunner": "inline", "LocalPool": "pool", "PoolConfig": "pool"}


def __getattr__(name: str) -> Any:
    # Every name loads on first use: the pool imports psutil, the workflow loader and the
    # configuration reader, and even ``qmoi.runners.base`` imports the scheduler's
    # protocol — ``qmoi run`` starts the pool's fork server before any of that.
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'qmoi.runners' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"qmoi.runners.{home}"), name)
