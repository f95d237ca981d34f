"""The run record's timestamps (``qmoi.schedule.results``)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from qmoi.schedule.results import _iso

# datetime's own range, from the epoch (run times are never earlier)
_LAST = datetime(9999, 12, 31, 23, 59, 58, tzinfo=UTC).timestamp()


def _expected(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds")


@given(st.floats(min_value=0, max_value=_LAST, allow_nan=False, allow_infinity=False))
def test_iso_is_what_datetime_writes(at: float) -> None:
    assert _iso(at) == _expected(at)


@given(st.integers(min_value=0, max_value=int(_LAST)),
       st.sampled_from([0.0, 0.0005, 0.0004995, 0.9994999, 0.9995, 0.9999994, 0.9999995,
                        0.9999996, 0.5, 0.0000005, 0.0000015, 0.0000025]))
def test_iso_rounds_and_carries_as_datetime_does(seconds: int, fraction: float) -> None:
    at = seconds + fraction
    assert _iso(at) == _expected(at)


def test_iso_of_known_times() -> None:
    assert _iso(None) is None
    assert _iso(0.0) == "1970-01-01T00:00:00.000+00:00"
    assert _iso(1_700_000_000.25) == "2023-11-14T22:13:20.250+00:00"
    assert _iso(1_700_000_000.9999996) == "2023-11-14T22:13:21.000+00:00"
