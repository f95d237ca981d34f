"""QCity's local runner pool: worker processes, a supervisor that replaces dead or hung
workers and re-runs their jobs, admission by the CPU and memory free now, autoscaling,
``runs-on`` label routing and redundant runs. See ``LocalPool``.

Names load on first use, so ``qmoi.runners.pool.forkserver`` imports without the pool."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qmoi.runners.pool.board import WorkerInfo, read_boards
    from qmoi.runners.pool.config import PoolConfig, Request, pool_config
    from qmoi.runners.pool.forkserver import warm_up
    from qmoi.runners.pool.pool import LocalPool

__all__ = ["LocalPool", "PoolConfig", "Request", "WorkerInfo", "pool_config", "read_boards",
           "warm_up"]

_HOMES = {"WorkerInfo": "board", "read_boards": "board", "PoolConfig": "config",
          "Request": "config", "pool_config": "config", "warm_up": "forkserver",
          "LocalPool": "pool"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'qmoi.runners.pool' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"qmoi.runners.pool.{home}"), name)
