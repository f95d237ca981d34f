"""The sink's statements, built once. A run writes a row or two per event on the
scheduler's thread, so each write must cost little: building a statement (and its cache
key) per event cost more than the database itself. Values travel as parameters; an
UPDATE sets the columns named in its parameters."""

from __future__ import annotations

from sqlalchemy import bindparam, insert, update

from qmoi.store.schema import metadata

_JOBS = metadata.tables["jobs"]
_ATTEMPTS = metadata.tables["job_attempts"]
_STEPS = metadata.tables["steps"]
_SAMPLES = metadata.tables["resource_samples"]
_RUNS = metadata.tables["runs"]

INSERT_JOB = insert(_JOBS).returning(_JOBS.c.id)
UPDATE_JOB = update(_JOBS).where(_JOBS.c.id == bindparam("b_pk"))
INSERT_ATTEMPT = insert(_ATTEMPTS).returning(_ATTEMPTS.c.id)
UPDATE_ATTEMPT = update(_ATTEMPTS).where(_ATTEMPTS.c.id == bindparam("b_pk"))
INSERT_STEP = insert(_STEPS)
UPDATE_STEP = update(_STEPS).where(_STEPS.c.attempt_id == bindparam("b_attempt"),
                                   _STEPS.c.index == bindparam("b_index"))
INSERT_SAMPLE = insert(_SAMPLES)
HEARTBEAT = (update(_RUNS).where(_RUNS.c.id == bindparam("b_run"), _RUNS.c.result.is_(None))
             .values(heartbeat_at=bindparam("b_at")))
