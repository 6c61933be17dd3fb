"""Business hours: whether a queue is open at an instant, and when it opens next.

Windows are wall-clock times in the schedule's time zone, so the arithmetic is done
in local time with zoneinfo: a queue open 09:00-17:00 opens at 09:00 local time on
both sides of a daylight-saving change. Where a window's start does not exist (it
falls in the hour skipped in spring) the queue opens at the first instant after it
that does, the moment the clocks jump; where it exists twice (the hour repeated in
autumn) it opens at the first of the two.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from queues.models import BusinessHours, Queue

# How far ahead `next_open_at` looks: a year covers any run of holidays one can enter.
HORIZON_DAYS = 400
END_OF_DAY = time(0, 0)


@dataclass(frozen=True)
class Schedule:
    """A schedule as plain values: {weekday: [(start, end), ...]}, holidays, a zone."""

    zone: ZoneInfo
    windows: dict[int, tuple[tuple[time, time], ...]]
    holidays: frozenset[date]

    @classmethod
    def of(cls, hours: BusinessHours) -> Schedule:
        windows: dict[int, list[tuple[time, time]]] = {}
        for window in hours.windows.all():
            windows.setdefault(window.day, []).append((window.start, window.end))
        return cls(
            zone=ZoneInfo(hours.time_zone),
            windows={day: tuple(sorted(spans)) for day, spans in windows.items()},
            holidays=frozenset(holiday.date for holiday in hours.holidays.all()),
        )


def valid_time_zone(name: str) -> bool:
    if name not in _zone_names():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


_ZONES: set[str] = set()


def _zone_names() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


def _inside(moment: time, start: time, end: time) -> bool:
    return start <= moment and (end == END_OF_DAY or moment < end)


def schedule_is_open(schedule: Schedule, at: datetime) -> bool:
    """Open at the instant `at` (aware): a window of the local weekday holds the
    local time, and the local date is no holiday."""
    local = at.astimezone(schedule.zone)
    if local.date() in schedule.holidays:
        return False
    moment = local.time().replace(tzinfo=None)
    return any(
        _inside(moment, start, end) for start, end in schedule.windows.get(local.weekday(), ())
    )


def _opening(schedule: Schedule, day: date, start: time) -> datetime:
    """The UTC instant a window starting at local `start` on `day` opens."""
    earlier = datetime.combine(day, start, tzinfo=schedule.zone)
    utc = earlier.astimezone(UTC)
    if utc.astimezone(schedule.zone).replace(tzinfo=None) == earlier.replace(tzinfo=None):
        return utc  # the wall time exists (fold=0 is the first of two in autumn)
    # In the skipped hour: open when the clocks jump, the first instant whose local
    # time is past `start`, found by halving between the two readings of it.
    low = earlier.replace(fold=1).astimezone(UTC)
    high = utc
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(schedule.zone).time() >= start and (
            middle.astimezone(schedule.zone).date() == day
        ):
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def schedule_next_open(schedule: Schedule, after: datetime) -> datetime | None:
    """The first instant at or after `after` at which the schedule is open (now, if
    it is open); None when it never opens within the horizon."""
    if schedule_is_open(schedule, after):
        return after
    first_day = after.astimezone(schedule.zone).date()
    for offset in range(HORIZON_DAYS):
        day = first_day + timedelta(days=offset)
        if day in schedule.holidays:
            continue
        for start, _end in schedule.windows.get(day.weekday(), ()):
            opening = _opening(schedule, day, start)
            if opening > after and schedule_is_open(schedule, opening):
                return opening
    return None


def is_open(queue: Queue, at: datetime) -> bool:
    """Whether `queue` takes chats at `at`. No business hours: always open."""
    if queue.business_hours_id is None:
        return True
    return schedule_is_open(_schedule(queue), at)


def next_open_at(queue: Queue, after: datetime) -> datetime | None:
    """When `queue` is next open at or after `after` (`after` itself when open now)."""
    if queue.business_hours_id is None:
        return after
    return schedule_next_open(_schedule(queue), after)


def _schedule(queue: Queue) -> Schedule:
    # Cached on the instance: routing asks several times within one request.
    cached = getattr(queue, "_schedule_cache", None)
    if cached is None:
        hours = BusinessHours.objects.prefetch_related("windows", "holidays").get(
            pk=queue.business_hours_id
        )
        cached = Schedule.of(hours)
        queue._schedule_cache = cached
    return cached


def window_problems(windows: list[tuple[int, time, time]]) -> list[str]:
    """What is wrong with a schedule's weekly windows (day, start, end): a window that
    ends before it starts, or two windows of one day that overlap. Empty when fine.

    Shared by the API and the admin, so both refuse the same schedules in the same words.
    """
    problems: list[str] = []
    by_day: dict[int, list[tuple[time, time]]] = {}
    for day, start, end in windows:
        if end != END_OF_DAY and end <= start:
            problems.append(
                f"{_DAY_NAMES[day]} {start:%H:%M}-{end:%H:%M}: the end must be after the start."
            )
            continue
        by_day.setdefault(day, []).append((start, end))
    for day, spans in sorted(by_day.items()):
        spans.sort()
        for (start_a, end_a), (start_b, end_b) in itertools.pairwise(spans):
            if end_a == END_OF_DAY or start_b < end_a:
                problems.append(
                    f"{_DAY_NAMES[day]}: {start_a:%H:%M}-{hhmm_end(end_a)} overlaps "
                    f"{start_b:%H:%M}-{hhmm_end(end_b)}."
                )
    return problems


_DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def hhmm_end(end: time) -> str:
    """How an end time reads: midnight at the end of the day is 24:00."""
    return "24:00" if end == END_OF_DAY else f"{end:%H:%M}"
