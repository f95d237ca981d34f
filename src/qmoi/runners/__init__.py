"""Stage 8: where jobs run. ``LocalPool`` (``qmoi.runners.pool``, the default) runs them in
worker processes; ``InlineRunner`` on threads of this process (handy for debugging); the
Ray backend implements the same ``qmoi.schedule.Runner`` protocol.

A runner calls a ``JobExecutor`` (``qmoi.execute`` provides the host one) and passes it a
``CancelToken``; both are defined in ``qmoi.runners.base``.
"""

from typing import TYPE_CHECKING, Any

from qmoi.runners.base import CancelToken, JobExecutor, default_capacity
from qmoi.runners.inline import InlineRunner

if TYPE_CHECKING:
    from qmoi.runners.pool import LocalPool, PoolConfig

__all__ = ["CancelToken", "InlineRunner", "JobExecutor", "LocalPool", "PoolConfig",
           "default_capacity"]


def __getattr__(name: str) -> Any:
    # The pool imports psutil, the workflow loader and the configuration reader: only
    # when asked for, so ``qmoi.runners.base`` (which every step imports) stays light.
    if name in ("LocalPool", "PoolConfig"):
        from qmoi.runners import pool

        return getattr(pool, name)
    raise AttributeError(f"module 'qmoi.runners' has no attribute {name!r}")
