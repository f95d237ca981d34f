"""Stage 8: where jobs run. ``InlineRunner`` runs them on threads of this process; the
process pool and the Ray backend implement the same ``qmoi.schedule.Runner`` protocol.

A runner calls a ``JobExecutor`` (``qmoi.execute`` provides the host one) and passes it a
``CancelToken``; both are defined in ``qmoi.runners.base``.
"""

from qmoi.runners.base import CancelToken, JobExecutor, default_capacity
from qmoi.runners.inline import InlineRunner

__all__ = ["CancelToken", "InlineRunner", "JobExecutor", "default_capacity"]
