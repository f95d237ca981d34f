"""``on.schedule[].cron``: the POSIX cron syntax GitHub accepts, when a schedule fires next,
and the shortest gap between two of its runs.

GitHub documents (https://docs.github.com/en/actions/reference/workflows-and-actions/
events-that-trigger-workflows#schedule): five fields — minute (0-59), hour (0-23), day of month
(1-31), month (1-12 or JAN-DEC), day of week (0-6 or SUN-SAT) — the operators ``*``, ``,``,
``-`` and ``/`` (``20/15`` means 20 through 59 every 15), UTC by default, "The shortest interval
you can run scheduled workflows is once every 5 minutes", and no ``@yearly``/``@daily``-style
macros. Day 7 for Sunday is outside the documented 0-6, so it is rejected (as actionlint does).
Names are case-insensitive, as in Vixie cron. When both day fields are restricted a day matches
if *either* does (POSIX crontab; Vixie cron treats a field that starts with ``*`` as
unrestricted, so ``*/2`` there keeps AND semantics).
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import pairwise

from qmoi.errors import QmoiError

SCHEDULE_URL = (
    "https://docs.github.com/en/actions/reference/workflows-and-actions/"
    "events-that-trigger-workflows#schedule"
)
# "The shortest interval you can run scheduled workflows is once every 5 minutes." (SCHEDULE_URL)
SHORTEST_INTERVAL_MINUTES = 5

FIELD_NAMES = ("minute", "hour", "day of month", "month", "day of week")
_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_NAMES: dict[int, dict[str, int]] = {
    3: {name: number for number, name in enumerate(_MONTHS, start=1)},
    4: {name: number for number, name in enumerate(_DAYS)},
}
_MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
# The Gregorian calendar repeats every 400 years (146,097 days, a whole number of weeks).
_CYCLE_YEARS = 400
_CYCLE_DAYS = 146_097
_MINUTES_PER_DAY = 24 * 60


class CronError(QmoiError):
    """A cron expression GitHub does not accept; ``offset`` indexes the offending text."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset

    def __str__(self) -> str:
        return f"{self.message} (at offset {self.offset})"


