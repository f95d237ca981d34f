"""Every runner ends each job with exactly one JobFinished, whatever its executor does."""

from __future__ import annotations

from collections.abc import Callable

from qmoi.errors import InputError
from qmoi.events import Event, JobFinished, JobStarted
from qmoi.runners.base import CancelToken, run_to_one_end


def ends(body: Callable[[Callable[[Event], None]], None],
         token: CancelToken | None = None) -> list[Event]:
    seen: list[Event] = []
    run_to_one_end("k", token or CancelToken(), seen.append, body)
    return seen


def finished(events: list[Event]) -> list[JobFinished]:
    return [e for e in events if isinstance(e, JobFinished)]


def test_a_second_end_is_dropped_and_other_jobs_ends_pass() -> None:
    def body(emit: Callable[[Event], None]) -> None:
        emit(JobStarted("k", 1.0))
        emit(JobFinished("k", "success", {}, 2.0))
        emit(JobFinished("k", "failure", {}, 3.0))
        emit(JobFinished("other", "success", {}, 4.0))

    events = ends(body)
    assert [(e.key, e.result) for e in finished(events)] == [("k", "success"),
                                                              ("other", "success")]


def test_a_user_error_ends_the_job_with_its_message() -> None:
    def body(emit: Callable[[Event], None]) -> None:
        raise InputError("workflow.yml:3:5: no such step")

    (end,) = finished(ends(body))
    assert (end.result, end.message) == ("failure", "workflow.yml:3:5: no such step")


def test_a_crash_ends_the_job_as_an_internal_error() -> None:
    def body(emit: Callable[[Event], None]) -> None:
        emit(JobStarted("k", 1.0))
        raise RuntimeError("boom")

    (end,) = finished(ends(body))
    assert end.result == "failure" and end.message is not None
    assert end.message.startswith("internal error while running the job: RuntimeError")


def test_a_job_that_ends_silently_gets_an_end_cancelled_if_asked_to_stop() -> None:
    assert [e.result for e in finished(ends(lambda emit: None))] == ["failure"]
    token = CancelToken()
    token.cancel()
    assert [e.result for e in finished(ends(lambda emit: None, token))] == ["cancelled"]
