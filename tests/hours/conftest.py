"""Business-hours actors: a Berlin schedule (weekdays 09:00-17:00, a holiday) and a clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from unittest import mock

import pytest

from queues.models import BusinessHours, Holiday, OpeningWindow


class Clock:
    """A frozen clock: `timezone.now()` answers `at` until moved (routing, services and
    auto_now fields all read it)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at


@pytest.fixture
def clock():
    frozen = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    with mock.patch("django.utils.timezone.now", frozen):
        yield frozen


@pytest.fixture
def berlin_hours(db):
    """Monday to Friday 09:00-12:00 and 13:00-17:00 in Berlin; closed on 2026-04-03."""
    schedule = BusinessHours.objects.create(name="Berlin office", time_zone="Europe/Berlin")
    for day in range(5):
        OpeningWindow.objects.create(schedule=schedule, day=day, start=time(9), end=time(12))
        OpeningWindow.objects.create(schedule=schedule, day=day, start=time(13), end=time(17))
    Holiday.objects.create(schedule=schedule, date=date(2026, 4, 3), name="Good Friday")
    return schedule
