"""QCity's local runner pool: worker processes, a supervisor that replaces dead or hung
workers and re-runs their jobs, admission by the CPU and memory free now, autoscaling,
``runs-on`` label routing and redundant runs. See ``LocalPool``."""

from qmoi.runners.pool.board import WorkerInfo, read_boards
from qmoi.runners.pool.config import PoolConfig, Request, pool_config
from qmoi.runners.pool.pool import LocalPool

__all__ = ["LocalPool", "PoolConfig", "Request", "WorkerInfo", "pool_config", "read_boards"]
