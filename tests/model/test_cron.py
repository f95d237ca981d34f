"""GitHub's schedule cron: parsing, next runs and the shortest interval.

Examples come from https://docs.github.com/en/actions/reference/workflows-and-actions/
events-that-trigger-workflows#schedule (operator table, the New York and Monday-Thursday
examples, "15 4,5 * * *"), workflow-syntax#onschedule ("30 5,17 * * *") and actionlint's
documented `events` check ("0 */3 * *", "* */3 * * *").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qmoi.errors import QmoiError
from qmoi.model.cron import (
    SHORTEST_INTERVAL_MINUTES,
    CronError,
    CronSpec,
    parse_cron,
    too_frequent,
)

START = datetime(2024, 1, 1, tzinfo=UTC)  # a Monday


def runs(text: str, count: int, start: datetime = START) -> list[datetime]:
    spec = parse_cron(text)
    found: list[datetime] = []
    at = start
    for _ in range(count):
        at = spec.next_after(at)
        found.append(at)
    return found


def at(day: int, hour: int, minute: int, month: int = 1, year: int = 2024) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --------------------------------------------------------------------------- documented examples


def test_any_value_operator() -> None:
    # "`15 * * * *` runs at every minute 15 of every hour of every day."
    assert runs("15 * * * *", 3) == [at(1, 0, 15), at(1, 1, 15), at(1, 2, 15)]


def test_list_operator() -> None:
    # "`2,10 4,5 * * *` runs at minute 2 and 10 of the 4th and 5th hour of every day."
    assert runs("2,10 4,5 * * *", 5) == [
        at(1, 4, 2), at(1, 4, 10), at(1, 5, 2), at(1, 5, 10), at(2, 4, 2),
    ]


def test_range_operator() -> None:
    # "`30 4-6 * * *` runs at minute 30 of the 4th, 5th, and 6th hour."
    assert runs("30 4-6 * * *", 4) == [at(1, 4, 30), at(1, 5, 30), at(1, 6, 30), at(2, 4, 30)]


def test_step_from_a_single_value_runs_to_the_end_of_the_field() -> None:
    # "`20/15 * * * *` runs every 15 minutes starting from minute 20 through 59 (20, 35, 50)."
    spec = parse_cron("20/15 * * * *")
    assert spec.minutes == {20, 35, 50}
    assert runs("20/15 * * * *", 4) == [at(1, 0, 20), at(1, 0, 35), at(1, 0, 50), at(1, 1, 20)]


def test_twice_a_day_example() -> None:
    # workflow-syntax on.schedule: "every day at 5:30 and 17:30 UTC"
    assert runs("30 5,17 * * *", 3) == [at(1, 5, 30), at(1, 17, 30), at(2, 5, 30)]
    assert runs("15 4,5 * * *", 2) == [at(1, 4, 15), at(1, 5, 15)]


def test_monday_to_thursday_example() -> None:
    # '30 5 * * 1,3' and '30 5,17 * * 2,4': Monday-Thursday at 5:30, also 17:30 Tue and Thu.
    assert [r.isoweekday() for r in runs("30 5 * * 1,3", 4)] == [1, 3, 1, 3]
    assert runs("30 5,17 * * 2,4", 3) == [at(2, 5, 30), at(2, 17, 30), at(4, 5, 30)]


def test_weekdays_range_example() -> None:
    # '30 5 * * 1-5' (the New York example, read in UTC here)
    assert [r.day for r in runs("30 5 * * 1-5", 6)] == [1, 2, 3, 4, 5, 8]


def test_every_fifteen_minutes() -> None:
    assert runs("*/15 * * * *", 3) == [at(1, 0, 15), at(1, 0, 30), at(1, 0, 45)]
    assert parse_cron("*/15 * * * *").min_interval_minutes == 15


def test_actionlint_examples() -> None:
    with pytest.raises(CronError, match="expected 5 fields"):
        parse_cron("0 */3 * *")
    spec = parse_cron("* */3 * * *")
    assert spec.min_interval_minutes == 1
    assert too_frequent(spec)


# --------------------------------------------------------------------------- semantics


def test_names_are_case_insensitive() -> None:
    assert parse_cron("0 0 * * Sun").weekdays == {0}
    assert parse_cron("0 0 * jan-Mar MON-fri").months == {1, 2, 3}
    assert parse_cron("0 0 * * MON-FRI/2").weekdays == {1, 3, 5}


def test_day_of_month_or_day_of_week_when_both_restricted() -> None:
    # POSIX crontab: either the day of month or the day of week may match.
    days = [r.date() for r in runs("0 0 13 * 5", 4)]
    assert days == [date(2024, 1, 5), date(2024, 1, 12), date(2024, 1, 13), date(2024, 1, 19)]


def test_a_day_field_starting_with_star_keeps_and_semantics() -> None:
    # Vixie cron: `*/2` counts as unrestricted, so both fields must match.
    spec = parse_cron("0 0 */2 * 1")
    assert not spec.dom_restricted and spec.dow_restricted
    days = [r.date() for r in runs("0 0 */2 * 1", 3)]
    assert days == [date(2024, 1, 15), date(2024, 1, 29), date(2024, 2, 5)]


def test_next_after_is_strict_and_uses_utc() -> None:
    spec = parse_cron("0 12 * * *")
    assert spec.next_after(at(1, 12, 0)) == at(2, 12, 0)
    assert spec.next_after(datetime(2024, 1, 1, 11, 59, 59)) == at(1, 12, 0)  # naive = UTC
    plus_two = datetime(2024, 1, 1, 13, 30, tzinfo=timezone(timedelta(hours=2)))  # 11:30 UTC
    assert spec.next_after(plus_two) == at(1, 12, 0)
    assert spec.next_after(plus_two).tzinfo is UTC


def test_leap_day_and_year_boundaries() -> None:
    assert runs("0 0 29 2 *", 2) == [at(29, 0, 0, 2, 2024), at(29, 0, 0, 2, 2028)]
    assert runs("59 23 31 12 *", 1, at(31, 23, 59, 12, 2024)) == [at(31, 23, 59, 12, 2025)]
    assert parse_cron("0 0 29 2 *").min_interval_minutes == 4 * 365 * 1440 + 1440


def test_a_schedule_that_never_fires() -> None:
    spec = parse_cron("0 0 30 2 *")
    assert not spec.fires
    assert spec.min_interval_minutes is None
    assert not too_frequent(spec)
    with pytest.raises(CronError, match="never fires") as caught:
        spec.next_after(START)
    assert caught.value.offset == 4


def test_far_future_is_a_clean_error() -> None:
    with pytest.raises(CronError, match="9999"):
        parse_cron("0 0 1 1 *").next_after(datetime(9999, 6, 1, tzinfo=UTC))


def test_block_scalar_with_trailing_newline_parses() -> None:
    # apache/arrow cpp_extra.yml writes `cron: |` followed by "0 0 * * *".
    spec = parse_cron("0 0 * * *\n")
    assert spec.field_offsets == (0, 2, 4, 6, 8)
    assert parse_cron("  00 01 * * *").hours == {1}


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("*/5 * * * *", 5),
        ("*/4 * * * *", 4),
        ("0,58 * * * *", 2),  # the 58 → 0 wrap is the short gap
        ("0,3 * * * *", 3),
        ("3/5 * * * *", 5),  # 58 → 3 across the hour
        ("5,50 * * * *", 15),  # 50 → 5 across the hour
        ("59 23,0 * * *", 60),  # 23:59 → 00:59 the next day
        ("0 0 * * *", 1440),
        ("0 0 * * 1", 7 * 1440),
        ("0 0 1 * 1", 1440),  # OR: a Monday the 31st, then the 1st
        ("0 0 */7 * *", 1440),  # 29 Feb → 1 Mar in leap years
        ("0 0 1 1 *", 365 * 1440),
        ("30 5,17 * * *", 720),
    ],
)
def test_min_interval(text: str, minutes: int) -> None:
    assert parse_cron(text).min_interval_minutes == minutes
    assert too_frequent(parse_cron(text)) is (minutes < SHORTEST_INTERVAL_MINUTES)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "offset", "needle"),
    [
        ("@daily", 0, "'0 0 * * *'"),
        ("  @weekly", 2, "'0 0 * * 0'"),
        ("@reboot", 0, "does not support"),
        ("", 0, "found 0"),
        ("0 0 * *", 7, "found 4"),
        ("0 0 * * * 2024", 10, "no seconds or year"),
        ("60 * * * *", 0, "minute 60 is out of range 0-59"),
        ("0 24 * * *", 2, "hour 24"),
        ("0 0 0 * *", 4, "day of month 0"),
        ("0 0 32 * *", 4, "day of month 32"),
        ("0 0 * 13 *", 6, "month 13"),
        ("0 0 * * 7", 8, "write 0 or SUN"),
        ("0 0 * * 1-7", 10, "write 0 or SUN"),
        ("0,5,61 * * * *", 4, "minute 61"),
        ("0 0 * * SAT-SUN", 8, "runs backwards"),
        ("10-5 * * * *", 0, "runs backwards"),
        ("*/0 * * * *", 2, "step of 0"),
        ("*/x * * * *", 2, "must be a number"),
        ("*/ * * * *", 2, "must be a number"),
        ("1,,2 * * * *", 2, "empty item"),
        ("1, * * * *", 2, "empty item"),
        ("? * * * *", 0, "'?' is not"),
        ("0 0 ? * *", 4, "'?' is not"),
        ("0 0 L * *", 4, "is not a day of month"),
        ("0 0 * FOO *", 6, "JAN-DEC"),
        ("0 0 * * MONDAY", 8, "SUN-SAT"),
        ("MON * * * *", 0, "expected a number"),
        ("0 0 * * MON-", 12, "missing"),
        ("0 0 * * -1", 8, "missing"),
        ("٣ * * * *", 0, "expected a number"),  # non-ASCII digits are not cron numbers
    ],
)
def test_errors_carry_the_offset(text: str, offset: int, needle: str) -> None:
    with pytest.raises(CronError) as caught:
        parse_cron(text)
    assert caught.value.offset == offset, caught.value
    assert needle in caught.value.message
    assert isinstance(caught.value, QmoiError)


def test_every_cron_in_the_corpus_parses(shared: object) -> None:
    import re
    from pathlib import Path

    found = 0
    for path in (Path(str(shared)) / "corpus" / "workflows").iterdir():
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"^\s*-?\s*cron:\s*['\"]([^'\"]+)['\"]", text, re.MULTILINE):
            spec = parse_cron(match.group(1))
            assert not too_frequent(spec), (path.name, match.group(1))
            found += 1
    assert found > 50


# --------------------------------------------------------------------------- properties

_NAMES = {3: ["JAN", "Feb", "mar", "DEC"], 4: ["SUN", "mon", "Sat", "WED"]}
_RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)]


@st.composite
def items(draw: st.DrawFn, index: int) -> str:
    low, high = _RANGES[index]
    value = st.integers(low, high)
    kind = draw(st.sampled_from(["*", "*/", "v", "v/", "a-b", "a-b/", "name"]))
    if kind == "name" and index in _NAMES:
        return draw(st.sampled_from(_NAMES[index]))
    if kind.startswith("*"):
        base = "*"
    elif kind.startswith("a-b"):
        a, b = sorted((draw(value), draw(value)))
        base = f"{a}-{b}"
    else:
        base = str(draw(value))
    return base + (f"/{draw(st.integers(1, 20))}" if kind.endswith("/") else "")


@st.composite
def cron_texts(draw: st.DrawFn) -> str:
    fields = [",".join(draw(st.lists(items(i), min_size=1, max_size=3))) for i in range(5)]
    return " ".join(fields)


moments = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)


@given(st.text(alphabet=st.sampled_from("0123456789*,-/ @?JANMONsun\t\n"), max_size=30))
def test_parse_never_raises_anything_else(text: str) -> None:
    try:
        spec = parse_cron(text)
    except CronError as error:
        assert 0 <= error.offset <= len(text)
    else:
        assert isinstance(spec, CronSpec)


@given(st.text(max_size=30))
def test_parse_random_unicode_never_raises_anything_else(text: str) -> None:
    try:
        parse_cron(text)
    except CronError as error:
        assert 0 <= error.offset <= len(text)


@settings(max_examples=150, deadline=None)
@given(cron_texts(), moments)
def test_next_after_increases_and_matches(text: str, start: datetime) -> None:
    spec = parse_cron(text)
    if not spec.fires:
        return
    previous = start
    interval = spec.min_interval_minutes
    assert interval is not None and interval >= 1
    for step in range(3):
        current = spec.next_after(previous)
        assert current > previous
        assert spec.matches(current)
        gap = (current - previous) / timedelta(minutes=1)
        if step:
            assert gap >= interval
        if gap <= 1440:  # nothing matches in between
            probe = previous.replace(second=0, microsecond=0) + timedelta(minutes=1)
            while probe < current:
                assert not spec.matches(probe)
                probe += timedelta(minutes=1)
        previous = current


@settings(max_examples=80, deadline=None)
@given(st.lists(items(0), min_size=1, max_size=3), st.lists(items(1), min_size=1, max_size=3))
def test_min_interval_matches_brute_force_over_two_days(
    minute_items: list[str], hour_items: list[str]
) -> None:
    spec = parse_cron(f"{','.join(minute_items)} {','.join(hour_items)} * * *")
    times = [
        day * 1440 + hour * 60 + minute
        for day in range(3)
        for hour in sorted(spec.hours)
        for minute in sorted(spec.minutes)
    ]
    brute = min((b - a for a, b in pairwise(times)), default=1440)
    assert spec.min_interval_minutes == brute
