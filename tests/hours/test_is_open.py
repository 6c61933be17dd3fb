"""is_open / next_open_at: local wall-clock hours, right on both sides of a DST change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from queues import hours
from queues.models import OpeningWindow
from tests.factories import QueueFactory

BERLIN = ZoneInfo("Europe/Berlin")
pytestmark = pytest.mark.django_db


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def test_a_queue_without_business_hours_is_always_open():
    queue = QueueFactory()
    assert hours.is_open(queue, datetime(2026, 12, 25, 3, 0, tzinfo=UTC))
    assert hours.next_open_at(queue, datetime(2026, 12, 25, 3, 0, tzinfo=UTC)) == datetime(
        2026, 12, 25, 3, 0, tzinfo=UTC
    )


def test_windows_are_local_time_with_a_lunch_break_and_exclusive_ends(berlin_hours):
    queue = QueueFactory(business_hours=berlin_hours)
    monday = (2026, 3, 2)
    assert not hours.is_open(queue, berlin(*monday, 8, 59))
    assert hours.is_open(queue, berlin(*monday, 9, 0))
    assert hours.is_open(queue, berlin(*monday, 11, 59, 59))
    assert not hours.is_open(queue, berlin(*monday, 12, 0))  # end exclusive: lunch
    assert hours.is_open(queue, berlin(*monday, 13, 0))
    assert not hours.is_open(queue, berlin(*monday, 17, 0))
    assert not hours.is_open(queue, berlin(2026, 3, 7, 10, 0))  # Saturday
    # The same instant seen from UTC: 08:30 UTC is 09:30 in Berlin (CET, +01:00).
    assert hours.is_open(queue, datetime(2026, 3, 2, 8, 30, tzinfo=UTC))


def test_opening_hours_hold_in_local_time_across_the_spring_change(berlin_hours):
    """Berlin moves from +01:00 to +02:00 on Sunday 2026-03-29: 09:00 local is 08:00 UTC
    the Friday before and 07:00 UTC the Monday after."""
    queue = QueueFactory(business_hours=berlin_hours)
    assert hours.is_open(queue, datetime(2026, 3, 27, 8, 0, tzinfo=UTC))
    assert not hours.is_open(queue, datetime(2026, 3, 27, 7, 30, tzinfo=UTC))
    assert hours.is_open(queue, datetime(2026, 3, 30, 7, 0, tzinfo=UTC))
    assert not hours.is_open(queue, datetime(2026, 3, 30, 6, 59, tzinfo=UTC))
    # Closed all weekend: Friday 17:00 CET -> Monday 09:00 CEST.
    friday_evening = datetime(2026, 3, 27, 16, 0, tzinfo=UTC)
    assert hours.next_open_at(queue, friday_evening) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_opening_hours_hold_across_the_autumn_change(berlin_hours):
    """Back to +01:00 on Sunday 2026-10-25: 09:00 local is 07:00 UTC before, 08:00 after."""
    queue = QueueFactory(business_hours=berlin_hours)
    assert hours.is_open(queue, datetime(2026, 10, 23, 7, 0, tzinfo=UTC))
    assert not hours.is_open(queue, datetime(2026, 10, 26, 7, 30, tzinfo=UTC))
    assert hours.is_open(queue, datetime(2026, 10, 26, 8, 0, tzinfo=UTC))
    assert hours.next_open_at(queue, datetime(2026, 10, 23, 18, 0, tzinfo=UTC)) == datetime(
        2026, 10, 26, 8, 0, tzinfo=UTC
    )


def test_a_window_starting_in_the_skipped_hour_opens_when_the_clocks_jump(berlin_hours):
    """02:30 does not exist in Berlin on 2026-03-29; a 02:30-04:00 window opens at 03:00
    CEST (01:00 UTC), the first instant past 02:30 local."""
    OpeningWindow.objects.create(schedule=berlin_hours, day=6, start=time(2, 30), end=time(4))
    queue = QueueFactory(business_hours=berlin_hours)
    saturday_night = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)
    assert hours.next_open_at(queue, saturday_night) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert hours.is_open(queue, datetime(2026, 3, 29, 1, 0, tzinfo=UTC))
    assert not hours.is_open(queue, datetime(2026, 3, 29, 0, 59, tzinfo=UTC))


def test_a_holiday_closes_the_whole_local_day(berlin_hours):
    queue = QueueFactory(business_hours=berlin_hours)
    good_friday = (2026, 4, 3)
    assert not hours.is_open(queue, berlin(*good_friday, 10, 0))
    assert hours.is_open(queue, berlin(2026, 4, 2, 16, 59))
    # Thursday evening: the next opening skips the holiday and the weekend.
    assert hours.next_open_at(queue, berlin(2026, 4, 2, 17, 0)) == berlin(2026, 4, 6, 9, 0)


def test_the_holiday_is_a_day_in_the_schedules_zone_not_in_utc(berlin_hours):
    # 2026-04-02 23:30 UTC is already Good Friday 01:30 in Berlin.
    schedule = berlin_hours
    OpeningWindow.objects.create(schedule=schedule, day=4, start=time(0), end=time(0))
    queue = QueueFactory(business_hours=schedule)
    assert not hours.is_open(queue, datetime(2026, 4, 2, 23, 30, tzinfo=UTC))
    assert hours.is_open(queue, datetime(2026, 4, 9, 23, 30, tzinfo=UTC))  # a plain Friday


def test_an_end_of_midnight_keeps_the_day_open_to_its_end(berlin_hours):
    OpeningWindow.objects.create(schedule=berlin_hours, day=5, start=time(20), end=time(0))
    queue = QueueFactory(business_hours=berlin_hours)
    assert hours.is_open(queue, berlin(2026, 3, 7, 23, 59, 59))
    assert not hours.is_open(queue, berlin(2026, 3, 8, 0, 0))


def test_a_schedule_without_windows_never_opens(db):
    from queues.models import BusinessHours

    closed = BusinessHours.objects.create(name="Closed", time_zone="UTC")
    queue = QueueFactory(business_hours=closed)
    assert not hours.is_open(queue, datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    assert hours.next_open_at(queue, datetime(2026, 3, 2, 10, 0, tzinfo=UTC)) is None


def test_window_problems_name_the_day_and_the_windows():
    problems = hours.window_problems(
        [
            (0, time(9), time(12)),
            (0, time(11), time(14)),
            (2, time(17), time(9)),
            (3, time(9), time(12)),
            (3, time(12), time(13)),  # adjacent, not overlapping
        ]
    )
    assert problems == [
        "Wednesday 17:00-09:00: the end must be after the start.",
        "Monday: 09:00-12:00 overlaps 11:00-14:00.",
    ]
    assert hours.window_problems([(6, time(0), time(0))]) == []  # all day


def test_only_real_iana_zones_are_valid():
    assert hours.valid_time_zone("Europe/Berlin")
    assert hours.valid_time_zone("UTC")
    assert not hours.valid_time_zone("Mars/Olympus_Mons")
    assert not hours.valid_time_zone("../../etc/passwd")
    assert not hours.valid_time_zone("")
    assert date(2026, 4, 3).weekday() == 4  # the fixture's holiday is a Friday
