"""Business hours in Django admin: the same checks as the API, inline windows and holidays."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from queues.models import BusinessHours

pytestmark = pytest.mark.django_db


def _form(name: str, time_zone: str, windows: list[tuple[int, str, str]]) -> dict:
    data = {
        "name": name,
        "time_zone": time_zone,
        "windows-TOTAL_FORMS": str(len(windows)),
        "windows-INITIAL_FORMS": "0",
        "windows-MIN_NUM_FORMS": "0",
        "windows-MAX_NUM_FORMS": "1000",
        "holidays-TOTAL_FORMS": "1",
        "holidays-INITIAL_FORMS": "0",
        "holidays-MIN_NUM_FORMS": "0",
        "holidays-MAX_NUM_FORMS": "1000",
        "holidays-0-date": "2026-12-25",
        "holidays-0-name": "Christmas",
    }
    for index, (day, start, end) in enumerate(windows):
        data.update(
            {
                f"windows-{index}-day": str(day),
                f"windows-{index}-start": start,
                f"windows-{index}-end": end,
            }
        )
    return data


@pytest.fixture
def manager_web(carol):
    web = Client()
    web.force_login(carol)
    return web


def test_a_manager_adds_business_hours_with_windows_and_a_holiday(manager_web):
    response = manager_web.post(
        reverse("admin:queues_businesshours_add"),
        _form("Support", "Europe/Berlin", [(0, "09:00", "12:00"), (0, "13:00", "17:00")]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    schedule = BusinessHours.objects.get()
    assert schedule.windows.count() == 2
    assert schedule.holidays.get().name == "Christmas"


def test_overlaps_and_unknown_zones_are_refused_in_words(manager_web):
    response = manager_web.post(
        reverse("admin:queues_businesshours_add"),
        _form("Support", "Europe/Atlantis", [(1, "09:00", "13:00"), (1, "12:00", "17:00")]),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Unknown time zone &#x27;Europe/Atlantis&#x27;" in page
    assert "Tuesday: 09:00-13:00 overlaps 12:00-17:00." in page
    assert not BusinessHours.objects.exists()


def test_an_agent_cannot_open_the_admin_page(alice):
    web = Client()
    web.force_login(alice)
    response = web.get(reverse("admin:queues_businesshours_add"))
    assert response.status_code == 302  # to the admin login: agents do not work in admin
