"""Stage 7: the ready-set scheduler and the ``Runner`` protocol it hands jobs to.

Public API: ``Scheduler`` / ``RunOptions`` (run a ``Plan``), ``Runner`` / ``JobRequest``
(the runner seam), ``RunRecord`` (the run's outcome rebuilt from events).
"""

from qmoi.schedule.protocol import Emit, JobRequest, Runner
from qmoi.schedule.results import JobRecord, RunRecord, StepRecord
from qmoi.schedule.scheduler import RunOptions, Scheduler

__all__ = [
    "Emit",
    "JobRecord",
    "JobRequest",
    "RunOptions",
    "RunRecord",
    "Runner",
    "Scheduler",
    "StepRecord",
]