@dataclass(frozen=True, slots=True)
class CronSpec:
    """A parsed schedule. Each set holds the values its field allows; ``field_offsets`` are
    where the five fields start in ``text``; ``dom_restricted`` / ``dow_restricted`` tell
    whether a day field limits days (a field starting with ``*`` does not)."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    dom_restricted: bool
    dow_restricted: bool
    field_offsets: tuple[int, int, int, int, int]

    def day_matches(self, day: date) -> bool:
        """Whether the schedule fires on ``day`` (month and both day fields)."""
        if day.month not in self.months:
            return False
        return self._day_ok(day.day, day.isoweekday() % 7)

    def _day_ok(self, dom: int, dow: int) -> bool:
        in_dom, in_dow = dom in self.days, dow in self.weekdays
        if self.dom_restricted and self.dow_restricted:
            return in_dom or in_dow
        return in_dom and in_dow

    def matches(self, moment: datetime) -> bool:
        """Whether the schedule fires in the UTC minute containing ``moment``."""
        at = _utc(moment)
        return at.minute in self.minutes and at.hour in self.hours and self.day_matches(at.date())

    @property
    def fires(self) -> bool:
        """False for a schedule no date satisfies, such as ``0 0 30 2 *``."""
        return _day_stats(self)[0]

    @property
    def min_interval_minutes(self) -> int | None:
        """The shortest gap between two consecutive runs, in minutes (``None`` if it never
        fires). Compare with :data:`SHORTEST_INTERVAL_MINUTES`."""
        return _min_interval(self)

    def next_after(self, moment: datetime) -> datetime:
        """The first run strictly after ``moment``, as an aware UTC datetime (a naive
        ``moment`` is taken as UTC). Raises :class:`CronError` if the schedule never fires or
        the next run would fall after the year 9999."""
        if not self.fires:
            raise CronError("this schedule never fires: no date matches it", self.field_offsets[2])
        at = _utc(moment).replace(second=0, microsecond=0)
        try:
            return self._search(at + timedelta(minutes=1))
        except (OverflowError, ValueError):  # past datetime.max
            raise CronError("the next run falls after the year 9999", 0) from None

    def _search(self, at: datetime) -> datetime:
        while True:
            if at.month not in self.months:
                at = _next_month(at)
            elif not self._day_ok(at.day, at.isoweekday() % 7):
                at = _midnight(at) + timedelta(days=1)
            elif at.hour not in self.hours:
                later = _first_above(self.hours, at.hour)
                at = (
                    _midnight(at) + timedelta(days=1)
                    if later is None
                    else at.replace(hour=later, minute=0)
                )
            elif at.minute not in self.minutes:
                later = _first_above(self.minutes, at.minute)
                at = (
                    at.replace(minute=0) + timedelta(hours=1)
                    if later is None
                    else at.replace(minute=later)
                )
            else:
                return at


# --------------------------------------------------------------------------- time helpers


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _midnight(at: datetime) -> datetime:
    return at.replace(hour=0, minute=0)


def _next_month(at: datetime) -> datetime:
    if at.month == 12:
        return at.replace(year=at.year + 1, month=1, day=1, hour=0, minute=0)
    return at.replace(month=at.month + 1, day=1, hour=0, minute=0)


def _first_above(values: frozenset[int], value: int) -> int | None:
    return min((v for v in values if v > value), default=None)


# --------------------------------------------------------------------------- parsing


def parse_cron(text: str) -> CronSpec:
    """Parse a GitHub ``cron`` string. Raises :class:`CronError` with the offset of the bad
    part: a macro, a wrong number of fields, an unknown name, a value out of range, a reversed
    range, a zero or missing step, or an unsupported character."""
    _reject_macro(text)
    tokens = [(m.group(), m.start()) for m in re.finditer(r"\S+", text)]
    if len(tokens) != 5:
        _wrong_field_count(text, tokens)
    sets = [_parse_field(token, offset, index) for index, (token, offset) in enumerate(tokens)]
    offsets = tuple(offset for _, offset in tokens)
    return CronSpec(
        text=text,
        minutes=sets[0],
        hours=sets[1],
        days=sets[2],
        months=sets[3],
        weekdays=sets[4],
        dom_restricted=not tokens[2][0].startswith("*"),
        dow_restricted=not tokens[4][0].startswith("*"),
        field_offsets=(offsets[0], offsets[1], offsets[2], offsets[3], offsets[4]),
    )


def _reject_macro(text: str) -> None:
    stripped = text.lstrip()
    if not stripped.startswith("@"):
        return
    offset = len(text) - len(stripped)
    word = stripped.split()[0]
    hint = f"; write '{_MACROS[word.lower()]}'" if word.lower() in _MACROS else ""
    raise CronError(f"GitHub Actions does not support the macro '{word}'{hint}", offset)


def _wrong_field_count(text: str, tokens: list[tuple[str, int]]) -> None:
    layout = "minute hour day-of-month month day-of-week"
    if len(tokens) > 5:
        raise CronError(
            f"expected 5 fields ({layout}), found {len(tokens)}: "
            "GitHub's cron has no seconds or year field",
            tokens[5][1],
        )
    raise CronError(f"expected 5 fields ({layout}), found {len(tokens)}", len(text.rstrip()))


def _parse_field(token: str, offset: int, index: int) -> frozenset[int]:
    values: set[int] = set()
    position = 0
    for item in token.split(","):
        start = offset + position
        if not item:
            raise CronError(f"empty item in the {FIELD_NAMES[index]} list", start)
        values.update(_parse_item(item, start, index))
        position += len(item) + 1
    return frozenset(values)


def _parse_item(item: str, offset: int, index: int) -> range:
    base, slash, step_text = item.partition("/")
    low_bound, high_bound = _BOUNDS[index]
    step = _parse_step(step_text, offset + len(base) + 1, index) if slash else 1
    if base == "*":
        return range(low_bound, high_bound + 1, step)
    low_text, dash, high_text = base.partition("-")
    low = _parse_value(low_text, offset, index)
    if not dash:
        # `20/15` runs "every 15 minutes starting from minute 20 through 59" (SCHEDULE_URL).
        return range(low, (high_bound if slash else low) + 1, step)
    high = _parse_value(high_text, offset + len(low_text) + 1, index)
    if low > high:
        raise CronError(
            f"the {FIELD_NAMES[index]} range {base} runs backwards; list both ends instead",
            offset,
        )
    return range(low, high + 1, step)


def _parse_step(text: str, offset: int, index: int) -> int:
    if not text.isdigit() or not text.isascii():
        raise CronError(f"the step after '/' in the {FIELD_NAMES[index]} field must be a number",
                        offset)
    step = int(text)
    if step == 0:
        raise CronError("a step of 0 never advances", offset)
    return step


def _parse_value(text: str, offset: int, index: int) -> int:
    low, high = _BOUNDS[index]
    field = FIELD_NAMES[index]
    if text.isascii() and text.isdigit():
        value = int(text)
    elif text.upper() in _NAMES.get(index, {}):
        return _NAMES[index][text.upper()]
    else:
        raise CronError(_bad_value_message(text, index), offset)
    if value == 7 and index == 4:
        raise CronError("day of week 7 is outside GitHub's 0-6; write 0 or SUN for Sunday", offset)
    if not low <= value <= high:
        raise CronError(f"{field} {value} is out of range {low}-{high}", offset)
    return value


def _bad_value_message(text: str, index: int) -> str:
    field = FIELD_NAMES[index]
    if not text:
        return f"a {field} value is missing"
    if text == "?":
        return "'?' is not one of GitHub's cron operators (* , - /); use '*'"
    if index in _NAMES:
        examples = "JAN-DEC" if index == 3 else "SUN-SAT"
        return f"{text!r} is not a {field}: use a number or a name {examples}"
    return f"{text!r} is not a {field}: expected a number"


# --------------------------------------------------------------------------- intervals


@lru_cache(maxsize=1024)
def _day_stats(spec: CronSpec) -> tuple[bool, int]:
    """Whether any day fires, and the smallest gap in days between consecutive firing days,
    found over one 400-year cycle of the calendar (including the wrap to the next cycle)."""
    table: dict[tuple[int, int], list[int]] = {}
    first: int | None = None
    previous: int | None = None
    best = _CYCLE_DAYS
    for year in range(2000, 2000 + _CYCLE_YEARS):
        for month in sorted(spec.months):
            first_weekday, length = monthrange(year, month)
            days = table.get((first_weekday, length))
            if days is None:
                days = table[first_weekday, length] = _firing_days(spec, first_weekday, length)
            base = date(year, month, 1).toordinal() - 1
            for day in days:
                ordinal = base + day
                if previous is not None:
                    best = min(best, ordinal - previous)
                    if best == 1:
                        return True, 1
                first = ordinal if first is None else first
                previous = ordinal
    if first is None or previous is None:
        return False, 0
    return True, min(best, first + _CYCLE_DAYS - previous)


def _firing_days(spec: CronSpec, first_weekday: int, length: int) -> list[int]:
    # `monthrange` counts Monday as 0; cron counts Sunday as 0.
    return [d for d in range(1, length + 1) if spec._day_ok(d, (first_weekday + d) % 7)]


def _smallest_step(values: list[int]) -> int | None:
    return min((b - a for a, b in pairwise(values)), default=None)


@lru_cache(maxsize=1024)
def _min_interval(spec: CronSpec) -> int | None:
    fires, day_gap = _day_stats(spec)
    if not fires:
        return None
    minutes, hours = sorted(spec.minutes), sorted(spec.hours)
    spread = minutes[-1] - minutes[0]
    first_run, last_run = hours[0] * 60 + minutes[0], hours[-1] * 60 + minutes[-1]
    candidates = [day_gap * _MINUTES_PER_DAY - (last_run - first_run)]
    in_hour = _smallest_step(minutes)
    if in_hour is not None:
        candidates.append(in_hour)
    between_hours = _smallest_step(hours)
    if between_hours is not None:
        candidates.append(between_hours * 60 - spread)
    return min(candidates)


def too_frequent(spec: CronSpec) -> bool:
    """Whether the schedule asks to run more often than GitHub's 5-minute minimum."""
    interval = spec.min_interval_minutes
    return interval is not None and interval < SHORTEST_INTERVAL_MINUTES

